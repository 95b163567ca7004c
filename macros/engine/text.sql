{#
    Engine-specific text and URL functions, dispatched per adapter (adapter.dispatch): models call the
    plain names; each engine gets a `<adapter>__` implementation, `default__` where standard SQL serves.
#}

{#
    Characters that count as blank around text: space, tab, newline, carriage return; blank text is null.
    DuckDB: same result as nullif(trim(col, ' \t\n\r'), ''), faster: DuckDB's trim with a character list is
    slow (about 0.5 s of CPU per 10M values), so text that starts with a character above the space and does
    not end with a blank is returned as it is (almost every value), and only the rest is trimmed.
#}
{% macro clean_text(column) -%}
    {{ return(adapter.dispatch('clean_text', 'microconv')(column)) }}
{%- endmacro %}

{% macro duckdb__clean_text(column) -%}
    case
        when {{ column }} >= '!'
            and not (
                ends_with({{ column }}, ' ') or ends_with({{ column }}, chr(9))
                or ends_with({{ column }}, chr(10)) or ends_with({{ column }}, chr(13))
            )
            then {{ column }}
        else nullif(trim({{ column }}, ' ' || chr(9) || chr(10) || chr(13)), '')
    end
{%- endmacro %}

{% macro spark__clean_text(column) -%}
    nullif(trim(both concat(' ', char(9), char(10), char(13)) from {{ column }}), '')
{%- endmacro %}

{# Regular expression test (true when `pattern` matches anywhere in the value). #}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'microconv')(column, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(column, pattern) -%}
    ({{ column }} rlike {{ pattern }})
{%- endmacro %}

{# Value of a URL query parameter, URL-decoded (`+` is a space), null when absent or empty. #}
{% macro url_query_param(url, name) -%}
    {{ return(adapter.dispatch('url_query_param', 'microconv')(url, name)) }}
{%- endmacro %}

{% macro duckdb__url_query_param(url, name) -%}
    nullif(url_decode(replace(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '+', ' ')), '')
{%- endmacro %}

{% macro spark__url_query_param(url, name) -%}
    nullif(try_url_decode(replace(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '+', ' ')), '')
{%- endmacro %}

{# Path of a URL, without scheme, host, query and fragment; '/' for a bare host. #}
{% macro url_path(url) -%}
    {{ return(adapter.dispatch('url_path', 'microconv')(url)) }}
{%- endmacro %}

{% macro duckdb__url_path(url) -%}
    coalesce(nullif(regexp_extract({{ url }}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/')
{%- endmacro %}

{% macro spark__url_path(url) -%}
    coalesce(nullif(regexp_extract({{ url }}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/')
{%- endmacro %}

{# Lowercase host of a URL, null when the text has no scheme://host. #}
{% macro url_host(url) -%}
    {{ return(adapter.dispatch('url_host', 'microconv')(url)) }}
{%- endmacro %}

{% macro duckdb__url_host(url) -%}
    nullif(lower(regexp_extract({{ url }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+)', 1)), '')
{%- endmacro %}

{% macro spark__url_host(url) -%}
    nullif(lower(regexp_extract({{ url }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+)', 1)), '')
{%- endmacro %}

{# A ratio as percent text with one decimal: 0.3125 -> '31.3%'. #}
{% macro percent_text(ratio) -%}
    {{ return(adapter.dispatch('percent_text', 'microconv')(ratio)) }}
{%- endmacro %}

{% macro duckdb__percent_text(ratio) -%}
    printf('%.1f%%', 100.0 * ({{ ratio }}))
{%- endmacro %}

{% macro spark__percent_text(ratio) -%}
    format_string('%.1f%%', cast(100.0 * ({{ ratio }}) as double))
{%- endmacro %}

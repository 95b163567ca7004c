{#
    DuckDB-only SQL, in one place.

    Every construct below is specific to DuckDB's SQL dialect. Models call these macros instead of
    writing the functions inline, so a port to another engine (dbt-spark is on the roadmap) changes
    this file and nothing else. Each macro names its Spark SQL equivalent.
#}

{#
    Characters that count as blank around text: space, tab, newline, carriage return.
    Same result as nullif(trim(col, ' \t\n\r'), ''), faster: DuckDB's trim with a character list is slow
    (about 0.5 s of CPU per 10M values), so text that starts with a character above the space and does not end with
    a blank is returned as it is (almost every value), and only the rest is trimmed.
#}
{% macro clean_text(column) -%}
    case
        when {{ column }} >= '!'
            and not (
                ends_with({{ column }}, ' ') or ends_with({{ column }}, chr(9))
                or ends_with({{ column }}, chr(10)) or ends_with({{ column }}, chr(13))
            )
            then {{ column }}
        else nullif(trim({{ column }}, ' ' || chr(9) || chr(10) || chr(13)), '')
    end
    {#- spark: nullif(trim(both ' \t\n\r' from col), '') -#}
{%- endmacro %}

{#
    ISO-8601 text -> UTC timestamp (without time zone), null when unparseable.
    With an offset (`Z`, `+hh`, `+hhmm`, `+hh:mm`, also after a space) the instant is converted to UTC;
    without one the text is read as UTC, whatever the session time zone.
#}
{% macro parse_utc_timestamp(column) -%}
    case
        {#- Fast path, same result: the common 'YYYY-MM-DDTHH:MM:SS.fffZ' is read directly (Z = UTC). #}
        when {{ column }} like '____-__-__T__:__:__.___Z' and substr({{ column }}, 23, 1) between '0' and '9'
            then try_cast({{ column }} as timestamp)
        when regexp_matches({{ column }}, '[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$')
            then cast(
                timezone('UTC', try_cast(regexp_replace({{ column }}, '\s+([zZ]|[+-]\d{2}(:?\d{2})?)$', '\1') as timestamptz))
                as timestamp
            )
        else try_cast({{ column }} as timestamp)
    end
    {#- spark: to_utc_timestamp / try_to_timestamp with the same offset test -#}
{%- endmacro %}

{# 64-bit hash of a value: a cheap grouping key (e.g. to find repeated ids before comparing the ids themselves). #}
{% macro hash_key(column) -%}
    hash({{ column }})
    {#- spark: xxhash64(col) -#}
{%- endmacro %}

{# Stable text form of a timestamp, used in hashed ids. #}
{% macro timestamp_key(column) -%}
    strftime({{ column }}, '%Y-%m-%dT%H:%M:%S.%fZ')
    {#- spark: date_format(col, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'") -#}
{%- endmacro %}

{# Regular expression test. #}
{% macro regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, {{ pattern }})
    {#- spark: col rlike pattern -#}
{%- endmacro %}

{# Value of a URL query parameter, URL-decoded (`+` is a space), null when absent or empty. #}
{% macro url_query_param(url, name) -%}
    nullif(url_decode(replace(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '+', ' ')), '')
    {#- spark: nullif(reflect('java.net.URLDecoder', 'decode', regexp_extract(...), 'UTF-8'), '') -#}
{%- endmacro %}

{# Path of a URL, without scheme, host, query and fragment; '/' for a bare host. #}
{% macro url_path(url) -%}
    coalesce(nullif(regexp_extract({{ url }}, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/')
    {#- spark: the same regexp_extract -#}
{%- endmacro %}

{# Lowercase host of a URL, null when the text has no scheme://host. #}
{% macro url_host(url) -%}
    nullif(lower(regexp_extract({{ url }}, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+)', 1)), '')
{%- endmacro %}

{# Value at the smallest / largest `order_by` in a group; null values are kept, not skipped. #}
{% macro first_by(value, order_by) -%}
    arg_min_null({{ value }}, {{ order_by }})
    {#- spark: min_by(value, order_by) -#}
{%- endmacro %}

{% macro last_by(value, order_by) -%}
    arg_max_null({{ value }}, {{ order_by }})
    {#- spark: max_by(value, order_by) -#}
{%- endmacro %}

{# Exact median of a group. #}
{% macro median(column) -%}
    median({{ column }})
    {#- spark: percentile(col, 0.5) -#}
{%- endmacro %}

{# Seconds between two timestamps, with fractions (not DuckDB's boundary-counting datediff). #}
{% macro seconds_between(start_ts, end_ts) -%}
    (epoch({{ end_ts }}) - epoch({{ start_ts }}))
    {#- spark: unix_micros(end) - unix_micros(start)) / 1e6 -#}
{%- endmacro %}

{# Fail the query with a readable message (used to validate the config seeds). #}
{% macro raise_error(message) -%}
    error({{ message }})
    {#- spark: raise_error(message) -#}
{%- endmacro %}

{# A CSV file as a relation of text columns (used by the end-to-end equality test only). #}
{% macro read_csv_as_text(path) -%}
    read_csv('{{ path }}', header = true, all_varchar = true)
    {#- spark: a temporary view over spark.read.csv(path, header=True) -#}
{%- endmacro %}

{# Cast that yields null instead of failing (dbt-duckdb's dbt.safe_cast is a plain cast). #}
{% macro try_cast_as(column, type) -%}
    try_cast({{ column }} as {{ type }})
    {#- spark: try_cast(col as type) -#}
{%- endmacro %}

{# Text aggregate of a group in a given order (e.g. 'a 31.2%, b 10.0%'). #}
{% macro ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }} order by {{ order_by }})
    {#- spark: array_join(transform(array_sort(collect_list(struct(order_by, value))), x -> x.value), sep) -#}
{%- endmacro %}

{# A ratio as percent text with one decimal: 0.3125 -> '31.3%'. #}
{% macro percent_text(ratio) -%}
    printf('%.1f%%', 100.0 * ({{ ratio }}))
    {#- spark: format_string('%.1f%%', 100.0 * ratio) -#}
{%- endmacro %}

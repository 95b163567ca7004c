{#
    DuckDB-only SQL, in one place.

    Every construct below is specific to DuckDB's SQL dialect. Models call these macros instead of
    writing the functions inline, so a port to another engine (dbt-spark is on the roadmap) changes
    this file and nothing else. Each macro names its Spark SQL equivalent. The funnel models' ASOF
    join is the one DuckDB construct that is not a macro; it is documented in their YAML.
#}

{# Characters that count as blank around text: space, tab, newline, carriage return. #}
{% macro clean_text(column) -%}
    nullif(trim({{ column }}, ' ' || chr(9) || chr(10) || chr(13)), '')
    {#- spark: nullif(trim(both ' \t\n\r' from col), '') -#}
{%- endmacro %}

{#
    ISO-8601 text -> UTC timestamp (without time zone), null when unparseable.
    With an offset (`Z`, `+hh`, `+hhmm`, `+hh:mm`, also after a space) the instant is converted to UTC;
    without one the text is read as UTC, whatever the session time zone.
#}
{% macro parse_utc_timestamp(column) -%}
    case
        when regexp_matches({{ column }}, '[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$')
            then cast(
                timezone('UTC', try_cast(regexp_replace({{ column }}, '\s+([zZ]|[+-]\d{2}(:?\d{2})?)$', '\1') as timestamptz))
                as timestamp
            )
        else try_cast({{ column }} as timestamp)
    end
    {#- spark: to_utc_timestamp / try_to_timestamp with the same offset test -#}
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

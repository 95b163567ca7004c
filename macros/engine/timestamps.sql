{#
    Engine-specific timestamp functions, dispatched per adapter (adapter.dispatch): models call the plain
    names; each engine gets a `<adapter>__` implementation, `default__` where standard SQL serves.
#}

{#
    ISO-8601 text -> UTC timestamp (without time zone), null when unparseable.
    With an offset (`Z`, `+hh`, `+hhmm`, `+hh:mm`, also after a space) the instant is converted to UTC;
    without one the text is read as UTC, whatever the session time zone.
#}
{% macro parse_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'microconv')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_utc_timestamp(column) -%}
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
{%- endmacro %}

{#
    Spark: its string-to-timestamp cast reads ISO-8601 with `Z` or `+hh[:mm]` offsets (and none = the session
    time zone, UTC in the profile); a blank before the offset is removed first; `+hh` alone gets `:00`.
#}
{% macro spark__parse_utc_timestamp(column) -%}
    try_cast(
        regexp_replace(
            regexp_replace({{ column }}, '\s+([zZ]|[+-]\d{2}(:?\d{2})?)$', '$1'),
            '([+-]\d{2})$', '$1:00'
        ) as timestamp
    )
{%- endmacro %}

{# Stable text form of a timestamp (microseconds, 'Z'), used in hashed ids. #}
{% macro timestamp_key(column) -%}
    {{ return(adapter.dispatch('timestamp_key', 'microconv')(column)) }}
{%- endmacro %}

{% macro duckdb__timestamp_key(column) -%}
    strftime({{ column }}, '%Y-%m-%dT%H:%M:%S.%fZ')
{%- endmacro %}

{% macro spark__timestamp_key(column) -%}
    date_format({{ column }}, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
{%- endmacro %}

{#
    Seconds between two timestamps, with fractions (not a boundary-counting datediff): the difference in
    microseconds (exact) divided by 1e6, computed the same way on every engine so that doubles derived from it
    are bit-identical across engines (not only within rounding).
#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'microconv')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_ts, end_ts) -%}
    ((epoch_us({{ end_ts }}) - epoch_us({{ start_ts }})) / 1e6)
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    ((unix_micros({{ end_ts }}) - unix_micros({{ start_ts }})) / 1e6)
{%- endmacro %}

{#
    dbt.date_spine on Spark: one `sequence` instead of dbt's generic cross join of generated numbers (which
    Spark plans and runs slowly: about a minute for the time spine's 16 years on two cores). Same rows:
    every `datepart` step from start_date up to, not including, end_date.
#}
{% macro spark__date_spine(datepart, start_date, end_date) -%}
    select date_{{ datepart }}
    from (
        select explode(sequence(
            cast({{ start_date }} as timestamp),
            cast({{ end_date }} as timestamp),
            interval 1 {{ datepart }}
        )) as date_{{ datepart }}
    ) as spine
    where date_{{ datepart }} < cast({{ end_date }} as timestamp)
{%- endmacro %}

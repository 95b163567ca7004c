{#
    A timestamp plus a (bigint) number of microseconds: exact for fractional hours (0.5 h = 1,800,000,000 us)
    and for windows beyond the int32 range that DuckDB's `interval (n) microsecond` accepts.
    Dispatched (adapter.dispatch): duckdb__ uses to_microseconds; default__ uses dbt.dateadd.
    Tested by tests/macros/assert_add_microseconds.sql.
#}
{% macro add_microseconds(timestamp, microseconds) %}
    {{- return(adapter.dispatch('add_microseconds', 'microconv')(timestamp, microseconds)) -}}
{% endmacro %}

{% macro duckdb__add_microseconds(timestamp, microseconds) -%}
    ({{ timestamp }} + to_microseconds({{ microseconds }}))
{%- endmacro %}

{% macro default__add_microseconds(timestamp, microseconds) -%}
    {{ dbt.dateadd('microsecond', microseconds, timestamp) }}
{%- endmacro %}

{# Spark: exact integer microseconds since the epoch, shifted and turned back into a timestamp. #}
{% macro spark__add_microseconds(timestamp, microseconds) -%}
    timestamp_micros(unix_micros({{ timestamp }}) + cast({{ microseconds }} as bigint))
{%- endmacro %}

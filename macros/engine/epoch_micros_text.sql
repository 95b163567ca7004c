{#
    Microseconds since 1970-01-01 UTC (an integer, or its text as GA4's JSON export writes it) -> the
    UTC time as text 'YYYY-MM-DD HH:MM:SS.ffffff' (no offset = UTC for parse_utc_timestamp); null when
    it is not an integer.
#}
{% macro epoch_micros_text(micros) %}{{ return(adapter.dispatch('epoch_micros_text', 'microconv')(micros)) }}{% endmacro %}

{% macro duckdb__epoch_micros_text(micros) -%}
    strftime(make_timestamp(try_cast({{ micros }} as bigint)), '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}

{% macro spark__epoch_micros_text(micros) -%}
    date_format(timestamp_micros(try_cast({{ micros }} as bigint)), 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}

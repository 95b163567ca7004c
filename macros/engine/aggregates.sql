{#
    Engine-specific aggregates, dispatched per adapter (adapter.dispatch): models call the plain names;
    each engine gets a `<adapter>__` implementation, `default__` where standard SQL serves.
#}

{# Value at the smallest `order_by` in a group; null values are kept, not skipped. #}
{% macro first_by(value, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'microconv')(value, order_by)) }}
{%- endmacro %}

{% macro duckdb__first_by(value, order_by) -%}
    arg_min_null({{ value }}, {{ order_by }})
{%- endmacro %}

{% macro spark__first_by(value, order_by) -%}
    min_by({{ value }}, {{ order_by }})
{%- endmacro %}

{# Value at the largest `order_by` in a group; null values are kept, not skipped. #}
{% macro last_by(value, order_by) -%}
    {{ return(adapter.dispatch('last_by', 'microconv')(value, order_by)) }}
{%- endmacro %}

{% macro duckdb__last_by(value, order_by) -%}
    arg_max_null({{ value }}, {{ order_by }})
{%- endmacro %}

{% macro spark__last_by(value, order_by) -%}
    max_by({{ value }}, {{ order_by }})
{%- endmacro %}

{# Exact median of a group (the mean of the two middle values for an even count). #}
{% macro median(column) -%}
    {{ return(adapter.dispatch('median', 'microconv')(column)) }}
{%- endmacro %}

{% macro default__median(column) -%}
    percentile_cont(0.5) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__median(column) -%}
    median({{ column }})
{%- endmacro %}

{% macro spark__median(column) -%}
    percentile({{ column }}, 0.5)
{%- endmacro %}

{# Text aggregate of a group in a given order (e.g. 'a 31.2%, b 10.0%'). #}
{% macro ordered_string_agg(value, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'microconv')(value, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(value, separator, order_by) -%}
    listagg({{ value }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

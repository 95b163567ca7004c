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

{# Window function: the last non-null value of the window frame (write the `over (...)` after it). #}
{% macro last_value_ignore_nulls(value) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'microconv')(value)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(value) -%}
    last_value({{ value }}) ignore nulls
{%- endmacro %}

{% macro duckdb__last_value_ignore_nulls(value) -%}
    last_value({{ value }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(value) -%}
    last_value({{ value }}, true)
{%- endmacro %}

{#
    dbt.listagg on Spark: dbt-spark's own spark__listagg drops the order_by_clause (collect_list order is
    arbitrary), so this project's override (the root project wins dbt's dispatch) uses Spark 4's
    listagg ... within group, which keeps it. With a limit: the first `limit_num` values in that order.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and not limit_num -%}
        listagg({{ measure }}, {{ delimiter_text }}) within group ({{ order_by_clause }})
    {%- elif order_by_clause -%}
        {{ exceptions.raise_compiler_error("listagg with both order_by_clause and limit_num is not supported on Spark") }}
    {%- else -%}
        array_join(
            {%- if limit_num %} slice(collect_list({{ measure }}), 1, {{ limit_num }}){% else %} collect_list({{ measure }}){% endif %},
            {{ delimiter_text }}
        )
    {%- endif -%}
{%- endmacro %}

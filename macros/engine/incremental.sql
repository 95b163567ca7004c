{#-
    The materialization of the incremental models (README "Incremental builds"): 'incremental' where the engine
    has the delete + insert of the replace_keys strategy in one transaction (DuckDB), else 'table' (every build
    is a full one, same results).
-#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'microconv')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{% macro duckdb__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#
    Use the custom schema name as is (staging, intermediate, marts, config), as PRODUCT.md
    promises `staging.stg_events`, `marts.fct_sessions`, ... Models without a custom schema
    land in the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{# 'Product List Viewed' -> 'product_list_viewed': lowercase, every run of other characters one underscore. #}
{% macro snake_case(text) %}{{ return(adapter.dispatch('snake_case', 'microconv')(text)) }}{% endmacro %}

{% macro default__snake_case(text) -%}
    nullif(trim(both '_' from regexp_replace(lower({{ text }}), '[^a-z0-9]+', '_', 'g')), '')
{%- endmacro %}

{% macro duckdb__snake_case(text) -%}
    nullif(trim(regexp_replace(lower({{ text }}), '[^a-z0-9]+', '_', 'g'), '_'), '')
{%- endmacro %}

{# Spark: regexp_replace replaces every match (its 4th argument is a position, not flags). #}
{% macro spark__snake_case(text) -%}
    nullif(regexp_replace(regexp_replace(lower({{ text }}), '[^a-z0-9]+', '_'), '^_+|_+$', ''), '')
{%- endmacro %}

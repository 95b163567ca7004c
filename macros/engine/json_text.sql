{#
    Text value at a JSON path of a JSON text (or, on DuckDB, of a STRUCT/MAP column), null when absent
    or JSON null. Objects and arrays come back as JSON text. `path` is a JSONPath literal such as
    '$.device.category' (quoted by the macro).
#}
{% macro json_text(json, path) %}{{ return(adapter.dispatch('json_text', 'microconv')(json, path)) }}{% endmacro %}

{% macro duckdb__json_text(json, path) -%}
    json_extract_string({{ json }}, '{{ path }}')
{%- endmacro %}

{% macro default__json_text(json, path) -%}
    get_json_object({{ json }}, '{{ path }}')
{%- endmacro %}

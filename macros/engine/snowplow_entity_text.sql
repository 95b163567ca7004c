{#
    Snowplow self-describing JSON (the enriched TSV's `contexts` / `derived_contexts`: {"schema", "data": [...]},
    or `unstruct_event`: {"schema", "data": {"schema", "data"}}): a field of the first entity whose
    schema URI matches `schema_like` (SQL LIKE), as text; null when there is none.
#}
{% macro snowplow_context_text(contexts, schema_like, field) %}{{ return(adapter.dispatch('snowplow_context_text', 'microconv')(contexts, schema_like, field)) }}{% endmacro %}

{% macro duckdb__snowplow_context_text(contexts, schema_like, field) -%}
    json_extract_string(
        list_filter(
            json_extract({{ contexts }}, '$.data[*]'),
            lambda entity: json_extract_string(entity, '$.schema') like '{{ schema_like }}'
        )[1],
        '$.data.{{ field }}'
    )
{%- endmacro %}

{# Spark: the entities as JSON texts (from_json to array<string> keeps each object's text). #}
{% macro spark__snowplow_context_text(contexts, schema_like, field) -%}
    get_json_object(
        try_element_at(
            filter(
                from_json(get_json_object({{ contexts }}, '$.data'), 'array<string>'),
                entity -> get_json_object(entity, '$.schema') like '{{ schema_like }}'
            ),
            1
        ),
        '$.data.{{ field }}'
    )
{%- endmacro %}

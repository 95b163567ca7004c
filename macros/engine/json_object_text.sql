{#
    A JSON object as text from (key, expression) pairs, every key present (null values as JSON null: dropping
    them costs a second pass over large nested values). An expression wrapped in json_value_of() is embedded as JSON (an
    object or array kept as such); any other value is a JSON string.
    pairs: a list of [key, sql expression].
#}
{% macro json_object_text(pairs) %}{{ return(adapter.dispatch('json_object_text', 'microconv')(pairs)) }}{% endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    json_object(
        {%- for pair in pairs %}
            '{{ pair[0] }}', {{ pair[1] }}{{ "," if not loop.last }}
        {%- endfor %}
    )::varchar
{%- endmacro %}

{# A JSON text embedded as JSON (not as a string) in json_object_text; invalid JSON becomes null. #}
{% macro json_value_of(json) %}{{ return(adapter.dispatch('json_value_of', 'microconv')(json)) }}{% endmacro %}

{% macro duckdb__json_value_of(json) -%}
    try_cast({{ json }} as json)
{%- endmacro %}

{#
    Spark: to_json of a struct keeps the pairs in order and writes nulls (ignoreNullFields off); a value
    from json_value_of() is a VARIANT, which to_json embeds as JSON.
#}
{% macro spark__json_object_text(pairs) -%}
    to_json(
        named_struct(
            {%- for pair in pairs %}
                '{{ pair[0] }}', {{ pair[1] }}{{ "," if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}

{% macro spark__json_value_of(json) -%}
    try_parse_json({{ json }})
{%- endmacro %}

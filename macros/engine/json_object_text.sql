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
    Spark: the object is written as text, pair by pair. A plain value is a JSON string (or number) escaped by
    to_json; a json_value_of() value is embedded as its text without the blanks outside strings, as DuckDB's
    json_object writes it (same key order; Spark's VARIANT would sort the keys). One difference remains: DuckDB
    re-writes numbers (1.50 -> 1.5, 1e3 -> 1000.0), Spark keeps them as the export wrote them.
    spark__json_value_of marks its SQL with a leading comment so that this macro can tell the two apart;
    rendered anywhere else the comment is harmless.
#}
{% macro spark__json_object_text(pairs) -%}
    concat(
        '{',
        {%- for pair in pairs %}
            {%- set value = pair[1] | string %}
            '{{ "," if not loop.first }}"{{ pair[0] }}":',
            {%- if value.strip().startswith(spark_json_marker()) %}
            coalesce(regexp_replace({{ value }}, '("(?:[^"\\]|\\.)*")|\s+', '$1'), 'null'),
            {%- else %}
            regexp_extract(to_json(array({{ value }})), '^\[(.*)\]$', 1),
            {%- endif %}
        {%- endfor %}
        '}'
    )
{%- endmacro %}

{% macro spark_json_marker() %}{{ return('/* json */') }}{% endmacro %}

{% macro spark__json_value_of(json) -%}
    {{ spark_json_marker() }} case when try_parse_json({{ json }}) is not null then {{ json }} end
{%- endmacro %}

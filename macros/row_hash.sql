{#
    A stable id for a row that has none: md5 of its columns' values, each written as
    <length>:<value> (or '-' for null) and joined with '|', so equal rows get equal ids and
    different rows different ids. Used for GA4 export rows (PRODUCT.md: "derive a stable one from the
    row, so an exact duplicate row collapses").
#}
{% macro row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append(
            "case when " ~ column ~ " is null then '-' else concat(cast(" ~ dbt.length(column) ~ " as "
            ~ dbt.type_string() ~ "), ':', " ~ column ~ ") end"
        ) -%}
    {%- endfor -%}
    {#- one concat() call: chained || copies long values (GA4 rows are kilobytes) once per operator; concat()
        reads null as '', hence the case #}
    {{ dbt.hash('concat(' ~ parts | join(', ') ~ ')') }}
{%- endmacro %}

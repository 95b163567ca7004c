{#
    Engine-specific value functions (hashing, casts, errors, reading files), dispatched per adapter
    (adapter.dispatch): models call the plain names; each engine gets a `<adapter>__` implementation,
    `default__` where standard SQL serves.
#}

{# 64-bit hash of a value: a cheap grouping key (e.g. to find repeated ids before comparing the ids themselves). #}
{% macro hash_key(column) -%}
    {{ return(adapter.dispatch('hash_key', 'microconv')(column)) }}
{%- endmacro %}

{% macro duckdb__hash_key(column) -%}
    hash({{ column }})
{%- endmacro %}

{% macro spark__hash_key(column) -%}
    xxhash64({{ column }})
{%- endmacro %}

{# Cast that yields null instead of failing (dbt-duckdb's dbt.safe_cast is a plain cast). #}
{% macro try_cast_as(column, type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'microconv')(column, type)) }}
{%- endmacro %}

{% macro default__try_cast_as(column, type) -%}
    try_cast({{ column }} as {{ type }})
{%- endmacro %}

{# Fail the query with a readable message (used to validate the config seeds). #}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'microconv')(message)) }}
{%- endmacro %}

{% macro duckdb__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}

{# A CSV file as a relation of text columns (used by the end-to-end equality test only). #}
{% macro read_csv_as_text(path) -%}
    {{ return(adapter.dispatch('read_csv_as_text', 'microconv')(path)) }}
{%- endmacro %}

{% macro duckdb__read_csv_as_text(path) -%}
    read_csv('{{ path }}', header = true, all_varchar = true)
{%- endmacro %}

{#
    Spark: a temporary view over the CSV (header, every column as text), created when the test compiles,
    in the session that runs it (dbt-spark's session method shares one SparkSession).
#}
{% macro spark__read_csv_as_text(path) -%}
    {%- set view_name = 'csv_' ~ local_md5(path) -%}
    {%- if execute -%}
        {%- do run_query(
            "create or replace temporary view " ~ view_name
            ~ " using csv options (path '" ~ path ~ "', header 'true', inferSchema 'false')"
        ) -%}
    {%- endif -%}
    {{ view_name }}
{%- endmacro %}

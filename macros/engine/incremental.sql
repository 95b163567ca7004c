{#-
    The materialization of the incremental models (README "Incremental builds"): 'incremental' on DuckDB (the
    delete + insert of replace_keys in one transaction) and on Spark (replace_keys as a rewrite into a side table
    and a swap, below: Parquet tables have no DELETE or MERGE); 'table' elsewhere (every build is a full one,
    same results).
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

{% macro spark__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{#-
    Incremental builds on Spark (README "Apache Spark"). Parquet tables take appends and INSERT OVERWRITE only,
    and Spark has no transaction across statements, so a build killed between a model's rows and its watermark
    must still lead to the full-refresh result: every step below is repeatable.

    - The state table is partitioned by model_name; a model's watermark replaces its own partition (a dynamic
      partition overwrite: the profile sets spark.sql.sources.partitionOverwriteMode dynamic, so each write
      stages its files apart and concurrent models never touch each other's partition).
    - A model whose rows carry _load_id (meta incremental_watermark: own) reads its watermark from its own rows,
      max(_load_id), which are always in step with them: its append is one Spark job, all or nothing.
-#}
{% macro spark__create_incremental_state() -%}
    create table if not exists {{ incremental_state_relation() }} (load_id bigint, model_name string)
    using parquet partitioned by (model_name)
{%- endmacro %}

{% macro spark__incremental_watermark() -%}
    {%- if (model.config.meta or {}).get('incremental_watermark') == 'own' -%}
        (select coalesce(max(_load_id), -1) from {{ this }})
    {%- else -%}
        {{ default__incremental_watermark() }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__write_incremental_watermark(watermark_sql) -%}
    {#- The watermark, read first (Spark will not overwrite a table a statement reads), then written into the
        model's own partition. Also drops the tables a killed replace left behind (see spark_replace_rows). -#}
    {%- set load_id = run_query(watermark_sql).columns[0].values()[0] | int %}
    {%- do spark_drop_replace_leftovers(this) %}
    insert overwrite table {{ incremental_state_relation() }} partition (model_name)
    select cast({{ load_id }} as bigint) as load_id, '{{ this.identifier }}' as model_name
{%- endmacro %}

{% macro spark__incremental_absent_from_this(column, this_column, candidates=none) -%}
    {#- `not exists` (an anti join Spark hashes) rather than `not in` (a null-aware anti join, which Spark can only
        broadcast): the same rows, as this_column is never null. candidates is not needed: Spark's hashed anti join
        already shuffles both sides. -#}
    {%- if is_incremental() -%}
        and not exists (
            select 1 from {{ this }} as already_in_this where already_in_this.{{ this_column }} = {{ column }}
        )
    {%- endif -%}
{%- endmacro %}

{% macro spark__get_incremental_replace_keys_sql(arg_dict) -%}
    {{ spark_replace_rows(arg_dict, affected_keys(arg_dict['unique_key'])) }}
{%- endmacro %}

{#-
    replace_keys (and delete+insert) on Spark: the target's rows whose key is not affected plus the model's new
    rows are written into <target>__swap_<run>, which then replaces the target (rename target -> __old_<run>,
    __swap_<run> -> target, drop __old_<run>); <run> is this dbt invocation's id, so what a killed run left (a
    table, or the folder of a half-written one, which Spark would refuse to create a table over) never stands
    in the way. Only the affected keys are recomputed (the model's SQL); the rewrite copies the other rows'
    Parquet. After a kill: before the renames, the target is intact and its watermark old, so the next build
    redoes the same keys; between the renames the target is missing, so the next build builds that model in
    full. Either way the next build gives the full-refresh result, and its watermark post-hook drops the
    __swap_* / __old_* tables a killed run left.
-#}
{% macro spark_replace_rows(arg_dict, affected_keys_sql) -%}
    {%- set target = arg_dict['target_relation'].incorporate(type='table') %}
    {%- set key_column = arg_dict['unique_key'] %}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list %}
    {%- set run = invocation_id | replace('-', '') %}
    {%- set swap = target.incorporate(path={'identifier': target.identifier ~ '__swap_' ~ run[:12]}) %}
    {%- set old = target.incorporate(path={'identifier': target.identifier ~ '__old_' ~ run[:12]}) %}
    {%- set rows_sql -%}
        select {% for column in columns %}kept.{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ target }} as kept
        left anti join ({{ affected_keys_sql }}) as affected on kept.{{ key_column }} = affected.{{ key_column }}
        union all
        select {{ get_quoted_csv(columns) }} from {{ arg_dict['temp_relation'] }}
    {%- endset %}
    {%- call statement('replace_rows_into_swap') %}{{ create_table_as(False, swap, rows_sql) }}{% endcall %}
    {%- do adapter.rename_relation(target, old) %}
    {%- do adapter.rename_relation(swap, target) %}
    {%- do adapter.cache_dropped(old) %}
    drop table if exists {{ old }}
{%- endmacro %}

{% macro spark_drop_replace_leftovers(relation) -%}
    {#- Drops the <relation>__swap_* and <relation>__old_* tables of killed runs (one SHOW TABLES; this run's
        own are renamed or dropped by then). Only for the models spark_replace_rows writes. -#}
    {%- if model.config.get('incremental_strategy') in ['replace_keys', 'delete+insert'] %}
        {%- set pattern = relation.identifier ~ '__swap_*|' ~ relation.identifier ~ '__old_*' %}
        {%- set leftovers = run_query("show tables in " ~ relation.schema ~ " like '" ~ pattern ~ "'") %}
        {%- for row in leftovers.rows %}
            {%- do adapter.drop_relation(relation.incorporate(path={'identifier': row['tableName']}, type='table')) %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#-
    dbt-spark 1.11's incremental materialization accepts only its own strategies (append, insert_overwrite,
    merge, microbatch). These overrides (the root project's macros win over dbt-spark's) add replace_keys and
    delete+insert on any file format, and hand every other strategy to dbt-spark's own macros (`dbt.<name>`:
    the adapter's internal namespace).
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy in ['replace_keys', 'delete+insert'] %}
        {{ return(raw_strategy) }}
    {%- endif %}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy in ['replace_keys', 'delete+insert'] %}
        {%- set arg_dict = {
            'target_relation': existing, 'temp_relation': source, 'unique_key': unique_key,
            'dest_columns': adapter.get_columns_in_relation(existing), 'incremental_predicates': incremental_predicates
        } %}
        {%- if strategy == 'replace_keys' %}
            {{- get_incremental_replace_keys_sql(arg_dict) }}
        {%- else %}
            {{- spark_replace_rows(arg_dict, 'select distinct ' ~ unique_key ~ ' from ' ~ source) }}
        {%- endif %}
    {%- else %}
        {{- dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) }}
    {%- endif %}
{%- endmacro %}

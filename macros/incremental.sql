{#-
    Incremental builds (README "Incremental builds"). Every incremental model records, in the state table
    intermediate.microconv_incremental_state (one row per model, written by its post-hook in the same
    transaction as its rows), the largest _load_id it has incorporated: its watermark. A build processes what
    the loads after each model's own watermark change, so a build killed between two models resumes where each
    model stands. Spark has no transactions: its implementations (macros/engine/incremental.sql) make every
    step repeatable instead.

    - Staging and the changed-key models append the rows of the loads after their watermark (strategy append).
    - Visitor-grain and user-grain models recompute every key the new loads may change from its whole history
      and replace its rows (strategy replace_keys: delete the affected keys, insert the new rows). The affected
      keys come from int_visitors__changed (visitor_id) and int_user_keys__changed (user_key), which list per
      load every key it may change, so no lookback window is involved.
-#}

{% macro incremental_state_relation() -%}
    {{ return(api.Relation.create(
        database=target.get('database'), schema=generate_schema_name('intermediate', none) | trim,
        identifier='microconv_incremental_state', type='table'
    )) }}
{%- endmacro %}

{% macro create_incremental_state() -%}
    {#- on-run-start (after creating its schema): the state table, created once (empty) when missing. -#}
    {{ adapter.dispatch('create_incremental_state', 'microconv')() }}
{%- endmacro %}

{% macro default__create_incremental_state() -%}
    create table if not exists {{ incremental_state_relation() }} (
        model_name {{ dbt.type_string() }}, load_id {{ dbt.type_bigint() }}
    )
{%- endmacro %}

{% macro incremental_watermark() -%}
    {#- The largest _load_id this model has incorporated; -1 when it has no state yet (everything is new). -#}
    {{ adapter.dispatch('incremental_watermark', 'microconv')() }}
{%- endmacro %}

{% macro default__incremental_watermark() -%}
    (
        select coalesce(max(load_id), -1) from {{ incremental_state_relation() }}
        where model_name = '{{ this.identifier }}'
    )
{%- endmacro %}

{% macro _incremental_ancestors(node_ids, found, seen) -%}
    {#- The nearest incremental models upstream of node_ids (views and tables in between are walked through). -#}
    {%- for node_id in node_ids if node_id not in seen %}
        {%- do seen.append(node_id) %}
        {%- set node = graph.nodes.get(node_id) %}
        {%- if node is not none and node.resource_type == 'model' %}
            {%- if node.config.materialized == 'incremental' %}
                {%- do found.append(node.alias or node.name) %}
            {%- else %}
                {%- do _incremental_ancestors(node.depends_on.nodes, found, seen) %}
            {%- endif %}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro record_incremental_watermark() -%}
    {#-
        Post-hook of every model (a no-op unless incremental), in the model's transaction (on DuckDB). A model
        whose rows carry _load_id (meta incremental_watermark: own) records the largest one it holds; any other
        records the smallest watermark of its nearest incremental ancestors (what all its inputs have
        incorporated; -1 when one of them has no state).
    -#}
    {%- if execute and model.config.materialized == 'incremental' %}
        {%- set state = incremental_state_relation() %}
        {%- if (model.config.meta or {}).get('incremental_watermark') == 'own' %}
            {%- set watermark_sql = 'select coalesce(max(_load_id), -1) from ' ~ this %}
        {%- else %}
            {%- set ancestors = [] %}
            {%- do _incremental_ancestors(model.depends_on.nodes, ancestors, []) %}
            {%- set watermark_sql -%}
                select case when count(*) = {{ ancestors | length }} then min(load_id) else -1 end
                from {{ state }}
                where model_name in ('{{ ancestors | join("', '") }}')
            {%- endset %}
        {%- endif %}
        {{ write_incremental_watermark(watermark_sql) }}
    {%- endif %}
{%- endmacro %}

{% macro write_incremental_watermark(watermark_sql) -%}
    {{ adapter.dispatch('write_incremental_watermark', 'microconv')(watermark_sql) }}
{%- endmacro %}

{% macro default__write_incremental_watermark(watermark_sql) -%}
    {#- In the model's transaction: its row of the state table replaced by the watermark watermark_sql computes. -#}
    {%- set state = incremental_state_relation() %}
        delete from {{ state }} where model_name = '{{ this.identifier }}';
        insert into {{ state }} (model_name, load_id) select '{{ this.identifier }}', ({{ watermark_sql }})
{%- endmacro %}

{% macro affected_keys(key_column) -%}
    {#- The keys the loads after this model's watermark may change: visitor_id or user_key. -#}
    {%- if key_column == 'visitor_id' %}
        select visitor_id from {{ ref('int_visitors__changed') }} where _load_id > {{ incremental_watermark() }}
    {%- elif key_column == 'user_key' %}
        select user_key from {{ ref('int_user_keys__changed') }} where _load_id > {{ incremental_watermark() }}
    {%- else %}
        {{ exceptions.raise_compiler_error("affected_keys: key_column must be visitor_id or user_key, got " ~ key_column) }}
    {%- endif %}
{%- endmacro %}

{% macro incremental_key_filter(key_column, column_ref=none, keyword='where') -%}
    {#-
        In an incremental run, the condition (after `keyword`: where / and) that keeps only the affected keys'
        rows of a model's input; on a full build nothing (every row). column_ref: the input's column when it is
        qualified or named differently. The ref is taken at parse time, so dbt knows the dependency.
    -#}
    {%- if not execute %}
        {#- At parse time only (a unit test, whose inputs are given, must not ref it). #}
        {%- set _changed = ref('int_visitors__changed' if key_column == 'visitor_id' else 'int_user_keys__changed') %}
    {%- endif %}
    {%- if is_incremental() %}
    {{ keyword }} {{ column_ref or key_column }} in ({{ affected_keys(key_column) }})
    {%- endif %}
{%- endmacro %}

{% macro incremental_load_filter(column_ref='_load_id', keyword='where') -%}
    {#- In an incremental run, the condition that keeps the rows of the loads after this model's watermark. -#}
    {%- if is_incremental() %}
    {{ keyword }} {{ column_ref }} > {{ incremental_watermark() }}
    {%- endif %}
{%- endmacro %}

{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {{ adapter.dispatch('get_incremental_replace_keys_sql', 'microconv')(arg_dict) }}
{%- endmacro %}

{% macro default__get_incremental_replace_keys_sql(arg_dict) -%}
    {#-
        Incremental strategy replace_keys: the model's new rows hold every row of the affected keys (its
        input filtered by incremental_key_filter). Delete the target's rows of those keys, including keys that
        have no row any more (a visitor whose only tracker session moved to another visitor, a user_key a login
        replaced), then insert the new rows. Runs in the model's transaction.
    -#}
    {%- set key_column = arg_dict['unique_key'] %}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ arg_dict['target_relation'] }}
    where {{ key_column }} in ({{ affected_keys(key_column) }});
    insert into {{ arg_dict['target_relation'] }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#- In an incremental run, `and <column> not in (select <this_column> from this ...)`: rows whose key the model
    already holds are left out (stg_events: a later copy of an event_id staged by an earlier load); nothing on a
    full build. <this_column> must not be null in the model. candidates (optional): a subquery of every value
    <column> can have; only this's rows among them are looked up, so the anti join hashes those few rows
    instead of the whole model (a semi join probes it with them). -#}
{% macro incremental_absent_from_this(column, this_column, candidates=none) -%}
    {{- adapter.dispatch('incremental_absent_from_this', 'microconv')(column, this_column, candidates) -}}
{%- endmacro %}

{% macro default__incremental_absent_from_this(column, this_column, candidates=none) -%}
    {%- if is_incremental() -%}
        and {{ column }} not in (
            select {{ this_column }} from {{ this }}
            {%- if candidates %} where {{ this_column }} in ({{ candidates }}){% endif %}
        )
    {%- endif -%}
{%- endmacro %}

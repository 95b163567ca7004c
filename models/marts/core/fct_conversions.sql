-- One row per goal completion (event goals and session-metric goals), with its session, user and goal.
-- Incremental: the completions of the visitors the new loads change replace theirs (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('visitor_id') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat(['conversions.goal_id', "'|'", 'conversions.completing_event_id'])) }} as conversion_id,
        conversions.goal_id,
        goals.goal_name,
        goals.goal_kind,
        goals.micro_type,
        goals.goal_source,
        conversions.session_id,
        conversions.user_key,
        conversions.visitor_id,
        conversions.event_id,
        conversions.completing_event_id,
        conversions.converted_at,
        conversions.event_number,
        conversions.page_path,
        conversions.value
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
)

select * from final

-- Session grain of mart_goal_impact: one row per session x goal completed in it, with the position
-- (event_number, in the session's (event_ts, event_id) order) of the goal's first and last completion and the
-- total value of its completions in the session.
-- Incremental: the rows of the visitors the new loads change replace theirs (README "Incremental builds").
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
        conversions.visitor_id,
        conversions.session_id,
        conversions.goal_id,
        goals.goal_kind,
        min(conversions.event_number) as first_event_number,
        max(conversions.event_number) as last_event_number,
        sum(conversions.value) as value
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    group by conversions.visitor_id, conversions.session_id, conversions.goal_id, goals.goal_kind
)

select * from final

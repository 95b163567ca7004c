-- User grain of mart_goal_impact: one row per user_key x goal completed within var impact_user_window_days
-- days (inclusive) of the user's first session start, across all their sessions, with the seconds from that
-- first start to the goal's first completion and the total value of its completions in the window.
-- Incremental: the user_keys the new loads change, recomputed from all their completions (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
    {{ incremental_key_filter('user_key') }}
),

users as (
    -- A user's first event is the start of their first session.
    select
        user_key,
        min(first_seen_at) as first_seen_at
    from visitors
    group by user_key
),

window_conversions as (
    select
        conversions.user_key,
        conversions.goal_id,
        goals.goal_kind,
        conversions.value,
        {{ seconds_between('users.first_seen_at', 'conversions.converted_at') }} as seconds_from_first_seen
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    inner join users on conversions.user_key = users.user_key
    where
        conversions.converted_at
        <= {{ dbt.dateadd('day', var('impact_user_window_days'), 'users.first_seen_at') }}
),

final as (
    select
        user_key,
        goal_id,
        goal_kind,
        min(seconds_from_first_seen) as first_seconds_from_first_seen,
        sum(value) as value
    from window_conversions
    group by user_key, goal_id, goal_kind
)

select * from final

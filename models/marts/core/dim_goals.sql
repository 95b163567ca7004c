-- One row per goal: the catalog seed, typed, with completions, converting sessions and their share.
-- Converting sessions are the rows of the incremental int_session_goals__first_completed (one per session x goal),
-- so only the converting users need a distinct count over every conversion.
with

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

session_goals as (
    select * from {{ ref('int_session_goals__first_completed') }}
),

sessions as (
    select count(*) as total_sessions from {{ ref('fct_sessions') }}
),

goal_completions as (
    select
        goal_id,
        count(*) as completions,
        count(distinct user_key) as converting_users,
        sum(value) as total_value,
        min(converted_at) as first_converted_at,
        max(converted_at) as last_converted_at
    from conversions
    group by goal_id
),

goal_sessions as (
    select
        goal_id,
        count(*) as converting_sessions
    from session_goals
    group by goal_id
),

final as (
    select
        goals.goal_id,
        goals.goal_name,
        goals.goal_kind,
        goals.micro_type,
        goals.goal_source,
        goals.event_name,
        goals.page_path_like,
        goals.session_metric,
        goals.session_metric_above,
        goals.goal_value,
        coalesce(goal_completions.completions, 0) as completions,
        coalesce(goal_sessions.converting_sessions, 0) as converting_sessions,
        coalesce(goal_completions.converting_users, 0) as converting_users,
        case
            when sessions.total_sessions > 0
                then cast(coalesce(goal_sessions.converting_sessions, 0) as double) / sessions.total_sessions
        end as share_of_sessions,
        coalesce(goal_completions.total_value, 0) as total_value,
        goal_completions.first_converted_at,
        goal_completions.last_converted_at
    from goals
    cross join sessions
    left join goal_completions on goals.goal_id = goal_completions.goal_id
    left join goal_sessions on goals.goal_id = goal_sessions.goal_id
)

select * from final

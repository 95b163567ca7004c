-- Goal completions mapped to the funnel steps they complete, with their position in the session and in the
-- user's timeline. One completion can be a step of several funnels. Goals counted once per session
-- (count_per = session) keep only their first completion in each session.
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

counted as (
    select
        conversions.goal_id,
        conversions.session_id,
        conversions.user_key,
        conversions.completing_event_id,
        conversions.converted_at,
        conversions.event_number,
        -- null only in unit tests that give goals without it: the default.
        coalesce(goals.count_per, 'event') as count_per
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    where conversions.goal_id in (select steps.goal_id from steps)
),

session_counted as (
    -- count_per = session: the first completion of the goal in each session (the window runs on these only).
    select *
    from (
        select
            *,
            row_number() over (
                partition by goal_id, session_id order by converted_at, event_number
            ) as completion_in_session
        from counted
        where count_per = 'session'
    ) as ranked
    where completion_in_session = 1
),

kept as (
    select
        goal_id,
        session_id,
        user_key,
        completing_event_id,
        converted_at,
        event_number
    from counted
    where count_per = 'event'
    union all
    select
        goal_id,
        session_id,
        user_key,
        completing_event_id,
        converted_at,
        event_number
    from session_counted
),

mapped as (
    select
        steps.funnel_id,
        steps.step_number,
        steps.goal_id,
        kept.session_id,
        kept.user_key,
        kept.completing_event_id,
        kept.converted_at,
        -- Position in the session's (event_ts, event_id) order.
        kept.event_number as session_position
    from kept
    inner join steps on kept.goal_id = steps.goal_id
),

final as (
    select
        *,
        -- Position in the user's (event_ts, event_id) order across sessions; one event = one position.
        dense_rank() over (
            partition by funnel_id, user_key order by converted_at, completing_event_id
        ) as user_position
    from mapped
)

select * from final

-- Goal completions mapped to the funnel steps they complete, with their position in the session
-- and in the user's timeline. One completion can be a step of several funnels.
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

mapped as (
    select
        steps.funnel_id,
        steps.step_number,
        steps.goal_id,
        conversions.session_id,
        conversions.user_key,
        conversions.completing_event_id,
        conversions.converted_at,
        -- Position in the session's (event_ts, event_id) order.
        conversions.event_number as session_position
    from conversions
    inner join steps on conversions.goal_id = steps.goal_id
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

-- One row per funnel x user that entered the funnel: the best attempt over every possible start,
-- with step times from the earliest start that reaches that best step.
with

attempts as (
    select * from {{ ref('int_funnel_users__attempts') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

attempt_reach as (
    select
        funnel_id,
        user_key,
        start_position,
        max(step_number) as furthest_step
    from attempts
    group by funnel_id, user_key, start_position
),

best_steps as (
    select
        funnel_id,
        user_key,
        max(furthest_step) as furthest_step,
        count(*) as attempts
    from attempt_reach
    group by funnel_id, user_key
),

best_attempts as (
    select
        best_steps.funnel_id,
        best_steps.user_key,
        best_steps.furthest_step,
        best_steps.attempts,
        min(attempt_reach.start_position) as start_position
    from best_steps
    inner join attempt_reach
        on
            best_steps.funnel_id = attempt_reach.funnel_id
            and best_steps.user_key = attempt_reach.user_key
            and best_steps.furthest_step = attempt_reach.furthest_step
    group by best_steps.funnel_id, best_steps.user_key, best_steps.furthest_step, best_steps.attempts
),

best_attempt_steps as (
    select
        attempts.funnel_id,
        attempts.user_key,
        min(case when attempts.step_number = 1 then attempts.reached_at end) as started_at,
        min(case when attempts.step_number = 1 then attempts.session_id end) as start_session_id,
        max(attempts.reached_at) as furthest_reached_at
    from attempts
    inner join best_attempts
        on
            attempts.funnel_id = best_attempts.funnel_id
            and attempts.user_key = best_attempts.user_key
            and attempts.start_position = best_attempts.start_position
    group by attempts.funnel_id, attempts.user_key
),

final as (
    select
        best_attempts.funnel_id,
        best_attempts.user_key,
        best_attempts.furthest_step,
        funnels.total_steps,
        best_attempts.furthest_step = funnels.total_steps as completed,
        best_attempt_steps.started_at,
        case
            when best_attempts.furthest_step = funnels.total_steps then best_attempt_steps.furthest_reached_at
        end as completed_at,
        case
            when best_attempts.furthest_step = funnels.total_steps
                then {{ seconds_between('best_attempt_steps.started_at', 'best_attempt_steps.furthest_reached_at') }}
        end as seconds_to_complete,
        best_attempts.attempts,
        best_attempt_steps.start_session_id,
        sessions.channel as start_channel,
        sessions.device_category as start_device_category
    from best_attempts
    inner join funnels on best_attempts.funnel_id = funnels.funnel_id
    inner join best_attempt_steps
        on
            best_attempts.funnel_id = best_attempt_steps.funnel_id
            and best_attempts.user_key = best_attempt_steps.user_key
    inner join sessions on best_attempt_steps.start_session_id = sessions.session_id
)

select * from final

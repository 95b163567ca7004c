-- Sessions whose counted attempt (not excluded) stopped before the last step, with what came right after the
-- stopping step's event: the next goal completed in the session (several goals at that event: the first
-- goal_id), else the next event's name, else '(exit)'. One row per funnel x stopped session; read by
-- mart_funnel_next_actions. The event lookup is one equality join on (session, position + 1).
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

attempts as (
    select * from {{ ref('int_funnel_sessions__attempts') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('user_key') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

stopped as (
    select
        attempts.funnel_id,
        attempts.session_id,
        attempts.user_key,
        attempts.step_number,
        attempts.session_position
    from attempts
    inner join funnels on attempts.funnel_id = funnels.funnel_id
    where
        attempts.is_chosen
        and not attempts.is_excluded
        and attempts.step_number = attempts.attempt_furthest_step
        and attempts.attempt_furthest_step < funnels.total_steps
),

next_goals as (
    -- Conversions after the step in the same session: a session has a handful, so this stays small.
    select
        stopped.funnel_id,
        stopped.session_id,
        conversions.goal_id,
        row_number() over (
            partition by stopped.funnel_id, stopped.session_id
            order by conversions.event_number, conversions.goal_id
        ) as goal_rank
    from stopped
    inner join conversions
        on
            stopped.session_id = conversions.session_id
            and stopped.session_position < conversions.event_number
),

final as (
    select
        stopped.funnel_id,
        stopped.session_id,
        stopped.user_key,
        stopped.step_number,
        coalesce(next_goals.goal_id, next_events.event_name, '(exit)') as next_action,
        case
            when next_goals.goal_id is not null then 'goal'
            when next_events.event_name is not null then 'event'
            else 'exit'
        end as next_action_type
    from stopped
    left join next_goals
        on
            stopped.funnel_id = next_goals.funnel_id
            and stopped.session_id = next_goals.session_id
            and next_goals.goal_rank = 1
    left join events as next_events
        on
            stopped.session_id = next_events.session_id
            and stopped.session_position + 1 = next_events.event_number
)

select * from final

-- What sessions did instead of the next step: for every funnel x step (but the last) x next action, the
-- sessions whose counted attempt reached the step and not the next one, by what came right after the step's
-- event: the next goal completed in the session (ties at one event: the first goal_id), else the next
-- event's name, else '(exit)'; share = of those sessions at that step.
with

funnel_sessions as (
    select * from {{ ref('fct_funnel_sessions') }}
),

session_steps as (
    select * from {{ ref('fct_funnel_session_steps') }}
),

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

stopped as (
    select
        funnel_sessions.funnel_id,
        funnel_sessions.session_id,
        funnel_sessions.furthest_step as step_number,
        session_steps.session_position
    from funnel_sessions
    inner join session_steps
        on
            funnel_sessions.funnel_id = session_steps.funnel_id
            and funnel_sessions.session_id = session_steps.session_id
            and funnel_sessions.furthest_step = session_steps.step_number
    where not funnel_sessions.is_excluded and funnel_sessions.furthest_step < funnel_sessions.total_steps
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
            and conversions.event_number > stopped.session_position
),

labelled as (
    select
        stopped.funnel_id,
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
),

counted as (
    select
        funnel_id,
        step_number,
        next_action,
        next_action_type,
        count(*) as sessions
    from labelled
    group by funnel_id, step_number, next_action, next_action_type
),

final as (
    select
        funnel_id,
        step_number,
        next_action,
        next_action_type,
        sessions,
        cast(sessions as double) / sum(sessions) over (partition by funnel_id, step_number) as share
    from counted
)

select * from final

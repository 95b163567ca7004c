-- What sessions did instead of the next step: for every funnel x step (but the last) x next action, the
-- sessions whose counted attempt reached the step and not the next one (int_funnel_sessions__next_actions),
-- and their share of all sessions that stopped at that step.
with

next_actions as (
    select * from {{ ref('int_funnel_sessions__next_actions') }}
),

counted as (
    select
        funnel_id,
        step_number,
        next_action,
        next_action_type,
        count(*) as sessions
    from next_actions
    group by funnel_id, step_number, next_action, next_action_type
),

final as (
    select
        funnel_id,
        step_number,
        next_action,
        next_action_type,
        sessions,
        cast(sessions as double) / sum(sessions) over (partition by funnel_id, step_number) as share  -- noqa: RF04
    from counted
)

select * from final

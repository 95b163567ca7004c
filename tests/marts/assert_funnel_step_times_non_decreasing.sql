-- Step times never go backwards and one event fills at most one step: in every attempt (sessions and users)
-- each reached step is at or after the previous one, and no event (position) serves two steps. Steps at one
-- instant may come in any position order (same instant = step order), so positions are not compared.
-- The end-to-end fixture has events completing two consecutive steps of a funnel, so both checks can fail there.
with

session_steps as (
    select
        funnel_id,
        session_id as unit_id,
        start_position,
        step_number,
        session_position as step_position,
        reached_at,
        lag(reached_at) over (
            partition by funnel_id, session_id, start_position order by step_number
        ) as previous_reached_at
    from {{ ref('int_funnel_sessions__attempts') }}
),

user_steps as (
    select
        funnel_id,
        user_key as unit_id,
        start_position,
        step_number,
        user_position as step_position,
        reached_at,
        lag(reached_at) over (
            partition by funnel_id, user_key, start_position order by step_number
        ) as previous_reached_at
    from {{ ref('int_funnel_users__attempts') }}
),

all_steps as (
    select
        'session' as grain,
        *
    from session_steps
    union all
    select
        'user' as grain,
        *
    from user_steps
),

backwards as (
    select
        grain,
        funnel_id,
        unit_id,
        start_position,
        step_number,
        'step before the previous step' as failure
    from all_steps
    where reached_at < previous_reached_at
),

reused as (
    select
        grain,
        funnel_id,
        unit_id,
        start_position,
        min(step_number) as step_number,
        'one event fills two steps' as failure
    from all_steps
    group by grain, funnel_id, unit_id, start_position, step_position
    having count(*) > 1
),

failures as (
    select * from backwards
    union all
    select * from reused
)

select * from failures

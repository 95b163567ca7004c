-- User funnel attempts: every step-1 completion of a user starts an attempt, matched greedily like the
-- session funnel but over all of the user's sessions, with every step within conversion_window_hours
-- (inclusive) of the attempt's step 1. One row per attempt x reached step. Each recursive iteration is
-- one ASOF join, so a user with thousands of step-1 completions costs thousands of lookups, not a square.
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
),

funnels as (
    select distinct
        funnel_id,
        conversion_window_hours
    from {{ ref('stg_config__funnel_steps') }}
),

starts as (
    select distinct
        completions.funnel_id,
        completions.user_key,
        completions.user_position,
        completions.session_id,
        completions.converted_at,
        {{ dbt.dateadd(
            'second', 'cast(funnels.conversion_window_hours * 3600 as integer)', 'completions.converted_at'
        ) }} as window_ends_at
    from completions
    inner join funnels on completions.funnel_id = funnels.funnel_id
    where completions.step_number = 1
),

attempts as (
    select
        funnel_id,
        user_key,
        user_position as start_position,
        window_ends_at,
        1 as step_number,
        user_position,
        session_id,
        converted_at as reached_at
    from starts
    union all
    select
        attempts.funnel_id,
        attempts.user_key,
        attempts.start_position,
        attempts.window_ends_at,
        next_step.step_number,
        next_step.user_position,
        next_step.session_id,
        next_step.converted_at as reached_at
    from attempts
    asof inner join completions as next_step
        on
            attempts.funnel_id = next_step.funnel_id
            and attempts.user_key = next_step.user_key
            and attempts.step_number + 1 = next_step.step_number
            and attempts.user_position < next_step.user_position
    -- The earliest next completion is outside the window: so is every later one; the attempt ends.
    where next_step.converted_at <= attempts.window_ends_at
)

select
    funnel_id,
    user_key,
    start_position,
    step_number,
    user_position,
    session_id,
    reached_at
from attempts

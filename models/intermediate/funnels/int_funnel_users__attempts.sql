-- User funnel attempts: every step-1 completion of a user starts an attempt, matched greedily like the
-- session funnel but over all of the user's sessions, with every step within conversion_window_hours
-- (inclusive) of the attempt's step 1. One row per attempt x reached step. One window pass gives every
-- completion its successor (the next completion of the next step in the user's timeline); the recursion
-- follows those pointers with equality joins, so thousands of step-1 completions never make a square.
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

successors as (
    -- The next step's earliest completion strictly after each completion (macro funnel_step_successors).
    {{ funnel_step_successors('completions', 'user_key', 'user_position') }}
),

linked as (
    select
        completions.funnel_id,
        completions.user_key,
        completions.step_number,
        completions.user_position,
        completions.session_id,
        completions.converted_at,
        successors.next_step_position
    from completions
    left join successors
        on
            completions.funnel_id = successors.funnel_id
            and completions.user_key = successors.user_key
            and completions.step_number = successors.step_number
            and completions.user_position = successors.user_position
),

starts as (
    select
        linked.*,
        {{ dbt.dateadd(
            'second', 'cast(funnels.conversion_window_hours * 3600 as integer)', 'linked.converted_at'
        ) }} as window_ends_at
    from linked
    inner join funnels on linked.funnel_id = funnels.funnel_id
    where linked.step_number = 1
),

attempts as (
    select
        funnel_id,
        user_key,
        user_position as start_position,
        window_ends_at,
        step_number,
        user_position,
        session_id,
        converted_at as reached_at,
        next_step_position
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
        next_step.converted_at as reached_at,
        next_step.next_step_position
    from attempts
    inner join linked as next_step
        on
            attempts.funnel_id = next_step.funnel_id
            and attempts.user_key = next_step.user_key
            and attempts.step_number + 1 = next_step.step_number
            and attempts.next_step_position = next_step.user_position
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

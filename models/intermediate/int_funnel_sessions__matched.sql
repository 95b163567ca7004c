-- Closed session funnels, matched greedily: step 1 at its earliest completion in the session, then each
-- next step at its earliest completion strictly after the previous step's position. One row per reached step.
-- Linear: each iteration of the recursive CTE is one ASOF join (next completion of the next step).
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
),

first_steps as (
    select
        funnel_id,
        session_id,
        min(session_position) as session_position
    from completions
    where step_number = 1
    group by funnel_id, session_id
),

matched as (
    select
        completions.funnel_id,
        completions.session_id,
        completions.step_number,
        completions.session_position,
        completions.converted_at as reached_at
    from completions
    inner join first_steps
        on
            completions.funnel_id = first_steps.funnel_id
            and completions.session_id = first_steps.session_id
            and completions.session_position = first_steps.session_position
            and completions.step_number = 1
    union all
    select
        next_step.funnel_id,
        next_step.session_id,
        next_step.step_number,
        next_step.session_position,
        next_step.converted_at as reached_at
    from matched
    asof inner join completions as next_step
        on
            matched.funnel_id = next_step.funnel_id
            and matched.session_id = next_step.session_id
            and matched.step_number + 1 = next_step.step_number
            and matched.session_position < next_step.session_position
)

select * from matched

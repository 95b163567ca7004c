-- Closed session funnels, matched greedily: step 1 at its earliest completion in the session, then each
-- next step at its earliest completion strictly after the previous step's position. One row per reached step.
-- Linear: one window pass gives every completion its successor (the next completion of the next step),
-- then a recursive CTE follows those pointers with equality joins.
with recursive

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
),

successors as (
    -- The next step's earliest completion strictly after each completion (macro funnel_step_successors).
    {{ funnel_step_successors('completions', 'session_id', 'session_position') }}
),

linked as (
    select
        completions.funnel_id,
        completions.session_id,
        completions.step_number,
        completions.session_position,
        completions.converted_at,
        successors.next_step_position
    from completions
    left join successors
        on
            completions.funnel_id = successors.funnel_id
            and completions.session_id = successors.session_id
            and completions.step_number = successors.step_number
            and completions.session_position = successors.session_position
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
        linked.funnel_id,
        linked.session_id,
        linked.step_number,
        linked.session_position,
        linked.converted_at as reached_at,
        linked.next_step_position
    from linked
    inner join first_steps
        on
            linked.funnel_id = first_steps.funnel_id
            and linked.session_id = first_steps.session_id
            and linked.session_position = first_steps.session_position
            and linked.step_number = 1
    union all
    select
        next_step.funnel_id,
        next_step.session_id,
        next_step.step_number,
        next_step.session_position,
        next_step.converted_at as reached_at,
        next_step.next_step_position
    from matched
    inner join linked as next_step
        on
            matched.funnel_id = next_step.funnel_id
            and matched.session_id = next_step.session_id
            and matched.step_number + 1 = next_step.step_number
            and matched.next_step_position = next_step.session_position
)

select
    funnel_id,
    session_id,
    step_number,
    session_position,
    reached_at
from matched

{#
    The body of the recursive CTE that walks funnel attempts (ordered and strict funnels), shared by the
    session and the user funnels. `linked` has one row per step completion (macro funnel_linked_completions):
    completion_id, <position>, converted_at, next_step_id / next_same_step_id (macro funnel_step_successors),
    is_start (the completion starts an attempt: step 1, or any step of an open funnel, unless an earlier start
    makes it unnecessary: macro funnel_start_cutoffs), window_ends_at (its time + the funnel window) and
    next_deadline_at (the latest time the next step may have: max_hours_from_previous of the next step, and for
    strict funnels the next instant of the unit; null = no limit).

    Rules (the contract's "Funnel semantics" and "Funnel options"): each next step is the earliest completion
    of it at or after the previous step's time (same instant = step order), by an event not already used for
    an earlier step of the attempt, within the attempt's window and the previous step's deadline. Events used
    earlier in the attempt can only collide at the current instant (later candidates are later), so the state
    keeps the positions used at the current instant ('|p|q|' text, reset when time moves on). A candidate
    already used gives a "skip" row (is_reached false) pointing at the next completion of the same step.
    Every row is one hash lookup on the unit and a bigint completion id: linear in completions x steps. The rows
    carry ids only; join `linked` on the unit and completion_id (the step reached) or start_id (the attempt's
    start) for funnel, step and position. `linked` is a table (int_funnel_session_completions__linked,
    int_funnel_user_completions__linked): every recursion level reads it, and a CTE would be recomputed per
    level on Spark.

    Columns: <unit_key>, start_id, window_ends_at, completion_id (the last step reached), reached_at, used_positions,
    candidate_id (the next step's candidate), next_deadline_at, is_reached (false on skip rows, which repeat
    the last reached step).
#}
{% macro funnel_attempt_steps(linked, unit_key, position) %}
    {#- One expression, used five times below: the candidate's event already filled a step at this instant.
        Written inline (not in a subquery over `attempts`) because Spark's recursive CTEs allow the recursive
        reference only directly in the FROM clause of the recursive step. -#}
    {%- set is_used -%}
        (
            candidate.converted_at = attempts.reached_at
            and {{ dbt.position(
                dbt.concat(["'|'", "cast(candidate." ~ position ~ " as " ~ dbt.type_string() ~ ")", "'|'"]),
                'attempts.used_positions'
            ) }} > 0
        )
    {%- endset %}
    select
        {{ unit_key }},
        completion_id as start_id,
        window_ends_at,
        completion_id,
        converted_at as reached_at,
        {{ dbt.concat(["'|'", "cast(" ~ position ~ " as " ~ dbt.type_string() ~ ")", "'|'"]) }} as used_positions,
        next_step_id as candidate_id,
        next_deadline_at,
        true as is_reached
    from {{ linked }}
    where is_start
    union all
    select
        attempts.{{ unit_key }},
        attempts.start_id,
        attempts.window_ends_at,
        case when {{ is_used }} then attempts.completion_id else attempts.candidate_id end as completion_id,
        case when {{ is_used }} then attempts.reached_at else candidate.converted_at end as reached_at,
        case
            when {{ is_used }} then attempts.used_positions
            when attempts.reached_at = candidate.converted_at
                then {{ dbt.concat([
                    "attempts.used_positions",
                    "cast(candidate." ~ position ~ " as " ~ dbt.type_string() ~ ")",
                    "'|'",
                ]) }}
            else {{ dbt.concat(["'|'", "cast(candidate." ~ position ~ " as " ~ dbt.type_string() ~ ")", "'|'"]) }}
        end as used_positions,
        case when {{ is_used }} then candidate.next_same_step_id else candidate.next_step_id end as candidate_id,
        case when {{ is_used }} then attempts.next_deadline_at else candidate.next_deadline_at end as next_deadline_at,
        not {{ is_used }} as is_reached
    from attempts
    inner join {{ linked }} as candidate
        on
            attempts.{{ unit_key }} = candidate.{{ unit_key }}
            and attempts.candidate_id = candidate.completion_id
    -- The earliest candidate is past the window or the deadline: so is every later one; the attempt ends.
    where
        candidate.converted_at <= attempts.window_ends_at
        and (attempts.next_deadline_at is null or candidate.converted_at <= attempts.next_deadline_at)
{% endmacro %}

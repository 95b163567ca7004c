{#
    The body of the recursive CTE that walks funnel attempts (ordered and strict funnels), shared by the
    session and the user funnels. `linked` has one row per step completion: funnel_id, <unit_key>,
    step_number, <position>, session_id, converted_at, next_step_position / next_same_step_position (macro
    funnel_step_successors), is_start (the completion starts an attempt: step 1, or any step of an open
    funnel), window_ends_at (its time + the funnel window) and next_deadline_at (the latest time the next step
    may have: max_hours_from_previous of the next step, and for strict funnels the next instant of the unit;
    null = no limit).

    Rules (the contract's "Funnel semantics" and "Funnel options"): each next step is the earliest completion
    of it at or after the previous step's time (same instant = step order), by an event not already used for
    an earlier step of the attempt, within the attempt's window and the previous step's deadline. Events used
    earlier in the attempt can only collide at the current instant (later candidates are later), so the state
    keeps the positions used at the current instant ('|p|q|' text, reset when time moves on). A candidate
    already used gives a "skip" row (is_reached false) pointing at the next completion of the same step.
    Every row is one hash lookup on (funnel, unit, step, position): linear in completions x steps.

    Columns: funnel_id, <unit_key>, start_position, start_step, window_ends_at, step_number (the last step
    reached), <position>, session_id (user funnels), reached_at, used_positions, candidate_position (the next step's candidate),
    next_deadline_at, is_reached (false on skip rows, which repeat the last reached step).
#}
{% macro funnel_attempt_steps(linked, unit_key, position) %}
    select
        funnel_id,
        {{ unit_key }},
        {{ position }} as start_position,
        step_number as start_step,
        window_ends_at,
        step_number,
        {{ position }},
        {% if unit_key != 'session_id' -%} session_id, {%- endif %}
        converted_at as reached_at,
        {{ dbt.concat(["'|'", "cast(" ~ position ~ " as varchar)", "'|'"]) }} as used_positions,
        next_step_position as candidate_position,
        next_deadline_at,
        true as is_reached
    from {{ linked }}
    where is_start
    union all
    select
        funnel_id,
        {{ unit_key }},
        start_position,
        start_step,
        window_ends_at,
        case when is_used then step_number else candidate_step end as step_number,
        case when is_used then {{ position }} else candidate_position end as {{ position }},
        {% if unit_key != 'session_id' -%}
            case when is_used then session_id else candidate_session_id end as session_id,
        {%- endif %}
        case when is_used then reached_at else candidate_at end as reached_at,
        case
            when is_used then used_positions
            when candidate_at = reached_at
                then {{ dbt.concat(["used_positions", "cast(candidate_position as varchar)", "'|'"]) }}
            else {{ dbt.concat(["'|'", "cast(candidate_position as varchar)", "'|'"]) }}
        end as used_positions,
        case when is_used then candidate_next_same else candidate_next_step end as candidate_position,
        case when is_used then next_deadline_at else candidate_deadline_at end as next_deadline_at,
        not is_used as is_reached
    from (
        select
            attempts.funnel_id,
            attempts.{{ unit_key }},
            attempts.start_position,
            attempts.start_step,
            attempts.window_ends_at,
            attempts.step_number,
            attempts.{{ position }},
            {% if unit_key != 'session_id' -%} attempts.session_id, {%- endif %}
            attempts.reached_at,
            attempts.used_positions,
            attempts.next_deadline_at,
            candidate.step_number as candidate_step,
            candidate.{{ position }} as candidate_position,
            {% if unit_key != 'session_id' -%} candidate.session_id as candidate_session_id, {%- endif %}
            candidate.converted_at as candidate_at,
            candidate.next_step_position as candidate_next_step,
            candidate.next_same_step_position as candidate_next_same,
            candidate.next_deadline_at as candidate_deadline_at,
            (
                candidate.converted_at = attempts.reached_at
                and {{ dbt.position(
                    dbt.concat(["'|'", "cast(candidate." ~ position ~ " as varchar)", "'|'"]),
                    'attempts.used_positions'
                ) }} > 0
            ) as is_used
        from attempts
        inner join {{ linked }} as candidate
            on
                attempts.funnel_id = candidate.funnel_id
                and attempts.{{ unit_key }} = candidate.{{ unit_key }}
                and attempts.step_number + 1 = candidate.step_number
                and attempts.candidate_position = candidate.{{ position }}
        -- The earliest candidate is past the window or the deadline: so is every later one; the attempt ends.
        where
            candidate.converted_at <= attempts.window_ends_at
            and (attempts.next_deadline_at is null or candidate.converted_at <= attempts.next_deadline_at)
    ) as stepped
{% endmacro %}

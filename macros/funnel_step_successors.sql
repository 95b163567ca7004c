{#
    For every funnel step completion, a numeric id and two pointers to other completions' ids, in one window
    pass with no self-join:
    - completion_id: unique, and increasing with the position within one funnel x unit x step (ids are numbered
      in (funnel, unit, step, position) order), so the smallest id of a set of completions of one step is the
      earliest of them, and the next completion of the same step has the next id.
    - next_step_id: the earliest completion of the NEXT step at or after its time (the same instant counts,
      whatever the positions: completions at one instant are taken in step order). It may be the completion's
      own event; the attempt recursion (macro funnel_attempt_steps) skips events it already used.
    - next_same_step_id: the next completion of the SAME step in the timeline (where the recursion goes when it
      must skip an event already used at that instant).
    Each completion is a "source" looking for the next step and a "target" of its own step; in a partition of
    one target step ordered by (time, sources first, position), the minimum target id over the following rows
    is the earliest target at or after the row's time (for a source) or the next target (for a target).
    Returns: funnel_id, <unit_key>, step_number, <position>, completion_id, next_step_id, next_same_step_id.
    The recursion joins on one bigint id (not on funnel, unit, step and position), which keeps it fast.
    Used by int_funnel_sessions__attempts (unit session_id) and int_funnel_users__attempts (unit user_key).
#}
{% macro funnel_step_successors(completions, unit_key, position) %}
    with

    numbered as (
        select
            funnel_id,
            {{ unit_key }},
            step_number,
            converted_at,
            {{ position }},
            row_number() over (order by funnel_id, {{ unit_key }}, step_number, {{ position }}) as completion_id
        from {{ completions }}
    ),

    candidates as (
        select
            funnel_id,
            {{ unit_key }},
            step_number as target_step,
            converted_at,
            {{ position }},
            completion_id,
            0 as is_source
        from numbered
        union all
        select
            funnel_id,
            {{ unit_key }},
            step_number + 1 as target_step,
            converted_at,
            {{ position }},
            completion_id,
            1 as is_source
        from numbered
    ),

    looked_ahead as (
        select
            *,
            min(case when is_source = 0 then completion_id end) over (
                partition by funnel_id, {{ unit_key }}, target_step
                order by converted_at, is_source desc, {{ position }}
                rows between 1 following and unbounded following
            ) as following_target_id
        from candidates
    )

    select
        funnel_id,
        {{ unit_key }},
        target_step - is_source as step_number,
        {{ position }},
        completion_id,
        max(case when is_source = 1 then following_target_id end) as next_step_id,
        max(case when is_source = 0 then following_target_id end) as next_same_step_id
    from looked_ahead
    group by funnel_id, {{ unit_key }}, target_step - is_source, {{ position }}, completion_id
{% endmacro %}

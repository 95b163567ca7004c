{#
    For every funnel step completion, two pointers (positions in the unit's timeline), in one window pass with
    no self-join:
    - next_step_position: the earliest completion of the NEXT step at or after its time (the same instant
      counts, whatever the positions: completions at one instant are taken in step order). It may be the
      completion's own event; the attempt recursion (macro funnel_attempt_steps) skips events it already used.
    - next_same_step_position: the next completion of the SAME step in the timeline (where the recursion goes
      when it must skip an event already used at that instant).
    Each completion is a "source" looking for the next step and a "target" of its own step; in a partition of
    one target step ordered by (time, sources first, position), the minimum target position over the
    following rows is the earliest target at or after the row's time (for a source) or the next target (for
    a target). Positions follow (time, event) order, so the minimum position is the earliest completion.
    Returns: funnel_id, <unit_key>, step_number, <position>, next_step_position, next_same_step_position.
    Used by int_funnel_sessions__attempts (unit session_id) and int_funnel_users__attempts (unit user_key).
#}
{% macro funnel_step_successors(completions, unit_key, position) %}
    with

    candidates as (
        select
            funnel_id,
            {{ unit_key }},
            step_number as target_step,
            converted_at,
            {{ position }},
            0 as is_source
        from {{ completions }}
        union all
        select
            funnel_id,
            {{ unit_key }},
            step_number + 1 as target_step,
            converted_at,
            {{ position }},
            1 as is_source
        from {{ completions }}
    ),

    looked_ahead as (
        select
            *,
            min(case when is_source = 0 then {{ position }} end) over (
                partition by funnel_id, {{ unit_key }}, target_step
                order by converted_at, is_source desc, {{ position }}
                rows between 1 following and unbounded following
            ) as following_target_position
        from candidates
    )

    select
        funnel_id,
        {{ unit_key }},
        target_step - is_source as step_number,
        {{ position }},
        max(case when is_source = 1 then following_target_position end) as next_step_position,
        max(case when is_source = 0 then following_target_position end) as next_same_step_position
    from looked_ahead
    group by funnel_id, {{ unit_key }}, target_step - is_source, {{ position }}
{% endmacro %}

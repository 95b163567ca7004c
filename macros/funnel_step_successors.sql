{#
    For every funnel step completion, the position of the earliest completion of the NEXT step strictly
    after it, within the same funnel and unit (a session or a user): one window pass, no self-join.
    Each completion is a "target" of its own step and a "source" looking for the next step; in a
    partition of one target step, targets sort before sources at equal positions, so the minimum target
    position over the following rows is strictly after the source.
    Returns: funnel_id, <unit_key>, step_number, <position>, next_step_position (null = none).
    Used by int_funnel_sessions__matched (unit session_id) and int_funnel_users__attempts (unit user_key).
#}
{% macro funnel_step_successors(completions, unit_key, position) %}
    with

    candidates as (
        select
            funnel_id,
            {{ unit_key }},
            step_number as target_step,
            {{ position }},
            0 as is_source
        from {{ completions }}
        union all
        select
            funnel_id,
            {{ unit_key }},
            step_number + 1 as target_step,
            {{ position }},
            1 as is_source
        from {{ completions }}
    ),

    looked_ahead as (
        select
            *,
            min(case when is_source = 0 then {{ position }} end) over (
                partition by funnel_id, {{ unit_key }}, target_step
                order by {{ position }}, is_source
                rows between 1 following and unbounded following
            ) as next_step_position
        from candidates
    )

    select
        funnel_id,
        {{ unit_key }},
        target_step - 1 as step_number,
        {{ position }},
        next_step_position
    from looked_ahead
    where is_source = 1
{% endmacro %}

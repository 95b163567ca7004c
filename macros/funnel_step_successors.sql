{#
    For every funnel step completion (its funnel_id, session_id, user_key, step_number, converted_at and
    <position>), a numeric id and two pointers to other completions' ids, in two window passes with no join:
    - completion_id: unique within the unit, and increasing with the position within one funnel x step (ids are
      numbered in (funnel, step, position) order within the unit), so the smallest id of a set of completions of
      one step is the earliest of them. (unit, completion_id) is the key: ids depend only on the unit's own
      completions, so an incremental run that rebuilds some units gives them the ids a full build gives.
    - next_step_id: the earliest completion of the NEXT step at or after its time (the same instant counts,
      whatever the positions: completions at one instant are taken in step order). It may be the completion's
      own event; the attempt recursion (macro funnel_attempt_steps) skips events it already used.
    - next_same_step_id: the next completion of the SAME step in the timeline (where the recursion goes when it
      must skip an event already used at that instant): the next id, numbered in the same pass.
    Each completion is a "source" looking for the next step and a "target" of its own step; in a partition of
    one target step ordered by (time, sources first, position), the minimum target id over the rows after a
    source is the earliest target at or after its time. Only the source rows are kept (one per completion).
    Returns the completion's columns with completion_id, next_step_id, next_same_step_id.
    The recursion joins on the unit and one bigint id (not on funnel, unit, step and position).
    Used by int_funnel_session_completions__linked (unit session_id) and int_funnel_user_completions__linked
    (unit user_key).
#}
{% macro funnel_step_successors(completions, unit_key, position) %}
    with

    numbered as (
        select
            funnel_id,
            session_id,
            user_key,
            step_number,
            converted_at,
            {{ position }},
            row_number() over (
                partition by {{ unit_key }} order by funnel_id, step_number, {{ position }}
            ) as completion_id,
            case
                when
                    lead(funnel_id) over (
                        partition by {{ unit_key }} order by funnel_id, step_number, {{ position }}
                    ) = funnel_id
                    and lead(step_number) over (
                        partition by {{ unit_key }} order by funnel_id, step_number, {{ position }}
                    ) = step_number
                    then row_number() over (
                        partition by {{ unit_key }} order by funnel_id, step_number, {{ position }}
                    ) + 1
            end as next_same_step_id
        from {{ completions }}
    ),

    candidates as (
        select
            *,
            step_number as target_step,
            0 as is_source
        from numbered
        union all
        select
            *,
            step_number + 1 as target_step,
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
        session_id,
        user_key,
        step_number,
        converted_at,
        {{ position }},
        completion_id,
        following_target_id as next_step_id,
        next_same_step_id
    from looked_ahead
    where is_source = 1
{% endmacro %}

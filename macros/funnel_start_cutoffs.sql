{#
    Which step-1 completions need an attempt of their own (ordered and strict funnels, shared by the session and
    user funnels): one row per funnel x unit whose later starts cannot change anything, with
    last_needed_start_at. Starts after it are left out of the attempt recursion (macro funnel_linked_completions).

    A start is needed unless an earlier start dominates it. In an ordered, closed funnel without per-step limits
    and without an exclusion completion in the unit, the attempt from a start whose window reaches the unit's
    last completion of the funnel is never cut by its window, so its steps come no later than those of any later
    start (each next step is the earliest completion at or after the previous one): later starts reach no
    further, and the reported attempt is the earliest one that gets furthest. Units where one event completes
    two steps of the funnel keep every start (the "one event, one step" rule can break the argument).
    Units without a row here (other modes, open funnels, exclusions, per-step limits, no covering start) keep
    every start. The count of possible starts is unchanged (fct_funnel_users.attempts).
#}
{% macro funnel_start_cutoffs(completions, funnels, steps, exclusions, unit_key, position) %}
    select
        completions.funnel_id,
        completions.{{ unit_key }},
        min(completions.converted_at) as last_needed_start_at
    from {{ completions }} as completions
    inner join {{ funnels }} as funnels on completions.funnel_id = funnels.funnel_id
    inner join (
        select
            funnel_id,
            {{ unit_key }},
            max(converted_at) as last_completion_at
        from {{ completions }}
        group by funnel_id, {{ unit_key }}
        having count(*) = count(distinct {{ position }})
    ) as spans
        on
            completions.funnel_id = spans.funnel_id
            and completions.{{ unit_key }} = spans.{{ unit_key }}
    where
        completions.step_number = 1
        and funnels.funnel_mode = 'ordered'
        and funnels.funnel_type = 'closed'
        and funnels.funnel_id not in (
            select steps.funnel_id from {{ steps }} as steps where steps.max_hours_from_previous is not null
        )
        and not exists (
            select 1
            from {{ exclusions }} as exclusions
            where
                exclusions.funnel_id = completions.funnel_id
                and exclusions.{{ unit_key }} = completions.{{ unit_key }}
        )
        and {{ add_microseconds(
            'completions.converted_at',
            'cast(round(funnels.conversion_window_hours * 3600000000) as bigint)'
        ) }} >= spans.last_completion_at
    group by completions.funnel_id, completions.{{ unit_key }}
{% endmacro %}

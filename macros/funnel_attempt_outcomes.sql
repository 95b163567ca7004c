{#
    Exclusions and the counted attempt of every unit (session_id or user_key), shared by the session and user
    funnels. `reached` has one row per attempt x reached step (funnel_id, <unit_key>, start_position,
    window_ends_at, step_number, reached_at, ...); `exclusions` is int_funnel_exclusions__mapped; `start_counts`
    has possible_starts per funnel x unit (ordered and strict funnels).
    - An attempt is excluded when an exclusion goal of the funnel is completed strictly after the attempt
      reached from_step and strictly before it reached to_step (to_step not reached: up to the end of the
      attempt's window). At the same instant as either step it is ignored. One window pass per rule finds
      the first exclusion after each from-step time (exclusions sort before steps at one instant).
    - Reach of an attempt: its furthest step; an excluded attempt stops at the first step it reaches after
      the exclusion (as PostHog: the excluded attempt reaches that step, marked excluded, and no further).
    - The counted attempt (is_chosen): the largest reach; at equal reach a clean attempt wins over an
      excluded one (the unit counts at no step only when its furthest attempt is excluded), then the earliest
      start.
    Returns every row of `reached` plus attempt_furthest_step, excluded_at, is_excluded, attempt_reach,
    attempts (per unit) and is_chosen.
#}
{% macro funnel_attempt_outcomes(reached, exclusions, start_counts, unit_key) %}
    with

    rules as (
        select distinct
            funnel_id,
            goal_id,
            from_step,
            to_step
        from {{ exclusions }}
    ),

    from_times as (
        select
            {{ reached }}.funnel_id,
            {{ reached }}.{{ unit_key }},
            {{ reached }}.start_position,
            rules.goal_id,
            rules.from_step,
            rules.to_step,
            {{ reached }}.reached_at as at_time,
            1 as is_source
        from {{ reached }}
        inner join rules
            on
                {{ reached }}.funnel_id = rules.funnel_id
                and {{ reached }}.step_number = rules.from_step
    ),

    exclusion_times as (
        select
            funnel_id,
            {{ unit_key }},
            cast(null as bigint) as start_position,
            goal_id,
            from_step,
            to_step,
            converted_at as at_time,
            0 as is_source
        from {{ exclusions }}
    ),

    next_exclusions as (
        select
            *,
            min(case when is_source = 0 then at_time end) over (
                partition by funnel_id, {{ unit_key }}, goal_id, from_step, to_step
                order by at_time, is_source
                rows between 1 following and unbounded following
            ) as next_exclusion_at
        from (
            select * from from_times
            union all
            select * from exclusion_times
        ) as timeline
    ),

    attempt_ends as (
        select
            funnel_id,
            {{ unit_key }},
            start_position,
            max(step_number) as attempt_furthest_step,
            min(window_ends_at) as window_ends_at
        from {{ reached }}
        group by funnel_id, {{ unit_key }}, start_position
    ),

    exclusion_hits as (
        select
            next_exclusions.funnel_id,
            next_exclusions.{{ unit_key }},
            next_exclusions.start_position,
            min(next_exclusions.next_exclusion_at) as excluded_at
        from next_exclusions
        inner join attempt_ends
            on
                next_exclusions.funnel_id = attempt_ends.funnel_id
                and next_exclusions.{{ unit_key }} = attempt_ends.{{ unit_key }}
                and next_exclusions.start_position = attempt_ends.start_position
        left join {{ reached }} as to_steps
            on
                next_exclusions.funnel_id = to_steps.funnel_id
                and next_exclusions.{{ unit_key }} = to_steps.{{ unit_key }}
                and next_exclusions.start_position = to_steps.start_position
                and next_exclusions.to_step = to_steps.step_number
        where
            next_exclusions.is_source = 1
            and (
                next_exclusions.next_exclusion_at < to_steps.reached_at
                or (to_steps.reached_at is null and next_exclusions.next_exclusion_at <= attempt_ends.window_ends_at)
            )
        group by next_exclusions.funnel_id, next_exclusions.{{ unit_key }}, next_exclusions.start_position
    ),

    scored as (
        select
            {{ reached }}.funnel_id,
            {{ reached }}.{{ unit_key }},
            {{ reached }}.start_position,
            max({{ reached }}.step_number) as attempt_furthest_step,
            min(exclusion_hits.excluded_at) as excluded_at,
            -- Excluded: the steps reached before the exclusion, and the first one after it.
            case
                when min(exclusion_hits.excluded_at) is null then max({{ reached }}.step_number)
                else least(
                    max({{ reached }}.step_number),
                    count(case when {{ reached }}.reached_at < exclusion_hits.excluded_at then 1 end) + 1
                )
            end as attempt_reach
        from {{ reached }}
        left join exclusion_hits
            on
                {{ reached }}.funnel_id = exclusion_hits.funnel_id
                and {{ reached }}.{{ unit_key }} = exclusion_hits.{{ unit_key }}
                and {{ reached }}.start_position = exclusion_hits.start_position
        group by {{ reached }}.funnel_id, {{ reached }}.{{ unit_key }}, {{ reached }}.start_position
    ),

    keyed as (
        -- The counted attempt is the one with the smallest choice_key: the largest reach first, then a clean
        -- attempt before an excluded one, then the earliest start. One sortable bigint (reach < 1000 steps,
        -- positions < 2^40) lets a hash aggregate pick it, instead of a window sort per unit.
        select
            *,
            excluded_at is not null as is_excluded,
            cast(1000 - attempt_reach as bigint) * 2199023255552
            + case when excluded_at is null then 0 else 1099511627776 end
            + start_position as choice_key
        from scored
    ),

    chosen as (
        select
            funnel_id,
            {{ unit_key }},
            min(choice_key) as chosen_key,
            count(*) as attempts_walked
        from keyed
        group by funnel_id, {{ unit_key }}
    ),

    ranked as (
        select
            keyed.*,
            chosen.attempts_walked,
            keyed.choice_key = chosen.chosen_key as is_chosen
        from keyed
        inner join chosen
            on
                keyed.funnel_id = chosen.funnel_id
                and keyed.{{ unit_key }} = chosen.{{ unit_key }}
    )

    select
        {{ reached }}.*,
        ranked.attempt_furthest_step,
        ranked.excluded_at,
        ranked.is_excluded,
        ranked.attempt_reach,
        -- Possible starts (ordered and strict funnels: before the cutoff of macro funnel_start_cutoffs), else
        -- the attempts walked (unordered funnels).
        coalesce({{ start_counts }}.possible_starts, ranked.attempts_walked) as attempts,
        ranked.is_chosen
    from {{ reached }}
    inner join ranked
        on
            {{ reached }}.funnel_id = ranked.funnel_id
            and {{ reached }}.{{ unit_key }} = ranked.{{ unit_key }}
            and {{ reached }}.start_position = ranked.start_position
    left join {{ start_counts }}
        on
            {{ reached }}.funnel_id = {{ start_counts }}.funnel_id
            and {{ reached }}.{{ unit_key }} = {{ start_counts }}.{{ unit_key }}
{% endmacro %}

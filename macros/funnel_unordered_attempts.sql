{#
    Unordered funnels ("completed k steps", as PostHog's unordered funnels), for one unit (session_id or
    user_key). Every step completion anchors an attempt at its time t0; the attempt has done the steps with a
    completion in [t0, t0 + window] (inclusive), the anchor's own step first; "step k" is reached at the time
    the k-th different step is first completed. The best anchor is chosen later (macro funnel_attempt_outcomes).
    Linear: anchors are crossed with the funnel's other steps (completions x steps), and one window pass per
    target step finds the earliest completion of it at or after t0, skipping the anchor's own event (one event
    fills at most one step with the anchor). Known limit: two other steps first completed by one and the same
    event count as two steps (rare: it needs one event completing two goals of the same unordered funnel).
    Returns rows shaped like the ordered attempts: funnel_id, <unit_key>, start_position, start_step,
    window_ends_at, step_number (= steps done), <position>, [session_id,] reached_at.
#}
{% macro funnel_unordered_attempts(completions, funnels, steps, unit_key, position) %}
    with

    unordered_completions as (
        -- Not named `unordered`: the models call this macro in a CTE of that name, and Spark reads an inner CTE
        -- of the same name in a WITH RECURSIVE as a self-reference (INVALID_RECURSIVE_CTE).
        select
            completions.*,
            {{ add_microseconds(
                'completions.converted_at',
                'cast(round(' ~ funnels ~ '.conversion_window_hours * 3600000000) as bigint)'
            ) }} as window_ends_at
        from {{ completions }} as completions
        inner join {{ funnels }} on completions.funnel_id = {{ funnels }}.funnel_id
        where {{ funnels }}.funnel_mode = 'unordered'
    ),

    anchors as (
        -- One attempt per event: an event completing several steps anchors with the lowest of them.
        select *
        from (
            select
                *,
                row_number() over (
                    partition by funnel_id, {{ unit_key }}, {{ position }} order by step_number
                ) as step_rank_at_event
            from unordered_completions
        ) as ranked
        where step_rank_at_event = 1
    ),

    targets as (
        select
            funnel_id,
            {{ unit_key }},
            step_number as target_step,
            converted_at,
            {{ position }},
            lead(converted_at) over same_step as next_converted_at,
            lead({{ position }}) over same_step as next_position,
            0 as is_source,
            cast(null as bigint) as anchor_position,
            cast(null as integer) as anchor_step,
            cast(null as timestamp) as window_ends_at
        from unordered_completions
        window same_step as (partition by funnel_id, {{ unit_key }}, step_number order by {{ position }})
    ),

    sources as (
        select
            anchor.funnel_id,
            anchor.{{ unit_key }},
            other_steps.step_number as target_step,
            anchor.converted_at,
            anchor.{{ position }},
            cast(null as timestamp) as next_converted_at,
            cast(null as bigint) as next_position,
            1 as is_source,
            anchor.{{ position }} as anchor_position,
            anchor.step_number as anchor_step,
            anchor.window_ends_at
        from anchors as anchor
        inner join {{ steps }} as other_steps
            on
                anchor.funnel_id = other_steps.funnel_id
                and anchor.step_number <> other_steps.step_number
    ),

    looked_ahead as (
        select
            *,
            min(case when is_source = 0 then {{ position }} end) over following_targets as first_position,
            min(case when is_source = 0 then converted_at end) over following_targets as first_at,
            min(case when is_source = 0 then next_position end) over following_targets as second_position,
            min(case when is_source = 0 then next_converted_at end) over following_targets as second_at
        from (
            select * from targets
            union all
            select * from sources
        ) as timeline
        window following_targets as (
            partition by funnel_id, {{ unit_key }}, target_step
            order by converted_at, is_source desc, {{ position }}
            rows between 1 following and unbounded following
        )
    ),

    step_firsts as (
        -- The anchor's own step at t0, and each other step's earliest completion in the window.
        select
            funnel_id,
            {{ unit_key }},
            {{ position }} as start_position,
            step_number as start_step,
            window_ends_at,
            step_number as done_step,
            converted_at as done_at,
            {{ position }} as done_position
        from anchors
        union all
        select
            funnel_id,
            {{ unit_key }},
            anchor_position as start_position,
            anchor_step as start_step,
            window_ends_at,
            target_step as done_step,
            case when first_position = anchor_position then second_at else first_at end as done_at,
            case when first_position = anchor_position then second_position else first_position end as done_position
        from looked_ahead
        where is_source = 1
    ),

    counted as (
        select
            *,
            row_number() over (
                partition by funnel_id, {{ unit_key }}, start_position
                order by done_at, case when done_step = start_step then 0 else 1 end, done_step
            ) as steps_done
        from step_firsts
        where done_at is not null and done_at <= window_ends_at
    )

    select
        counted.funnel_id,
        counted.{{ unit_key }},
        counted.start_position,
        -- "1 step done" is where every unordered attempt starts.
        1 as start_step,
        counted.window_ends_at,
        counted.steps_done as step_number,
        counted.done_position as {{ position }},
        {% if unit_key != 'session_id' -%} done_completions.session_id, {%- endif %}
        counted.done_at as reached_at
    from counted
    {% if unit_key != 'session_id' -%}
        inner join unordered_completions as done_completions
            on
                counted.funnel_id = done_completions.funnel_id
                and counted.{{ unit_key }} = done_completions.{{ unit_key }}
                and counted.done_step = done_completions.step_number
                and counted.done_position = done_completions.{{ position }}
    {%- endif %}
{% endmacro %}

{#
    Step completions with everything the attempt recursion (macro funnel_attempt_steps) needs, for one unit
    (session_id or user_key): the completions with their ids and successor pointers (macro
    funnel_step_successors, relation `successors`, aliased `completions` below), the attempt window, and the
    deadline of the next step. `funnels`, `steps` and `next_instants` are the stg_config__funnels,
    stg_config__funnel_steps and int_funnel_completions__next_instants relations; `cutoffs` is macro
    funnel_start_cutoffs (starts after last_needed_start_at get no attempt of their own); the rows carry both
    session_id and user_key (the key incremental runs replace);
    `next_instant_column` is next_session_instant_at or next_user_instant_at.
    is_possible_start: step 1 can start an attempt; in an open funnel every step can (an attempt may start at any
    step). is_start: a possible start that needs its own attempt (not after the unit's cutoff).
    next_deadline_at: the earliest of (its time + the next step's max_hours_from_previous) and, in strict
    funnels, the unit's next instant (no next instant: only the same instant is left); null = no limit.
#}
{% macro funnel_linked_completions(successors, funnels, steps, next_instants, cutoffs, unit_key, position, next_instant_column) %}
    select
        completions.funnel_id,
        completions.{{ unit_key }},
        completions.step_number,
        completions.{{ position }},
        {% if unit_key == 'session_id' -%} completions.user_key, {%- else -%} completions.session_id, {%- endif %}
        completions.converted_at,
        completions.completion_id,
        completions.next_step_id,
        completions.next_same_step_id,
        completions.step_number = 1 or {{ funnels }}.funnel_type = 'open' as is_possible_start,
        (completions.step_number = 1 or {{ funnels }}.funnel_type = 'open')
        and (
            {{ cutoffs }}.last_needed_start_at is null
            or completions.converted_at <= {{ cutoffs }}.last_needed_start_at
        ) as is_start,
        {{ add_microseconds('completions.converted_at', 'cast(round(' ~ funnels ~ '.conversion_window_hours * 3600000000) as bigint)') }}
            as window_ends_at,
        case
            when coalesce({{ funnels }}.funnel_mode, 'ordered') = 'strict' and next_step.max_hours_from_previous is not null
                then case
                    when coalesce({{ next_instants }}.{{ next_instant_column }}, completions.converted_at)
                        < {{ add_microseconds('completions.converted_at', 'cast(round(next_step.max_hours_from_previous * 3600000000) as bigint)') }}
                        then coalesce({{ next_instants }}.{{ next_instant_column }}, completions.converted_at)
                    else {{ add_microseconds('completions.converted_at', 'cast(round(next_step.max_hours_from_previous * 3600000000) as bigint)') }}
                end
            when coalesce({{ funnels }}.funnel_mode, 'ordered') = 'strict'
                then coalesce({{ next_instants }}.{{ next_instant_column }}, completions.converted_at)
            when next_step.max_hours_from_previous is not null
                then {{ add_microseconds('completions.converted_at', 'cast(round(next_step.max_hours_from_previous * 3600000000) as bigint)') }}
        end as next_deadline_at
    from {{ successors }} as completions
    inner join {{ funnels }} on completions.funnel_id = {{ funnels }}.funnel_id
    left join {{ cutoffs }}
        on
            completions.funnel_id = {{ cutoffs }}.funnel_id
            and completions.{{ unit_key }} = {{ cutoffs }}.{{ unit_key }}
    left join {{ steps }} as next_step
        on
            completions.funnel_id = next_step.funnel_id
            and completions.step_number + 1 = next_step.step_number
    left join {{ next_instants }}
        on
            coalesce({{ funnels }}.funnel_mode, 'ordered') = 'strict'
            and completions.session_id = {{ next_instants }}.session_id
            and completions.converted_at = {{ next_instants }}.converted_at
    where coalesce({{ funnels }}.funnel_mode, 'ordered') in ('ordered', 'strict')
{% endmacro %}

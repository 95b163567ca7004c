{#
    The step completions of ordered and strict funnels that an attempt can reach, for one unit (session_id or
    user_key): the links (macro funnel_step_successors) and the attempt recursion need no others.
    - Unordered funnels are left out: their attempts are counted by macro funnel_unordered_attempts.
    - Closed funnels: a completion before the unit's first step-1 completion can be in no attempt (attempts
      start at step 1 and go forward in time), so it is left out. One at the same instant as that first start
      stays (completions at one instant convert in step order). Units without a step-1 completion keep nothing.
    - Open funnels (any step can start an attempt) keep every completion.
    What is left out comes before every completion that is kept, so the ids and pointers of the kept ones lead
    where they led with everything linked, and the outcome of every attempt is unchanged. The count of possible
    starts (fct_funnel_users.attempts) is unchanged: every step-1 completion is kept.
#}
{% macro funnel_reachable_completions(completions, funnels, unit_key) %}
    select completions.*
    from {{ completions }} as completions
    inner join (
        select
            starts.funnel_id,
            starts.{{ unit_key }},
            min(starts.converted_at) as first_start_at
        from {{ completions }} as starts
        inner join {{ funnels }} as funnels on starts.funnel_id = funnels.funnel_id
        where
            coalesce(funnels.funnel_mode, 'ordered') in ('ordered', 'strict')
            and (starts.step_number = 1 or funnels.funnel_type = 'open')
        group by starts.funnel_id, starts.{{ unit_key }}
    ) as first_starts
        on
            completions.funnel_id = first_starts.funnel_id
            and completions.{{ unit_key }} = first_starts.{{ unit_key }}
    where completions.converted_at >= first_starts.first_start_at
{% endmacro %}

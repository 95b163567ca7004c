-- From step x to step: transitions between consecutive goal completions within a session, ordered by
-- (position in the session, goal_id), with '(start)' before the first completion and '(exit)' after the last.
-- A session without completions is one '(start)' -> '(exit)'. One window pass over conversions, no self-join.
with

conversions as (
    select * from {{ ref('fct_conversions') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

ordered_completions as (
    select
        session_id,
        goal_id as from_step,
        coalesce(
            lead(goal_id) over (partition by session_id order by event_number, goal_id),
            '(exit)'
        ) as to_step,
        row_number() over (partition by session_id order by event_number, goal_id) as step_index
    from conversions
),

session_starts as (
    -- Every session starts once: into its first completion, or straight to '(exit)'.
    select
        sessions.session_id,
        '(start)' as from_step,
        coalesce(first_completions.from_step, '(exit)') as to_step
    from sessions
    left join ordered_completions as first_completions
        on
            sessions.session_id = first_completions.session_id
            and first_completions.step_index = 1
),

all_transitions as (
    select
        session_id,
        from_step,
        to_step
    from session_starts
    union all
    select
        session_id,
        from_step,
        to_step
    from ordered_completions
),

session_transitions as (
    -- One row per session x transition, with how often the session made it.
    select
        all_transitions.session_id,
        all_transitions.from_step,
        all_transitions.to_step,
        count(*) as transitions,
        max(case when sessions.macro_conversions > 0 then 1 else 0 end) as has_macro_conversion
    from all_transitions
    inner join sessions on all_transitions.session_id = sessions.session_id
    group by all_transitions.session_id, all_transitions.from_step, all_transitions.to_step
),

aggregated as (
    select
        from_step,
        to_step,
        cast(sum(transitions) as bigint) as transitions,
        count(*) as sessions,
        cast(sum(has_macro_conversion) as bigint) as macro_converting_sessions
    from session_transitions
    group by from_step, to_step
),

final as (
    select
        from_step,
        to_step,
        transitions,
        sessions,
        cast(transitions as double) / sum(transitions) over (partition by from_step) as probability,
        cast(macro_converting_sessions as double) / sessions as macro_conversion_share
    from aggregated
)

select * from final

-- From step x to step: transitions between consecutive goal completions within a session, ordered by
-- (position in the session, goal_id), with '(start)' before the first completion and '(exit)' after the last.
-- A session without completions is one '(start)' -> '(exit)'. The per-session transitions are counted in
-- int_session_transitions__counted (incremental); this sums them.
with

session_transitions as (
    select * from {{ ref('int_session_transitions__counted') }}
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

-- Per session: its transitions between consecutive goal completions, ordered by (position in the session,
-- goal_id), with '(start)' before the first completion and '(exit)' after the last (a session without
-- completions is one '(start)' -> '(exit)'), counted, and whether the session has a macro conversion.
-- mart_path_transitions sums these rows. One window pass over completions, no self-join.
-- Incremental: the sessions of the visitors the new loads change replace theirs (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

conversions as (
    select * from {{ ref('int_conversions__unioned') }}
    {{ incremental_key_filter('visitor_id') }}
),

sessions as (
    select * from {{ ref('int_sessions__aggregated') }}
    {{ incremental_key_filter('visitor_id') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
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

macro_sessions as (
    select distinct conversions.session_id
    from conversions
    inner join goals on conversions.goal_id = goals.goal_id
    where goals.goal_kind = 'macro'
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

final as (
    select
        sessions.visitor_id,
        all_transitions.session_id,
        all_transitions.from_step,
        all_transitions.to_step,
        count(*) as transitions,
        max(case when macro_sessions.session_id is not null then 1 else 0 end) as has_macro_conversion
    from all_transitions
    inner join sessions on all_transitions.session_id = sessions.session_id
    left join macro_sessions on all_transitions.session_id = macro_sessions.session_id
    group by sessions.visitor_id, all_transitions.session_id, all_transitions.from_step, all_transitions.to_step
)

select * from final

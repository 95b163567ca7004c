-- The readiness history: one row per session (a snapshot of its user as of the session's end, from
-- int_user_sessions__progressed) with its readiness stage and how long the user then stayed away: until their
-- next session, or until "now", the end of the latest session in the data (so a rebuild gives the same
-- result). A view: the recency depends on the latest session of all data; the per-user part is incremental.
{{ config(materialized='view') }}
with

progressed as (
    select * from {{ ref('int_user_sessions__progressed') }}
),

sessions as (
    select * from {{ ref('int_sessions__aggregated') }}
),

data_end as (
    -- "Now" for recency: the end of the latest session in the data.
    select max(ended_at) as as_of_at from sessions
),

final as (
    select
        progressed.user_key,
        progressed.session_id,
        progressed.started_at,
        progressed.ended_at,
        progressed.main_funnel_step,
        progressed.furthest_step_to_date,
        -- The stage as of the snapshot: the first rule that holds over the user's sessions to date.
        case
            when progressed.macro_conversions_to_date > 0 then 'converted'
            when progressed.furthest_step_to_date >= {{ var('readiness_checkout_step') }} then 'checkout'
            when progressed.process_milestones_to_date > 0 then 'consideration'
            when progressed.interest_signals_to_date > 0 then 'interest'
            else 'new'
        end as readiness_stage,
        progressed.converts_later,
        progressed.next_started_at,
        -- Days the user then stayed away: until their next session, or until the end of the data.
        {{ seconds_between(
            'progressed.ended_at', 'coalesce(progressed.next_started_at, data_end.as_of_at)'
        ) }} / 86400.0 as days_away_after,
        progressed.is_latest,
        data_end.as_of_at
    from progressed
    cross join data_end
)

select * from final

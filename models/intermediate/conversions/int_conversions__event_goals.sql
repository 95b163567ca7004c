-- Completions of event goals: an event completes every goal whose event_name it has and whose
-- page_path_like (when set) its page_path matches. Joined on event_name, so goals are not scanned per event.
-- A view: fct_conversions, its only reader, computes it once; writing it out would cost more.
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('int_events__sessionized') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
    where goal_source = 'event'
),

completions as (
    select
        goals.goal_id,
        events.session_id,
        events.visitor_id,
        events.event_id,
        events.event_ts as converted_at,
        events.event_number,
        events.page_path,
        coalesce(events.revenue, goals.goal_value) as value
    from events
    inner join goals
        on
            events.event_name = goals.event_name
            and (goals.page_path_like is null or events.page_path like goals.page_path_like)
)

select * from completions

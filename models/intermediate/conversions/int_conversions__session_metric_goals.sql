-- Completions of session-metric goals: once per session whose metric ends strictly above the
-- threshold, at the first event where the running metric is above it (metrics only grow in a session).
-- Incremental (README "Incremental builds"): the completions of the visitors the new loads change replace theirs.
-- Not a view: a filter on its output cannot reach below the per-session group-by, so an incremental reader
-- would aggregate every event of every session.
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}

with

events as (
    select * from {{ ref('int_events__sessionized') }}
    {{ incremental_key_filter('visitor_id') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
    where goal_source = 'session_metric'
),

passed as (
    select
        goals.goal_id,
        goals.goal_value,
        events.session_id,
        events.visitor_id,
        events.event_id,
        events.event_ts,
        events.event_number,
        events.page_path
    from events
    inner join goals
        on
            case goals.session_metric
                when 'session_duration_s' then events.session_duration_s_to_date
                when 'pageviews' then events.session_pageviews_to_date
                when 'events' then events.event_number
            end > goals.session_metric_above
),

first_passed as (
    select
        goal_id,
        session_id,
        visitor_id,
        min(event_number) as event_number,
        {{ first_by('event_id', 'event_number') }} as event_id,
        {{ first_by('event_ts', 'event_number') }} as converted_at,
        {{ first_by('page_path', 'event_number') }} as page_path,
        min(goal_value) as value
    from passed
    group by goal_id, session_id, visitor_id
)

select * from first_passed

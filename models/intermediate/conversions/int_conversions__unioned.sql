-- Every goal completion (event goals and session-metric goals) with its session, visitor and user_key:
-- the conversions that fct_conversions publishes and the funnel models map to steps.
-- A table: the event-goal view over every event is computed once here (the session-metric goals are a table).
-- Incremental: the completions of the visitors the new loads change replace theirs (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}

with

event_goal_completions as (
    select * from {{ ref('int_conversions__event_goals') }}
    {{ incremental_key_filter('visitor_id') }}
),

session_metric_completions as (
    select * from {{ ref('int_conversions__session_metric_goals') }}
    {{ incremental_key_filter('visitor_id') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
    {{ incremental_key_filter('visitor_id') }}
),

unioned as (
    select
        goal_id,
        session_id,
        visitor_id,
        event_id,
        event_id as completing_event_id,
        converted_at,
        event_number,
        page_path,
        value
    from event_goal_completions
    union all
    select
        goal_id,
        session_id,
        visitor_id,
        null as event_id,
        event_id as completing_event_id,
        converted_at,
        event_number,
        page_path,
        value
    from session_metric_completions
),

stitched as (
    select
        unioned.goal_id,
        unioned.session_id,
        visitors.user_key,
        unioned.visitor_id,
        unioned.event_id,
        unioned.completing_event_id,
        unioned.converted_at,
        unioned.event_number,
        unioned.page_path,
        unioned.value
    from unioned
    inner join visitors on unioned.visitor_id = visitors.visitor_id
)

select * from stitched

-- Per load (_load_id), every visitor whose sessions the load may change: the visitor (anonymous_id, else
-- user_id) of each event it staged, and every visitor with an event in a tracker session it adds events to (a
-- late event can move a tracker session to another visitor: the session's visitor is its first event's).
-- Incremental models downstream recompute these visitors from their whole history (README "Incremental builds").
-- Incremental: appends the loads after its watermark; a full build lists every load.
{{ config(
    materialized=incremental_materialization(), incremental_strategy='append', meta={'incremental_watermark': 'own'}
) }}
with

new_events as (
    select
        _load_id,
        coalesce(anonymous_id, user_id) as visitor_id,
        tracker_session_id
    from {{ ref('stg_events') }}
    {{ incremental_load_filter() }}
),

touched_tracker_sessions as (
    select distinct
        _load_id,
        tracker_session_id
    from new_events
    where tracker_session_id is not null
),

tracker_session_visitors as (
    select
        touched_tracker_sessions._load_id,
        coalesce(events.anonymous_id, events.user_id) as visitor_id
    from touched_tracker_sessions
    inner join {{ ref('stg_events') }} as events
        on touched_tracker_sessions.tracker_session_id = events.tracker_session_id
),

final as (
    select
        _load_id,
        visitor_id
    from new_events
    union
    select
        _load_id,
        visitor_id
    from tracker_session_visitors
)

select * from final

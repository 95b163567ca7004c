-- Per load (_load_id), every user_key whose rows the load may change: for each visitor it changes
-- (int_visitors__changed), every user_key that visitor has had or has now. A visitor's user_key is its own id or
-- a user_id of its events (of its own, or of a tracker session one of them belongs to), so these are the
-- visitor id and every such user_id: a login that re-keys a visitor lists both the old and the new user_key.
-- Incremental models at user grain recompute these user_keys from their whole history.
-- Incremental: appends the loads after its watermark; a full build lists every load.
{{ config(
    materialized=incremental_materialization(), incremental_strategy='append', meta={'incremental_watermark': 'own'}
) }}
with

changed_visitors as (
    select
        _load_id,
        visitor_id
    from {{ ref('int_visitors__changed') }}
    {{ incremental_load_filter() }}
),

visitor_events as (
    select
        coalesce(anonymous_id, user_id) as visitor_id,
        user_id,
        tracker_session_id
    from {{ ref('stg_events') }}
    where (user_id is not null or tracker_session_id is not null) {{
        incremental_key_filter('visitor_id', 'coalesce(anonymous_id, user_id)', keyword='and')
    }}
),

tracker_session_user_ids as (
    select distinct
        tracker_session_id,
        user_id
    from {{ ref('stg_events') }}
    where
        user_id is not null
        and tracker_session_id in (
            select visitor_events.tracker_session_id from visitor_events
            where visitor_events.tracker_session_id is not null
        )
),

visitor_user_ids as (
    -- Every user_id a visitor's events carry, directly or through a tracker session it has an event in.
    select
        visitor_id,
        user_id
    from visitor_events
    where user_id is not null
    union
    select
        visitor_events.visitor_id,
        tracker_session_user_ids.user_id
    from visitor_events
    inner join tracker_session_user_ids
        on visitor_events.tracker_session_id = tracker_session_user_ids.tracker_session_id
),

final as (
    select
        _load_id,
        visitor_id as user_key
    from changed_visitors
    union
    select
        changed_visitors._load_id,
        visitor_user_ids.user_id as user_key
    from changed_visitors
    inner join visitor_user_ids on changed_visitors.visitor_id = visitor_user_ids.visitor_id
)

select * from final

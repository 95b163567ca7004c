-- One row per visitor: its user_key, the most recent user_id it used, else the visitor id itself.
-- Incremental: the visitors the new loads change, recomputed from all their events (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

events as (
    select * from {{ ref('int_events__sessionized') }}
    {{ incremental_key_filter('visitor_id') }}
),

visitors as (
    select
        visitor_id,
        {{ last_by('user_id', 'visitor_event_number') }} filter (where user_id is not null) as latest_user_id,
        count(distinct user_id) as user_ids,
        min(event_ts) as first_seen_at,
        max(event_ts) as last_seen_at
    from events
    group by visitor_id
),

final as (
    select
        visitor_id,
        coalesce(latest_user_id, visitor_id) as user_key,
        latest_user_id as user_id,
        user_ids,
        first_seen_at,
        last_seen_at
    from visitors
)

select * from final

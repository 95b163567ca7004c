-- One row per session: times, counts, landing/exit pages and the first event's attributes.
-- Incremental: the sessions of the visitors the new loads change replace theirs (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

events as (
    select * from {{ ref('int_events__sessionized') }}
    {{ incremental_key_filter('visitor_id') }}
),

sessions as (
    select
        session_id,
        visitor_id,
        min(event_ts) as started_at,
        max(event_ts) as ended_at,
        count(*) as events,
        sum(case when is_page_view then 1 else 0 end) as pageviews,
        {{ first_by('page_path', 'event_number') }} filter (where is_page_view) as first_pageview_path,
        {{ last_by('page_path', 'event_number') }} filter (where is_page_view) as last_pageview_path,
        {{ first_by('page_path', 'event_number') }} as first_event_path,
        {{ last_by('page_path', 'event_number') }} as last_event_path,
        max(case when event_number = 1 then utm_source end) as utm_source,
        max(case when event_number = 1 then utm_medium end) as utm_medium,
        max(case when event_number = 1 then utm_campaign end) as utm_campaign,
        max(case when event_number = 1 then referrer end) as referrer,
        max(case when event_number = 1 then device_category end) as device_category,
        max(case when event_number = 1 then country end) as country
    from events
    group by session_id, visitor_id
),

final as (
    select
        session_id,
        visitor_id,
        started_at,
        ended_at,
        {{ seconds_between('started_at', 'ended_at') }} as duration_s,
        events,
        pageviews,
        -- First and last page_view's path; sessions without a page_view fall back to their events.
        case when pageviews > 0 then first_pageview_path else first_event_path end as landing_page_path,
        case when pageviews > 0 then last_pageview_path else last_event_path end as exit_page_path,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer,
        device_category,
        country
    from sessions
)

select * from final

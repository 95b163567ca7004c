-- Assigns every staged event to a session: one pass of window functions over events sorted by visitor.
with

events as (
    select * from {{ ref('stg_events') }}
),

with_visitor as (
    select
        *,
        coalesce(anonymous_id, user_id) as visitor_id,
        case when event_name = 'page_view' then 1 else 0 end as page_view_count
    from events
),

ordered as (
    select
        *,
        lag(event_ts) over visitor_timeline as previous_event_ts,
        row_number() over visitor_timeline as visitor_event_number,
        sum(page_view_count) over (
            visitor_timeline rows between unbounded preceding and current row
        ) as visitor_pageviews_to_date
    from with_visitor
    window visitor_timeline as (partition by visitor_id order by event_ts, event_id)
),

flagged as (
    select
        *,
        -- Strictly greater than the timeout starts a new session; exactly the timeout does not.
        coalesce(
            event_ts > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_ts') }},
            true
        ) as is_session_start
    from ordered
),

assigned as (
    select
        *,
        -- Timestamps and counters only grow along the timeline, so a running max finds the session's start.
        max(case when is_session_start then event_ts end) over visitor_so_far as session_started_at,
        max(case when is_session_start then visitor_event_number end) over visitor_so_far as session_first_number,
        max(case when is_session_start then visitor_pageviews_to_date - page_view_count end)
            over visitor_so_far as pageviews_before_session
    from flagged
    window visitor_so_far as (
        partition by visitor_id order by event_ts, event_id rows between unbounded preceding and current row
    )
),

final as (
    select
        event_id,
        {{ dbt.hash(dbt.concat(['visitor_id', "'|'", timestamp_key('session_started_at')])) }} as session_id,
        visitor_id,
        event_name,
        event_ts,
        anonymous_id,
        user_id,
        is_session_start,
        visitor_event_number,
        visitor_event_number - session_first_number + 1 as event_number,
        visitor_pageviews_to_date - pageviews_before_session as session_pageviews_to_date,
        {{ seconds_between('session_started_at', 'event_ts') }} as session_duration_s_to_date,
        page_view_count = 1 as is_page_view,
        page_path,
        page_title,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_category,
        country,
        revenue,
        order_id
    from assigned
)

select * from final

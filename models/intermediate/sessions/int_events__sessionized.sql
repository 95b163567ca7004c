-- Assigns every staged event to a session: one pass of window functions over events sorted by visitor.
-- var session_source = 'tracker' (default): the events of one tracker session id (stg_events.tracker_session_id,
-- taken as globally unique) are one session, of the visitor of its first event, sorted as a block at its start
-- time; events without one (all of them for canonical files without session_id) use the timeout rule, joining
-- the running session when the gap allows. 'timeout': the timeout rule for every event.
{%- set use_tracker = var('session_source') == 'tracker' %}
{%- if var('session_source') not in ['tracker', 'timeout'] %}
{{ exceptions.raise_compiler_error("var session_source must be 'tracker' or 'timeout', got '" ~ var('session_source') ~ "'") }}
{%- endif %}
{#- The visitor timeline: time order, tracker sessions kept together (for canonical data: (event_ts, event_id)). #}
{%- if use_tracker %}
{%- set timeline_order = 'session_sort_ts, tracker_session_id nulls last, event_ts, event_id' %}
{%- else %}
{%- set timeline_order = 'event_ts, event_id' %}
{%- endif %}
-- Incremental (README "Incremental builds"): recomputes the visitors the new loads change (int_visitors__changed)
-- from all their events and replaces their rows, so a late event that bridges sessions or starts a history
-- earlier renumbers and re-ids that visitor's sessions.
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

events as (
    select * from {{ ref('stg_events') }}
    {%- if is_incremental() %}
    -- The affected visitors' events: theirs, and every event of a tracker session one of theirs belongs to.
    where
        coalesce(anonymous_id, user_id) in ({{ affected_keys('visitor_id') }})
        {%- if use_tracker %}
        or tracker_session_id in (
            select affected_events.tracker_session_id from {{ ref('stg_events') }} as affected_events
            where coalesce(affected_events.anonymous_id, affected_events.user_id) in ({{ affected_keys('visitor_id') }})
        )
        {%- endif %}
    {%- endif %}
),
{%- if use_tracker %}

tracker_sessions as (
    -- Each tracker session's visitor (of its first event: Snowplow's rule for a cookie that rotates mid-session)
    -- and start. The text key orders as (event_ts, event_id): the timestamp text has a fixed width.
    select
        tracker_session_id,
        {{ first_by('coalesce(anonymous_id, user_id)', dbt.concat([timestamp_key('event_ts'), "'|'", 'event_id'])) }}
            as tracker_visitor_id,
        min(event_ts) as tracker_session_started_at
    from events
    where tracker_session_id is not null
    group by tracker_session_id
),

with_visitor as (
    select
        events.*,
        coalesce(tracker_sessions.tracker_visitor_id, events.anonymous_id, events.user_id) as visitor_id,
        coalesce(tracker_sessions.tracker_session_started_at, events.event_ts) as session_sort_ts,
        case when events.event_name = 'page_view' then 1 else 0 end as page_view_count
    from events
    left join tracker_sessions on events.tracker_session_id = tracker_sessions.tracker_session_id
),
{%- else %}

with_visitor as (
    select
        *,
        coalesce(anonymous_id, user_id) as visitor_id,
        case when event_name = 'page_view' then 1 else 0 end as page_view_count
    from events
),
{%- endif %}

ordered as (
    select
        *,
        lag(event_ts) over visitor_timeline as previous_event_ts,
        {%- if use_tracker %}
        lag(tracker_session_id) over visitor_timeline as previous_tracker_session_id,
        {%- endif %}
        row_number() over visitor_timeline as visitor_event_number,
        -- The window inlined: a named window cannot be extended with a frame on every engine (Spark).
        sum(page_view_count) over (
            partition by visitor_id order by {{ timeline_order }} rows between unbounded preceding and current row
        ) as visitor_pageviews_to_date
    from with_visitor
    window visitor_timeline as (partition by visitor_id order by {{ timeline_order }})
),

flagged as (
    select
        *,
        {%- if use_tracker %}
        case
            -- A tracker session's events are one block: its first event starts the session.
            when tracker_session_id is not null
                then coalesce(tracker_session_id != previous_tracker_session_id, true)
            -- Strictly greater than the timeout starts a new session; exactly the timeout does not (an event
            -- sorted after a tracker session that spans its time has a negative gap: it joins that session).
            else coalesce(
                event_ts > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_ts') }}, true
            )
        end as is_session_start
        {%- else %}
        -- Strictly greater than the timeout starts a new session; exactly the timeout does not.
        coalesce(
            event_ts > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_event_ts') }},
            true
        ) as is_session_start
        {%- endif %}
    from ordered
),

assigned as (
    select
        *,
        -- Session starts and counters only grow along the timeline, so a running max finds the session's start.
        max(case when is_session_start then event_ts end) over visitor_so_far as session_started_at,
        max(case when is_session_start then visitor_event_number end) over visitor_so_far as session_first_number,
        {%- if use_tracker %}
        -- The tracker session id of the session's first event ('' when it has none).
        {{ last_value_ignore_nulls("case when is_session_start then coalesce(tracker_session_id, '') end") }}
            over visitor_so_far as session_tracker_id,
        {%- endif %}
        max(case when is_session_start then visitor_pageviews_to_date - page_view_count end)
            over visitor_so_far as pageviews_before_session
    from flagged
    window visitor_so_far as (
        partition by visitor_id order by {{ timeline_order }} rows between unbounded preceding and current row
    )
),

final as (
    select
        event_id,
        {%- if use_tracker %}
        -- Deterministic: visitor and start time (as before tracker sessions), plus the tracker session id if any.
        case
            when session_tracker_id = ''
                then {{ dbt.hash(dbt.concat(['visitor_id', "'|'", timestamp_key('session_started_at')])) }}
            else {{ dbt.hash(dbt.concat([
                'visitor_id', "'|'", timestamp_key('session_started_at'), "'|'", 'session_tracker_id'
            ])) }}
        end as session_id,
        {%- else %}
        {{ dbt.hash(dbt.concat(['visitor_id', "'|'", timestamp_key('session_started_at')])) }} as session_id,
        {%- endif %}
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
    {{ incremental_key_filter('visitor_id') }}
)

select * from final

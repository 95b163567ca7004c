-- One row per session, with traffic, engagement, identity and conversions.
-- Incremental (README "Incremental builds"): every session of the user_keys the new loads change is replaced
-- (session_number counts a user_key's sessions, so a visitor re-keyed by a login renumbers its new user's sessions).
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

sessions as (
    select * from {{ ref('int_sessions__channel_grouped') }}
),

visitors as (
    select * from {{ ref('int_visitors__stitched') }}
    {{ incremental_key_filter('user_key') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
    {{ incremental_key_filter('user_key') }}
),

session_conversions as (
    select
        session_id,
        sum(case when goal_kind = 'micro' then 1 else 0 end) as micro_conversions,
        sum(case when goal_kind = 'macro' then 1 else 0 end) as macro_conversions,
        sum(case when micro_type = 'process_milestone' then 1 else 0 end) as process_milestone_conversions,
        sum(case when micro_type = 'secondary_action' then 1 else 0 end) as secondary_action_conversions,
        sum(case when micro_type = 'engagement' then 1 else 0 end) as engagement_conversions,
        sum(case when goal_kind = 'macro' then value else 0 end) as revenue
    from conversions
    group by session_id
),

joined as (
    select
        sessions.*,
        visitors.user_key,
        coalesce(session_conversions.micro_conversions, 0) as micro_conversions,
        coalesce(session_conversions.macro_conversions, 0) as macro_conversions,
        coalesce(session_conversions.process_milestone_conversions, 0) as process_milestone_conversions,
        coalesce(session_conversions.secondary_action_conversions, 0) as secondary_action_conversions,
        coalesce(session_conversions.engagement_conversions, 0) as engagement_conversions,
        coalesce(session_conversions.revenue, 0) as revenue
    from sessions
    inner join visitors on sessions.visitor_id = visitors.visitor_id
    left join session_conversions on sessions.session_id = session_conversions.session_id
),

final as (
    select
        session_id,
        visitor_id,
        user_key,
        row_number() over (partition by user_key order by started_at, session_id) as session_number,
        started_at,
        ended_at,
        cast(started_at as date) as session_date,
        duration_s,
        events,
        pageviews,
        landing_page_path,
        exit_page_path,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer,
        traffic_source,
        traffic_medium,
        channel,
        device_category,
        country,
        micro_conversions,
        macro_conversions,
        process_milestone_conversions,
        secondary_action_conversions,
        engagement_conversions,
        revenue,
        macro_conversions > 0 as converted,
        -- GA4: engaged = longer than 10 s, or 2+ page views, or a macro conversion.
        duration_s > 10 or pageviews >= 2 or macro_conversions > 0 as is_engaged,
        duration_s <= 10 and pageviews < 2 and macro_conversions = 0 as is_bounce
    from joined
)

select * from final

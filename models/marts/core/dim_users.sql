-- One row per user_key: activity, first touch, conversions, furthest step of the main funnel, readiness stage
-- and readiness score. The stage is that of the user's latest session (int_user_sessions__readiness); the
-- score is the fitted stage x recency bucket cell (int_readiness_scores__fitted) of the user's days away.
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

readiness_history as (
    select * from {{ ref('int_user_sessions__readiness') }}
),

readiness_scores as (
    select * from {{ ref('int_readiness_scores__fitted') }}
),

users as (
    select
        user_key,
        min(started_at) as first_seen_at,
        max(ended_at) as last_seen_at,
        count(*) as sessions,
        {{ first_by('channel', 'session_number') }} as first_channel,
        {{ first_by('device_category', 'session_number') }} as first_device_category,
        cast(sum(process_milestone_conversions) as bigint) as process_milestone_conversions,
        cast(sum(secondary_action_conversions) as bigint) as secondary_action_conversions,
        cast(sum(engagement_conversions) as bigint) as engagement_conversions,
        cast(sum(micro_conversions) as bigint) as micro_conversions,
        cast(sum(macro_conversions) as bigint) as macro_conversions,
        sum(revenue) as revenue
    from sessions
    group by user_key
),

user_readiness as (
    select
        user_key,
        max(main_funnel_step) as main_funnel_furthest_step,
        max(case when is_latest then readiness_stage end) as readiness_stage,
        max(as_of_at) as as_of_at
    from readiness_history
    group by user_key
),

bucketed_users as (
    select
        users.*,
        user_readiness.main_funnel_furthest_step,
        user_readiness.readiness_stage,
        {{ seconds_between('users.last_seen_at', 'user_readiness.as_of_at') }} / 86400.0 as days_since_last_seen
    from users
    inner join user_readiness on users.user_key = user_readiness.user_key
),

final as (
    select
        bucketed_users.user_key,
        bucketed_users.first_seen_at,
        bucketed_users.last_seen_at,
        bucketed_users.sessions,
        bucketed_users.first_channel,
        bucketed_users.first_device_category,
        bucketed_users.process_milestone_conversions,
        bucketed_users.secondary_action_conversions,
        bucketed_users.engagement_conversions,
        bucketed_users.micro_conversions,
        bucketed_users.macro_conversions,
        bucketed_users.revenue,
        '{{ var("main_funnel_id") }}' as main_funnel_id,
        bucketed_users.main_funnel_furthest_step,
        bucketed_users.readiness_stage,
        readiness_scores.readiness_stage_order,
        bucketed_users.days_since_last_seen,
        readiness_scores.recency_bucket,
        readiness_scores.readiness_score,
        readiness_scores.snapshots as readiness_score_basis
    from bucketed_users
    inner join readiness_scores
        on
            bucketed_users.readiness_stage = readiness_scores.readiness_stage
            and bucketed_users.days_since_last_seen >= readiness_scores.min_days
            and (readiness_scores.max_days is null or bucketed_users.days_since_last_seen < readiness_scores.max_days)
)

select * from final

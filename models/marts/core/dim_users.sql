{#-
    Recency buckets from var readiness_recency_buckets_days (ascending lower bounds in days since last seen),
    e.g. [0, 7, 14, 30] -> '0-6d', '7-13d', '14-29d', '30d+'. The first bucket always starts at 0.
-#}
{%- set bucket_bounds = var('readiness_recency_buckets_days') | sort -%}
{%- set bucket_rows = [] -%}
{%- for lower in bucket_bounds -%}
{%- if loop.last -%}
{%- set label = lower ~ 'd+' -%}
{%- set upper = 'null' -%}
{%- else -%}
{%- set label = lower ~ '-' ~ (bucket_bounds[loop.index] - 1) ~ 'd' -%}
{%- set upper = bucket_bounds[loop.index] -%}
{%- endif -%}
{%- do bucket_rows.append(
'(' ~ loop.index ~ ', ' ~ (0 if loop.first else lower) ~ ', ' ~ upper ~ ", '" ~ label ~ "')"
) -%}
{%- endfor -%}
-- One row per user_key: activity, first touch, conversions, furthest step of the main funnel, readiness stage
-- and a data-driven readiness score. Everything is computed from per-session rows with window functions.
with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

funnel_sessions as (
    select * from {{ ref('fct_funnel_sessions') }}
),

main_funnel_sessions as (
    select
        session_id,
        furthest_step
    from funnel_sessions
    where funnel_id = '{{ var("main_funnel_id") }}'
),

data_end as (
    -- "Now" for recency: the end of the latest session in the data, so a rebuild gives the same result.
    select max(ended_at) as as_of_at from sessions
),

recency_buckets as (
    select
        buckets.bucket_number,
        buckets.min_days,
        buckets.max_days,
        buckets.recency_bucket
    from (values {{ bucket_rows | join(', ') }}) as buckets (bucket_number, min_days, max_days, recency_bucket)
),

session_progress as (
    select
        sessions.user_key,
        sessions.session_number,
        sessions.started_at,
        sessions.ended_at,
        sessions.channel,
        sessions.device_category,
        sessions.process_milestone_conversions,
        sessions.secondary_action_conversions,
        sessions.engagement_conversions,
        sessions.micro_conversions,
        sessions.macro_conversions,
        sessions.revenue,
        coalesce(main_funnel_sessions.furthest_step, 0) as main_funnel_step
    from sessions
    left join main_funnel_sessions on sessions.session_id = main_funnel_sessions.session_id
),

snapshots as (
    -- The user as of the end of each of their sessions, and what happened afterwards.
    select
        user_key,
        session_number,
        ended_at,
        max(main_funnel_step) over user_so_far as furthest_step_to_date,
        sum(macro_conversions) over user_so_far as macro_conversions_to_date,
        sum(process_milestone_conversions) over user_so_far as process_milestones_to_date,
        sum(secondary_action_conversions + engagement_conversions) over user_so_far as interest_signals_to_date,
        coalesce(sum(macro_conversions) over user_later, 0) > 0 as converts_later,
        lead(started_at) over user_timeline as next_started_at
    from session_progress
    window
        user_timeline as (partition by user_key order by session_number),
        user_so_far as (
            partition by user_key order by session_number rows between unbounded preceding and current row
        ),
        user_later as (
            partition by user_key order by session_number rows between 1 following and unbounded following
        )
),

staged_snapshots as (
    select
        snapshots.user_key,
        snapshots.session_number,
        snapshots.converts_later,
        snapshots.furthest_step_to_date,
        case
            when snapshots.macro_conversions_to_date > 0 then 'converted'
            when snapshots.furthest_step_to_date >= {{ var('readiness_checkout_step') }} then 'checkout'
            when snapshots.process_milestones_to_date > 0 then 'consideration'
            when snapshots.interest_signals_to_date > 0 then 'interest'
            else 'new'
        end as readiness_stage,
        -- Days the user then stayed away: until their next session, or until the end of the data.
        {{ seconds_between(
            'snapshots.ended_at', 'coalesce(snapshots.next_started_at, data_end.as_of_at)'
        ) }} / 86400.0 as days_away_after,
        snapshots.next_started_at is null as is_latest
    from snapshots
    cross join data_end
),

score_cells as (
    -- A snapshot is evidence for a recency bucket when the user had stayed away at least its lower bound.
    select
        staged_snapshots.readiness_stage,
        recency_buckets.bucket_number,
        count(*) as snapshots,
        count(case when staged_snapshots.converts_later then 1 end) as converted_later
    from staged_snapshots
    inner join recency_buckets on staged_snapshots.days_away_after >= recency_buckets.min_days
    group by staged_snapshots.readiness_stage, recency_buckets.bucket_number
),

baseline as (
    select cast(count(case when converts_later then 1 end) as double) / count(*) as overall_rate
    from staged_snapshots
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
        sum(revenue) as revenue,
        max(main_funnel_step) as main_funnel_furthest_step
    from session_progress
    group by user_key
),

current_stages as (
    select
        user_key,
        readiness_stage
    from staged_snapshots
    where is_latest
),

bucketed_users as (
    select
        users.*,
        current_stages.readiness_stage,
        {{ seconds_between('users.last_seen_at', 'data_end.as_of_at') }} / 86400.0 as days_since_last_seen
    from users
    inner join current_stages on users.user_key = current_stages.user_key
    cross join data_end
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
        case bucketed_users.readiness_stage
            when 'new' then 0
            when 'interest' then 1
            when 'consideration' then 2
            when 'checkout' then 3
            when 'converted' then 4
        end as readiness_stage_order,
        bucketed_users.days_since_last_seen,
        recency_buckets.recency_bucket,
        (coalesce(score_cells.converted_later, 0) + {{ var('readiness_prior_weight') }} * baseline.overall_rate)
        / (coalesce(score_cells.snapshots, 0) + {{ var('readiness_prior_weight') }}) as readiness_score,
        coalesce(score_cells.snapshots, 0) as readiness_score_basis
    from bucketed_users
    cross join baseline
    inner join recency_buckets
        on
            bucketed_users.days_since_last_seen >= recency_buckets.min_days
            and (recency_buckets.max_days is null or bucketed_users.days_since_last_seen < recency_buckets.max_days)
    left join score_cells
        on
            bucketed_users.readiness_stage = score_cells.readiness_stage
            and recency_buckets.bucket_number = score_cells.bucket_number
)

select * from final

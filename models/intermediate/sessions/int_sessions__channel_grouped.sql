-- Every aggregated session with its traffic source, medium and GA4 default channel group (from its first event).
-- Incremental: the sessions of the visitors the new loads change replace theirs (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='visitor_id') }}
with

sessions as (
    select * from {{ ref('int_sessions__aggregated') }}
    {{ incremental_key_filter('visitor_id') }}
),

referrers as (
    select
        *,
        {{ url_host('referrer') }} as referrer_host
    from sessions
),

external_referrers as (
    select
        *,
        -- A referrer on the site itself is navigation, not a traffic source (var site_hosts).
        case
            when referrer_host in ({{ "'" ~ var('site_hosts') | join("', '") ~ "'" }}) then null
            else referrer_host
        end as external_referrer_host
    from referrers
),

sourced as (
    select
        *,
        lower(coalesce(
            utm_source,
            external_referrer_host,
            case when utm_medium is null then '(direct)' end,
            '(not set)'
        )) as traffic_source,
        lower(coalesce(
            utm_medium,
            case
                when utm_source is not null then '(not set)'
                when {{ regex_matches('external_referrer_host', search_source_pattern()) }} then 'organic'
                when {{ regex_matches('external_referrer_host', social_source_pattern()) }} then 'social'
                when external_referrer_host is not null then 'referral'
                else '(none)'
            end
        )) as traffic_medium
    from external_referrers
),

final as (
    select
        session_id,
        visitor_id,
        started_at,
        ended_at,
        duration_s,
        events,
        pageviews,
        landing_page_path,
        exit_page_path,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer,
        device_category,
        country,
        external_referrer_host,
        traffic_source,
        traffic_medium,
        referrer_host,
        {{ default_channel_group('traffic_source', 'traffic_medium') }} as channel
    from sourced
)

select * from final

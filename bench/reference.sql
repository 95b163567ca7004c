-- bench/reference.sql: the core of microconv written by hand as ONE DuckDB script, the yardstick of
-- `make bench` (scripts/bench.py runs it right after `dbt run`, in the same DuckDB file, with the same
-- settings, and compares its tables with the dbt ones).
--
-- Reads raw.events, raw.load_log and the seed tables config.conversion_goals, config.funnels and
-- config.funnel_steps (created by `dbt seed`); writes schema `reference`, one table per dbt relation
-- it reproduces (same name, same columns, same rows), with temporary tables for the intermediate steps.
-- It implements the same logic as these dbt models (the list scripts/bench.py compares times over):
-- covers: stg_raw__events, stg_events, stg_events_rejected, int_events__sessionized, int_visitors__stitched
-- covers: int_sessions__aggregated, int_sessions__channel_grouped, int_conversions__event_goals
-- covers: int_conversions__session_metric_goals, fct_conversions, fct_sessions, dim_goals
-- covers: int_funnel_completions__mapped, int_funnel_sessions__attempts, fct_funnel_session_steps
-- covers: fct_funnel_sessions, int_funnel_users__attempts, fct_funnel_users, fct_funnel_daily
-- covers: mart_kpi_daily, mart_load_reconciliation
-- Not covered: the config validation models (stg_config__*: the seeds are read as they are, assumed
-- valid) and the insight marts mart_goal_impact, mart_path_transitions, mart_page_goals, dim_users and
-- mart_funnel_alerts.
-- dbt vars are fixed at their defaults: session_timeout_minutes = 30,
-- site_hosts = www.example-shop.com, example-shop.com.
--
-- How it differs from the dbt project (that is the point of a hand-tuned yardstick): the reject reason of
-- every raw row is computed once into a narrow temporary table, and each raw row is fully parsed once,
-- straight into stg_events; duplicates are found by hashing event_id (only ids seen twice are ranked);
-- intermediate results live in temporary (in-memory) tables, never written to the database file; steps
-- that dbt keeps apart (session aggregates, channel and user_key; event and session-metric goals) are one
-- statement each. The text cleaning and timestamp parsing are the expressions of
-- macros/duckdb/duckdb_only.sql, as DuckDB macros. Every statement ends with ';' at the end of a line
-- (bench.py splits on that to time each statement).

create schema if not exists reference;

-- Text cleaning and timestamp parsing, the same expressions as macros/duckdb/duckdb_only.sql (inlined).
create or replace temp macro ref_clean(x) as
    case
        when x >= '!' and not (ends_with(x, ' ') or ends_with(x, e'\t') or ends_with(x, e'\n') or ends_with(x, e'\r'))
            then x
        else nullif(trim(x, e' \t\n\r'), '')
    end;

create or replace temp macro ref_parse_ts(s) as
    case
        when s like '____-__-__T__:__:__.___Z' and substr(s, 23, 1) between '0' and '9' then try_cast(s as timestamp)
        when regexp_matches(s, '[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$')
            then cast(timezone('UTC', try_cast(
                regexp_replace(s, '\s+([zZ]|[+-]\d{2}(:?\d{2})?)$', '\1') as timestamptz
            )) as timestamp)
        else try_cast(s as timestamp)
    end;

-- 1. Validate every raw row once, narrow: only what the reject reason and the dedupe need. Layered CTEs, so
-- every expression is computed once (nested macro calls would repeat their arguments).
create or replace temp table ref_checks as
with trimmed as (
    select
        _load_id,
        _source_row,
        _loaded_at,
        ref_clean(event_id) as event_id,
        ref_clean(event_name) as event_name,
        ref_clean(event_ts) as event_ts_text,
        ref_clean(anonymous_id) as anonymous_id,
        ref_clean(user_id) as user_id
    from raw.events
),

parsed as (
    select *, ref_parse_ts(event_ts_text) as event_ts from trimmed
)

select
    _load_id,
    _source_row,
    event_id,
    case
        when event_id is null then 'missing_event_id'
        when event_ts is null then 'bad_timestamp'
        when event_ts < timestamp '2000-01-01' or event_ts > _loaded_at + interval 1 day then 'timestamp_out_of_range'
        when event_name is null then 'missing_event_name'
        when anonymous_id is null and user_id is null then 'missing_ids'
    end as reject_reason
from parsed;

-- 2. Rejected rows with their raw text (= stg_events_rejected).
create or replace table reference.stg_events_rejected as
select
    rejected.reject_reason,
    source.event_id,
    source.event_name,
    source.event_ts,
    source.anonymous_id,
    source.user_id,
    source.page_url,
    source.page_path,
    source.page_title,
    source.referrer,
    source.utm_source,
    source.utm_medium,
    source.utm_campaign,
    source.device_category,
    source.country,
    source.revenue,
    source.order_id,
    source.properties,
    source._load_id,
    source._source_file,
    source._source_row,
    source._loaded_at
from raw.events as source
inner join (
    select _load_id, _source_row, reject_reason from ref_checks where reject_reason is not null
) as rejected
    on source._load_id = rejected._load_id and source._source_row = rejected._source_row;

-- 3. Later copies of an event_id among valid rows: only ids whose hash is seen twice are ranked.
create or replace temp table ref_later_copies as
with valid_keys as (
    select event_id, _load_id, _source_row from ref_checks where reject_reason is null
),

repeated_hashes as (
    select hash(event_id) as id_hash from valid_keys group by all having count(*) > 1
)

select _load_id, _source_row
from valid_keys
where hash(event_id) in (select id_hash from repeated_hashes)
qualify row_number() over (partition by event_id order by _load_id, _source_row) > 1;

-- 4. Valid, deduplicated events, every column parsed once (= stg_raw__events + stg_events).
create or replace table reference.stg_events as
with trimmed as (
    select
        ref_clean(event_id) as event_id,
        ref_clean(event_name) as event_name,
        ref_clean(event_ts) as event_ts_text,
        ref_clean(anonymous_id) as anonymous_id,
        ref_clean(user_id) as user_id,
        ref_clean(page_url) as page_url,
        ref_clean(page_path) as page_path,
        ref_clean(page_title) as page_title,
        ref_clean(referrer) as referrer,
        ref_clean(utm_source) as utm_source,
        ref_clean(utm_medium) as utm_medium,
        ref_clean(utm_campaign) as utm_campaign,
        ref_clean(device_category) as device_category,
        ref_clean(country) as country,
        ref_clean(revenue) as revenue_text,
        ref_clean(order_id) as order_id,
        ref_clean(properties) as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from raw.events
    anti join ref_later_copies using (_load_id, _source_row)
),

parsed as (
    select
        event_id,
        event_name,
        ref_parse_ts(event_ts_text) as event_ts,
        anonymous_id,
        user_id,
        page_url,
        coalesce(
            page_path,
            coalesce(nullif(regexp_extract(page_url, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/')
        ) as page_path,
        page_title,
        referrer,
        coalesce(
            utm_source, nullif(url_decode(replace(regexp_extract(page_url, '[?&]utm_source=([^&#]*)', 1), '+', ' ')), '')
        ) as utm_source,
        coalesce(
            utm_medium, nullif(url_decode(replace(regexp_extract(page_url, '[?&]utm_medium=([^&#]*)', 1), '+', ' ')), '')
        ) as utm_medium,
        coalesce(
            utm_campaign,
            nullif(url_decode(replace(regexp_extract(page_url, '[?&]utm_campaign=([^&#]*)', 1), '+', ' ')), '')
        ) as utm_campaign,
        lower(device_category) as device_category,
        country,
        try_cast(revenue_text as decimal(18, 2)) as revenue,
        order_id,
        properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from trimmed
)

select *
from parsed
-- Valid rows: the reject reason of step 1 is null.
where
    event_id is not null
    and event_ts is not null
    and not (event_ts < timestamp '2000-01-01' or event_ts > _loaded_at + interval 1 day)
    and event_name is not null
    and not (anonymous_id is null and user_id is null);

-- 5. Sessions: one ordering per visitor (event_ts, event_id); a gap over 30 minutes starts a session.
create or replace temp table ref_events as
with timeline as (
    select
        event_id, event_name, event_ts, user_id, page_path, referrer, utm_source, utm_medium, utm_campaign,
        device_category, country, revenue, order_id,
        coalesce(anonymous_id, user_id) as visitor_id,
        case when event_name = 'page_view' then 1 else 0 end as page_view_count
    from reference.stg_events
),

flagged as (
    select
        *,
        coalesce(event_ts > lag(event_ts) over visitor_order + interval 30 minute, true) as is_session_start,
        row_number() over visitor_order as visitor_event_number,
        sum(page_view_count) over (visitor_order rows unbounded preceding) as visitor_pageviews_to_date
    from timeline
    window visitor_order as (partition by visitor_id order by event_ts, event_id)
),

assigned as (
    select
        *,
        max(case when is_session_start then event_ts end) over so_far as session_started_at,
        max(case when is_session_start then visitor_event_number end) over so_far as session_first_number,
        max(case when is_session_start then visitor_pageviews_to_date - page_view_count end)
            over so_far as pageviews_before_session
    from flagged
    window so_far as (partition by visitor_id order by event_ts, event_id rows unbounded preceding)
)

select
    event_id,
    md5(visitor_id || '|' || strftime(session_started_at, '%Y-%m-%dT%H:%M:%S.%fZ')) as session_id,
    visitor_id,
    event_name,
    event_ts,
    user_id,
    visitor_event_number,
    visitor_event_number - session_first_number + 1 as event_number,
    visitor_pageviews_to_date - pageviews_before_session as session_pageviews_to_date,
    (epoch_us(event_ts) - epoch_us(session_started_at)) / 1e6 as session_duration_s_to_date,
    page_view_count = 1 as is_page_view,
    page_path, referrer, utm_source, utm_medium, utm_campaign, device_category, country, revenue, order_id
from assigned;

-- 6. Visitors and their user_key (the most recent user_id, else the visitor id).
create or replace temp table ref_visitors as
select
    visitor_id,
    coalesce(arg_max_null(user_id, visitor_event_number) filter (where user_id is not null), visitor_id) as user_key
from ref_events
group by visitor_id;

-- 7. Goal catalog and funnel steps, cleaned like the stg_config__* models (not validated).
create or replace temp table ref_goals as
select
    ref_clean(goal_id) as goal_id,
    coalesce(ref_clean(goal_name), ref_clean(goal_id)) as goal_name,
    lower(ref_clean(goal_kind)) as goal_kind,
    lower(ref_clean(micro_type)) as micro_type,
    ref_clean(event_name) as event_name,
    ref_clean(page_path_like) as page_path_like,
    lower(ref_clean(session_metric)) as session_metric,
    try_cast(ref_clean(session_metric_above) as double) as session_metric_above,
    goal_value,
    case when ref_clean(event_name) is not null then 'event' else 'session_metric' end
        as goal_source
from config.conversion_goals;

-- Only the plain funnels (ordered, closed, no per-step limit, no exclusion): the reference does not implement the
-- funnel options (strict, unordered, open, exclusions, max_hours_from_previous), and the funnel comparisons
-- cover these funnels only (reference.covered_funnels).
create or replace table reference.covered_funnels as
select ref_clean(funnels.funnel_id) as funnel_id
from config.funnels
where
    coalesce(lower(ref_clean(funnels.funnel_mode)), 'ordered') = 'ordered'
    and coalesce(lower(ref_clean(funnels.funnel_type)), 'closed') = 'closed'
    and ref_clean(funnels.funnel_id) not in (select ref_clean(funnel_id) from config.funnel_exclusions)
    and ref_clean(funnels.funnel_id) not in (
        select ref_clean(funnel_id) from config.funnel_steps where ref_clean(max_hours_from_previous) is not null
    );

create or replace temp table ref_steps as
select
    ref_clean(steps.funnel_id) as funnel_id,
    steps.step_number,
    ref_clean(steps.goal_id) as goal_id,
    funnels.conversion_window_hours,
    count(*) over (partition by steps.funnel_id) as total_steps
from config.funnel_steps as steps
inner join config.funnels
    on ref_clean(steps.funnel_id) = ref_clean(funnels.funnel_id)
where ref_clean(steps.funnel_id) in (select funnel_id from reference.covered_funnels);

-- 8. Sessions: aggregates, channel and visitor in one pass over the events.
create or replace temp table ref_sessions as
with aggregated as (
    select
        session_id,
        visitor_id,
        min(event_ts) as started_at,
        max(event_ts) as ended_at,
        count(*) as events,
        sum(case when is_page_view then 1 else 0 end) as pageviews,
        arg_min_null(page_path, event_number) filter (where is_page_view) as first_pageview_path,
        arg_max_null(page_path, event_number) filter (where is_page_view) as last_pageview_path,
        arg_min_null(page_path, event_number) as first_event_path,
        arg_max_null(page_path, event_number) as last_event_path,
        max(case when event_number = 1 then utm_source end) as utm_source,
        max(case when event_number = 1 then utm_medium end) as utm_medium,
        max(case when event_number = 1 then utm_campaign end) as utm_campaign,
        max(case when event_number = 1 then referrer end) as referrer,
        max(case when event_number = 1 then device_category end) as device_category,
        max(case when event_number = 1 then country end) as country
    from ref_events
    group by session_id, visitor_id
),

hosts as (
    select
        *,
        nullif(lower(regexp_extract(referrer, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+)', 1)), '') as referrer_host
    from aggregated
),

external as (
    select
        *,
        case
            when referrer_host in ('www.example-shop.com', 'example-shop.com') then null else referrer_host
        end as external_referrer_host
    from hosts
),

sourced as (
    select
        *,
        lower(coalesce(
            utm_source, external_referrer_host, case when utm_medium is null then '(direct)' end, '(not set)'
        )) as traffic_source,
        lower(coalesce(
            utm_medium,
            case
                when utm_source is not null then '(not set)'
                when regexp_matches(
                    external_referrer_host,
                    '(^|[.])(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|ask|naver|seznam|qwant|startpage)([.]|$)'
                ) then 'organic'
                when regexp_matches(
                    external_referrer_host,
                    '(^|[.])(facebook|fb|instagram|ig|t[.]co|twitter|x[.]com|linkedin|lnkd[.]in|pinterest|reddit|tiktok|youtube|snapchat|threads|whatsapp|vk|quora)([.]|$)'
                ) then 'social'
                when external_referrer_host is not null then 'referral'
                else '(none)'
            end
        )) as traffic_medium
    from external
)

select
    sourced.session_id,
    sourced.visitor_id,
    ref_visitors.user_key,
    sourced.started_at,
    sourced.ended_at,
    (epoch_us(sourced.ended_at) - epoch_us(sourced.started_at)) / 1e6 as duration_s,
    sourced.events,
    sourced.pageviews,
    case when sourced.pageviews > 0 then sourced.first_pageview_path else sourced.first_event_path end
        as landing_page_path,
    case when sourced.pageviews > 0 then sourced.last_pageview_path else sourced.last_event_path end
        as exit_page_path,
    sourced.utm_source,
    sourced.utm_medium,
    sourced.utm_campaign,
    sourced.referrer,
    sourced.traffic_source,
    sourced.traffic_medium,
    case
        when sourced.traffic_source = '(direct)' and sourced.traffic_medium in ('(none)', '(not set)') then 'Direct'
        when regexp_matches(
            sourced.traffic_source,
            '(^|[.])(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|ask|naver|seznam|qwant|startpage)([.]|$)'
        ) and regexp_matches(sourced.traffic_medium, '^(.*cp.*|ppc|retargeting|paid.*)$') then 'Paid Search'
        when regexp_matches(
            sourced.traffic_source,
            '(^|[.])(facebook|fb|instagram|ig|t[.]co|twitter|x[.]com|linkedin|lnkd[.]in|pinterest|reddit|tiktok|youtube|snapchat|threads|whatsapp|vk|quora)([.]|$)'
        ) and regexp_matches(sourced.traffic_medium, '^(.*cp.*|ppc|retargeting|paid.*)$') then 'Paid Social'
        when sourced.traffic_medium in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'Display'
        when regexp_matches(
            sourced.traffic_source,
            '(^|[.])(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|ask|naver|seznam|qwant|startpage)([.]|$)'
        ) or sourced.traffic_medium = 'organic' then 'Organic Search'
        when regexp_matches(
            sourced.traffic_source,
            '(^|[.])(facebook|fb|instagram|ig|t[.]co|twitter|x[.]com|linkedin|lnkd[.]in|pinterest|reddit|tiktok|youtube|snapchat|threads|whatsapp|vk|quora)([.]|$)'
        ) or sourced.traffic_medium in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'Organic Social'
        when sourced.traffic_source in ('email', 'e-mail', 'e_mail', 'e mail')
            or sourced.traffic_medium in ('email', 'e-mail', 'e_mail', 'e mail') then 'Email'
        when sourced.traffic_medium = 'affiliate' then 'Affiliates'
        when sourced.traffic_medium = 'referral' then 'Referral'
        else 'Unassigned'
    end as channel,
    sourced.device_category,
    sourced.country
from sourced
inner join ref_visitors on sourced.visitor_id = ref_visitors.visitor_id;

-- 9. Goal completions: event goals joined on event_name, session-metric goals at the first event past the
-- threshold (= int_conversions__* and fct_conversions).
create or replace table reference.fct_conversions as
with event_goal_completions as (
    select
        goals.goal_id,
        events.session_id,
        events.visitor_id,
        events.event_id,
        events.event_id as completing_event_id,
        events.event_ts as converted_at,
        events.event_number,
        events.page_path,
        coalesce(events.revenue, goals.goal_value) as value
    from ref_events as events
    inner join (select * from ref_goals where goal_source = 'event') as goals
        on
            events.event_name = goals.event_name
            and (goals.page_path_like is null or events.page_path like goals.page_path_like)
),

session_metric_completions as (
    select
        goals.goal_id,
        events.session_id,
        events.visitor_id,
        null as event_id,
        arg_min_null(events.event_id, events.event_number) as completing_event_id,
        arg_min_null(events.event_ts, events.event_number) as converted_at,
        min(events.event_number) as event_number,
        arg_min_null(events.page_path, events.event_number) as page_path,
        min(goals.goal_value) as value
    from ref_events as events
    inner join (select * from ref_goals where goal_source = 'session_metric') as goals
        on
            case goals.session_metric
                when 'session_duration_s' then events.session_duration_s_to_date
                when 'pageviews' then events.session_pageviews_to_date
                when 'events' then events.event_number
            end > goals.session_metric_above
    group by goals.goal_id, events.session_id, events.visitor_id
),

unioned as (
    select * from event_goal_completions
    union all
    select * from session_metric_completions
)

select
    md5(unioned.goal_id || '|' || unioned.completing_event_id) as conversion_id,
    unioned.goal_id,
    goals.goal_name,
    goals.goal_kind,
    goals.micro_type,
    goals.goal_source,
    unioned.session_id,
    ref_visitors.user_key,
    unioned.visitor_id,
    unioned.event_id,
    unioned.completing_event_id,
    unioned.converted_at,
    unioned.event_number,
    unioned.page_path,
    unioned.value
from unioned
inner join ref_goals as goals on unioned.goal_id = goals.goal_id
inner join ref_visitors on unioned.visitor_id = ref_visitors.visitor_id;

-- 10. Sessions with conversions, numbering and engagement (= fct_sessions).
create or replace table reference.fct_sessions as
with session_conversions as (
    select
        session_id,
        sum(case when goal_kind = 'micro' then 1 else 0 end) as micro_conversions,
        sum(case when goal_kind = 'macro' then 1 else 0 end) as macro_conversions,
        sum(case when micro_type = 'process_milestone' then 1 else 0 end) as process_milestone_conversions,
        sum(case when micro_type = 'secondary_action' then 1 else 0 end) as secondary_action_conversions,
        sum(case when micro_type = 'engagement' then 1 else 0 end) as engagement_conversions,
        sum(case when goal_kind = 'macro' then value else 0 end) as revenue
    from reference.fct_conversions
    group by session_id
),

joined as (
    select
        s.*,
        coalesce(c.micro_conversions, 0) as micro_conversions,
        coalesce(c.macro_conversions, 0) as macro_conversions,
        coalesce(c.process_milestone_conversions, 0) as process_milestone_conversions,
        coalesce(c.secondary_action_conversions, 0) as secondary_action_conversions,
        coalesce(c.engagement_conversions, 0) as engagement_conversions,
        coalesce(c.revenue, 0) as revenue
    from ref_sessions as s
    left join session_conversions as c on s.session_id = c.session_id
)

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
    duration_s > 10 or pageviews >= 2 or macro_conversions > 0 as is_engaged,
    duration_s <= 10 and pageviews < 2 and macro_conversions = 0 as is_bounce
from joined;

-- 11. Goals with their completions (= dim_goals).
create or replace table reference.dim_goals as
with completions as (
    select
        goal_id,
        count(*) as completions,
        count(distinct session_id) as converting_sessions,
        count(distinct user_key) as converting_users,
        sum(value) as total_value,
        min(converted_at) as first_converted_at,
        max(converted_at) as last_converted_at
    from reference.fct_conversions
    group by goal_id
),

total as (
    select count(*) as total_sessions from reference.fct_sessions
)

select
    goals.goal_id, goals.goal_name, goals.goal_kind, goals.micro_type, goals.goal_source, goals.event_name,
    goals.page_path_like, goals.session_metric, goals.session_metric_above, goals.goal_value,
    coalesce(completions.completions, 0) as completions,
    coalesce(completions.converting_sessions, 0) as converting_sessions,
    coalesce(completions.converting_users, 0) as converting_users,
    case
        when total.total_sessions > 0
            then cast(coalesce(completions.converting_sessions, 0) as double) / total.total_sessions
    end as share_of_sessions,
    coalesce(completions.total_value, 0) as total_value,
    completions.first_converted_at,
    completions.last_converted_at
from ref_goals as goals
cross join total
left join completions on goals.goal_id = completions.goal_id;

-- 12. Funnel step completions with their session and user positions.
create or replace temp table ref_completions as
select
    steps.funnel_id,
    steps.step_number,
    steps.goal_id,
    steps.conversion_window_hours,
    c.session_id,
    c.user_key,
    c.completing_event_id,
    c.converted_at,
    c.event_number as session_position,
    dense_rank() over (
        partition by steps.funnel_id, c.user_key order by c.converted_at, c.completing_event_id
    ) as user_position
from reference.fct_conversions as c
inner join ref_steps as steps on c.goal_id = steps.goal_id;

-- 13. Session funnels, greedy: step 1 at its earliest completion, each next step at its earliest completion
-- after the previous one. A recursion over steps, each level one min() per session (= fct_funnel_session_steps).
create or replace table reference.fct_funnel_session_steps as
with recursive matched as (
    select funnel_id, session_id, 1 as step_number, min(session_position) as session_position
    from ref_completions
    where step_number = 1
    group by funnel_id, session_id
    union all
    select matched.funnel_id, matched.session_id, matched.step_number + 1, min(c.session_position)
    from matched
    inner join ref_completions as c
        on
            matched.funnel_id = c.funnel_id
            and matched.session_id = c.session_id
            and matched.step_number + 1 = c.step_number
            and c.session_position > matched.session_position
    group by matched.funnel_id, matched.session_id, matched.step_number
),

reached as (
    select
        matched.funnel_id,
        matched.session_id,
        matched.step_number,
        steps.goal_id,
        any_value(c.converted_at) as reached_at,
        matched.session_position
    from matched
    inner join ref_steps as steps on matched.funnel_id = steps.funnel_id and matched.step_number = steps.step_number
    inner join ref_completions as c
        on
            matched.funnel_id = c.funnel_id
            and matched.session_id = c.session_id
            and matched.step_number = c.step_number
            and matched.session_position = c.session_position
    group by all
)

select
    *,
    (epoch_us(reached_at)
    - epoch_us(lag(reached_at) over (partition by funnel_id, session_id order by step_number))) / 1e6
        as seconds_from_previous_step
from reached;

-- 14. One row per funnel x session that entered (= fct_funnel_sessions).
create or replace table reference.fct_funnel_sessions as
with furthest as (
    select
        funnel_id,
        session_id,
        max(step_number) as furthest_step,
        min(case when step_number = 1 then reached_at end) as started_at,
        max(reached_at) as furthest_reached_at
    from reference.fct_funnel_session_steps
    group by funnel_id, session_id
),

funnels as (
    select distinct funnel_id, total_steps from ref_steps
)

select
    furthest.funnel_id,
    furthest.session_id,
    sessions.user_key,
    sessions.session_date,
    sessions.channel,
    sessions.device_category,
    furthest.furthest_step,
    funnels.total_steps,
    furthest.furthest_step = funnels.total_steps as completed,
    furthest.started_at,
    case when furthest.furthest_step = funnels.total_steps then furthest.furthest_reached_at end as completed_at,
    case
        when furthest.furthest_step = funnels.total_steps
            then (epoch_us(furthest.furthest_reached_at) - epoch_us(furthest.started_at)) / 1e6
    end as seconds_to_complete
from furthest
inner join funnels on furthest.funnel_id = funnels.funnel_id
inner join reference.fct_sessions as sessions on furthest.session_id = sessions.session_id;

-- 15. User funnels: every step-1 completion starts an attempt; the next step is the user's next completion
-- of it (an ASOF join gives every completion its successor once), within the window of the attempt's step 1.
create or replace temp table ref_user_links as
select
    c.funnel_id,
    c.user_key,
    c.step_number,
    c.user_position,
    c.session_id,
    c.converted_at,
    c.conversion_window_hours,
    nxt.user_position as next_step_position
from ref_completions as c
asof left join (select distinct funnel_id, user_key, step_number, user_position from ref_completions) as nxt
    on
        c.funnel_id = nxt.funnel_id
        and c.user_key = nxt.user_key
        and c.step_number + 1 = nxt.step_number
        and nxt.user_position > c.user_position;

create or replace temp table ref_attempts as
with recursive attempts as (
    select
        funnel_id,
        user_key,
        user_position as start_position,
        converted_at + to_seconds(cast(conversion_window_hours * 3600 as integer)) as window_ends_at,
        step_number,
        user_position,
        session_id,
        converted_at as reached_at,
        next_step_position
    from ref_user_links
    where step_number = 1
    union all
    select
        attempts.funnel_id,
        attempts.user_key,
        attempts.start_position,
        attempts.window_ends_at,
        nxt.step_number,
        nxt.user_position,
        nxt.session_id,
        nxt.converted_at,
        nxt.next_step_position
    from attempts
    inner join ref_user_links as nxt
        on
            attempts.funnel_id = nxt.funnel_id
            and attempts.user_key = nxt.user_key
            and attempts.step_number + 1 = nxt.step_number
            and attempts.next_step_position = nxt.user_position
    where nxt.converted_at <= attempts.window_ends_at
)

select funnel_id, user_key, start_position, step_number, session_id, reached_at from attempts;

-- 16. Best attempt per user (= fct_funnel_users).
create or replace table reference.fct_funnel_users as
with attempt_reach as (
    select
        funnel_id,
        user_key,
        start_position,
        max(step_number) as furthest_step,
        min(case when step_number = 1 then reached_at end) as started_at,
        min(case when step_number = 1 then session_id end) as start_session_id,
        max(reached_at) as furthest_reached_at
    from ref_attempts
    group by funnel_id, user_key, start_position
),

best as (
    select
        funnel_id,
        user_key,
        max(furthest_step) as furthest_step,
        count(*) as attempts,
        arg_min(
            struct_pack(started_at, start_session_id, furthest_reached_at),
            struct_pack(neg_step := -furthest_step, start_position)
        ) as best_attempt
    from attempt_reach
    group by funnel_id, user_key
),

funnels as (
    select distinct funnel_id, total_steps from ref_steps
)

select
    best.funnel_id,
    best.user_key,
    best.furthest_step,
    funnels.total_steps,
    best.furthest_step = funnels.total_steps as completed,
    best.best_attempt.started_at as started_at,
    case when best.furthest_step = funnels.total_steps then best.best_attempt.furthest_reached_at end as completed_at,
    case
        when best.furthest_step = funnels.total_steps
            then (epoch_us(best.best_attempt.furthest_reached_at) - epoch_us(best.best_attempt.started_at)) / 1e6
    end as seconds_to_complete,
    best.attempts,
    best.best_attempt.start_session_id as start_session_id,
    sessions.channel as start_channel,
    sessions.device_category as start_device_category
from best
inner join funnels on best.funnel_id = funnels.funnel_id
inner join reference.fct_sessions as sessions on best.best_attempt.start_session_id = sessions.session_id;

-- 17. Day x funnel x step x channel x device (= fct_funnel_daily).
create or replace table reference.fct_funnel_daily as
with sliced as (
    select session_id, session_date, channel, coalesce(device_category, '(not set)') as device_category
    from reference.fct_sessions
),

slices as (
    select session_date, channel, device_category, count(*) as sessions
    from sliced
    group by all
),

reached as (
    select
        sliced.session_date,
        sliced.channel,
        sliced.device_category,
        steps.funnel_id,
        steps.step_number,
        count(*) as sessions_reached,
        median(steps.seconds_from_previous_step) as median_seconds_from_previous_step
    from reference.fct_funnel_session_steps as steps
    inner join sliced on steps.session_id = sliced.session_id
    group by all
),

grid as (
    select
        slices.session_date,
        steps.funnel_id,
        steps.step_number,
        steps.goal_id,
        slices.channel,
        slices.device_category,
        slices.sessions,
        coalesce(reached.sessions_reached, 0) as sessions_reached,
        reached.median_seconds_from_previous_step
    from slices
    cross join ref_steps as steps
    left join reached
        on
            slices.session_date = reached.session_date
            and slices.channel = reached.channel
            and slices.device_category = reached.device_category
            and steps.funnel_id = reached.funnel_id
            and steps.step_number = reached.step_number
),

with_previous as (
    select
        *,
        case
            when step_number = 1 then sessions
            else lag(sessions_reached) over (
                partition by session_date, funnel_id, channel, device_category order by step_number
            )
        end as sessions_reached_previous
    from grid
)

select
    session_date, funnel_id, step_number, goal_id, channel, device_category, sessions,
    sessions_reached_previous, sessions_reached,
    case when sessions_reached_previous > 0 then cast(sessions_reached as double) / sessions_reached_previous end
        as step_conversion_rate,
    sessions_reached_previous - sessions_reached as drop_off,
    median_seconds_from_previous_step
from with_previous;

-- 18. Daily KPIs (= mart_kpi_daily).
create or replace table reference.mart_kpi_daily as
with order_events as (
    select
        c.session_id,
        e.revenue,
        row_number() over (
            partition by coalesce(e.order_id, e.event_id) order by c.converted_at, c.completing_event_id
        ) as order_event_rank
    from reference.fct_conversions as c
    inner join ref_events as e on c.completing_event_id = e.event_id
    where c.goal_kind = 'macro' and e.revenue is not null
),

daily_orders as (
    select s.session_date, count(*) as orders, sum(o.revenue) as order_revenue
    from order_events as o
    inner join reference.fct_sessions as s on o.session_id = s.session_id
    where o.order_event_rank = 1
    group by s.session_date
),

daily_sessions as (
    select
        session_date,
        count(*) as sessions,
        count(distinct user_key) as users,
        count(case when is_engaged then 1 end) as engaged_sessions,
        cast(sum(process_milestone_conversions) as bigint) as process_milestone_conversions,
        cast(sum(secondary_action_conversions) as bigint) as secondary_action_conversions,
        cast(sum(engagement_conversions) as bigint) as engagement_conversions,
        cast(sum(micro_conversions) as bigint) as micro_conversions,
        cast(sum(macro_conversions) as bigint) as macro_conversions,
        count(case when converted then 1 end) as converting_sessions,
        sum(revenue) as revenue
    from reference.fct_sessions
    group by session_date
)

select
    d.session_date,
    d.sessions,
    d.users,
    d.engaged_sessions,
    cast(d.engaged_sessions as double) / d.sessions as engagement_rate,
    d.process_milestone_conversions,
    d.secondary_action_conversions,
    d.engagement_conversions,
    d.micro_conversions,
    d.macro_conversions,
    d.converting_sessions,
    cast(d.converting_sessions as double) / d.sessions as session_conversion_rate,
    d.revenue,
    coalesce(o.orders, 0) as orders,
    coalesce(o.order_revenue, 0) as order_revenue,
    case when o.orders > 0 then cast(o.order_revenue as double) / o.orders end as average_order_value
from daily_sessions as d
left join daily_orders as o on d.session_date = o.session_date;

-- 19. Per loaded file: raw rows = staged + duplicates removed + rejected (= mart_load_reconciliation).
create or replace table reference.mart_load_reconciliation as
with per_load as (
    select
        _load_id,
        count(*) as raw_rows,
        count(*) filter (where reject_reason is null) as valid_rows,
        count(*) filter (where reject_reason is not null) as rejected_rows
    from ref_checks
    group by _load_id
),

staged as (
    select _load_id, count(*) as staged_events from reference.stg_events group by _load_id
)

select
    load_log.load_id,
    load_log.source_file,
    load_log.loaded_at,
    coalesce(per_load.raw_rows, 0) as raw_rows,
    coalesce(staged.staged_events, 0) as staged_events,
    coalesce(per_load.valid_rows, 0) - coalesce(staged.staged_events, 0) as duplicates_removed,
    coalesce(per_load.rejected_rows, 0) as rejected_rows,
    coalesce(per_load.raw_rows, 0) = coalesce(staged.staged_events, 0)
    + (coalesce(per_load.valid_rows, 0) - coalesce(staged.staged_events, 0))
    + coalesce(per_load.rejected_rows, 0) as is_reconciled
from raw.load_log as load_log
left join per_load on load_log.load_id = per_load._load_id
left join staged on load_log.load_id = staged._load_id;

-- The temporary tables go with the connection; drop them now so their memory is free at once.
drop table ref_checks;
drop table ref_later_copies;
drop table ref_events;
drop table ref_visitors;
drop table ref_goals;
drop table ref_steps;
drop table ref_sessions;
drop table ref_completions;
drop table ref_user_links;
drop table ref_attempts;

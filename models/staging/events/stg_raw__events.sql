-- Every raw row of every source (stg_events__unioned), cleaned and typed, with the reason it is rejected
-- (null when valid).
-- A view: writing every raw row out once more costs more than its readers recompute. stg_events reads all
-- of its columns once; stg_events_rejected and mart_load_reconciliation read only the few columns the
-- reject reason needs, and DuckDB computes only those.
{{ config(materialized='view') }}

with

source as (
    select * from {{ ref('stg_events__unioned') }}
),

trimmed as (
    -- Blank or whitespace-only text is missing.
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('event_name') }} as event_name,
        {{ clean_text('event_ts') }} as event_ts_text,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('page_url') }} as page_url,
        {{ clean_text('page_path') }} as page_path,
        {{ clean_text('page_title') }} as page_title,
        {{ clean_text('referrer') }} as referrer,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ clean_text('device_category') }} as device_category,
        {{ clean_text('country') }} as country,
        {{ clean_text('revenue') }} as revenue_text,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('properties') }} as properties,
        {{ clean_text('session_id') }} as tracker_session_id,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from source
),

parsed as (
    select
        event_id,
        event_name,
        {{ parse_utc_timestamp('event_ts_text') }} as event_ts,
        anonymous_id,
        user_id,
        page_url,
        coalesce(page_path, {{ url_path('page_url') }}) as page_path,
        page_title,
        referrer,
        coalesce(utm_source, {{ url_query_param('page_url', 'utm_source') }}) as utm_source,
        coalesce(utm_medium, {{ url_query_param('page_url', 'utm_medium') }}) as utm_medium,
        coalesce(utm_campaign, {{ url_query_param('page_url', 'utm_campaign') }}) as utm_campaign,
        lower(device_category) as device_category,
        country,
        -- A revenue that is not a number becomes null; it does not reject the event.
        {{ try_cast_as('revenue_text', 'decimal(18, 2)') }} as revenue,
        order_id,
        properties,
        tracker_session_id,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from trimmed
),

validated as (
    select
        *,
        -- Rejection reasons in PRODUCT.md's order of precedence.
        case
            when event_id is null then 'missing_event_id'
            when event_ts is null then 'bad_timestamp'
            when
                event_ts < cast('2000-01-01' as timestamp)
                or event_ts > {{ dbt.dateadd('day', 1, '_loaded_at') }}
                then 'timestamp_out_of_range'
            when event_name is null then 'missing_event_name'
            when anonymous_id is null and user_id is null then 'missing_ids'
        end as reject_reason
    from parsed
)

select * from validated

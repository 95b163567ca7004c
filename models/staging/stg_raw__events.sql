-- Every raw row, cleaned and typed once, with the reason it is rejected (null when valid).
with

source as (
    select * from {{ source('raw', 'events') }}
),

cleaned as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('event_name') }} as event_name,
        {{ parse_utc_timestamp(clean_text('event_ts')) }} as event_ts,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('page_url') }} as page_url,
        coalesce({{ clean_text('page_path') }}, {{ url_path(clean_text('page_url')) }}) as page_path,
        {{ clean_text('page_title') }} as page_title,
        {{ clean_text('referrer') }} as referrer,
        coalesce({{ clean_text('utm_source') }}, {{ url_query_param(clean_text('page_url'), 'utm_source') }}) as utm_source,
        coalesce({{ clean_text('utm_medium') }}, {{ url_query_param(clean_text('page_url'), 'utm_medium') }}) as utm_medium,
        coalesce(
            {{ clean_text('utm_campaign') }}, {{ url_query_param(clean_text('page_url'), 'utm_campaign') }}
        ) as utm_campaign,
        lower({{ clean_text('device_category') }}) as device_category,
        {{ clean_text('country') }} as country,
        {{ dbt.safe_cast(clean_text('revenue'), 'decimal(18, 2)') }} as revenue,
        {{ clean_text('order_id') }} as order_id,
        {{ clean_text('properties') }} as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from source
),

validated as (
    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when event_ts is null then 'bad_timestamp'
            when
                event_ts < cast('2000-01-01' as timestamp)
                or event_ts > {{ dbt.dateadd('day', 1, '_loaded_at') }}
                then 'timestamp_out_of_range'
            when event_name is null then 'missing_event_name'
            when anonymous_id is null and user_id is null then 'missing_ids'
        end as reject_reason,
        -- (_load_id, _source_row) packed into one sortable number: "first loaded" = smallest.
        _load_id * 10000000000 + _source_row as load_position
    from cleaned
)

select * from validated

-- Invalid raw rows, with the reason and the raw text values as loaded (for GA4, Segment and Snowplow: as their
-- staging models map them), so they can be fixed and reloaded.
-- Incremental (README "Incremental builds"): appends the rows of the loads after its watermark.
{{ config(
    materialized=incremental_materialization(), incremental_strategy='append', meta={'incremental_watermark': 'own'}
) }}
with

source as (
    select * from {{ ref('stg_events__unioned') }}
    {{ incremental_load_filter() }}
),

rejected as (
    select
        _load_id,
        _source_row,
        reject_reason
    from {{ ref('stg_raw__events') }}
    where reject_reason is not null {{ incremental_load_filter(keyword='and') }}
),

final as (
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
        source.session_id,
        source._load_id,
        source._source_file,
        source._source_row,
        source._loaded_at
    from source
    inner join rejected
        on
            source._load_id = rejected._load_id
            and source._source_row = rejected._source_row
)

select * from final

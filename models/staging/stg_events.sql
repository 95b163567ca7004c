-- Valid events, deduplicated on event_id: the first loaded copy (smallest _load_id, _source_row) wins.
with

validated as (
    select
        *,
        -- (_load_id, _source_row) packed into one sortable number: "first loaded" = the smallest.
        _load_id * 10000000000 + _source_row as load_position
    from {{ ref('stg_raw__events') }}
    where reject_reason is null
),

first_copies as (
    select
        event_id,
        min(load_position) as load_position
    from validated
    group by event_id
),

deduplicated as (
    select validated.*
    from validated
    semi join first_copies
        on
            validated.event_id = first_copies.event_id
            and validated.load_position = first_copies.load_position
),

final as (
    select
        event_id,
        event_name,
        event_ts,
        anonymous_id,
        user_id,
        page_url,
        page_path,
        page_title,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        device_category,
        country,
        revenue,
        order_id,
        properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
)

select * from final

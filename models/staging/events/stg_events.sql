-- Valid events, deduplicated on event_id: the first loaded copy (smallest _load_id, _source_row) wins.
-- Duplicates are rare, so only the event_ids whose hash is seen more than once among valid rows are ranked,
-- and their later copies are dropped with an anti-join on the load keys: no group-by or join over every id.
-- Incremental (README "Incremental builds"): appends the new loads' valid rows whose event_id is not staged yet.
-- A load's _load_id is larger than every earlier load's, so an event_id already staged keeps its first copy.
{{ config(
    materialized=incremental_materialization(), incremental_strategy='append', meta={'incremental_watermark': 'own'}
) }}
{%- set new_ids = 'select event_id from valid_keys' %}
with

valid_keys as (
    select
        event_id,
        _load_id,
        _source_row
    from {{ ref('stg_raw__events') }}
    where reject_reason is null {{ incremental_load_filter(keyword='and') }}
),

repeated_hashes as (
    -- Every repeated event_id, plus the odd hash collision (harmless: ids are compared exactly below).
    select {{ hash_key('event_id') }} as event_id_hash
    from valid_keys
    group by {{ hash_key('event_id') }}
    having count(*) > 1
),

ranked_copies as (
    select
        _load_id,
        _source_row,
        row_number() over (partition by event_id order by _load_id, _source_row) as copy_number
    from valid_keys
    where {{ hash_key('event_id') }} in (select repeated_hashes.event_id_hash from repeated_hashes)
),

later_copies as (
    select
        _load_id,
        _source_row
    from ranked_copies
    where copy_number > 1
),

validated as (
    select * from {{ ref('stg_raw__events') }}
    where reject_reason is null {{ incremental_load_filter(keyword='and') }}
),

deduplicated as (
    select validated.*
    from validated
    left join later_copies
        on
            validated._load_id = later_copies._load_id
            and validated._source_row = later_copies._source_row
    -- In an incremental run, also the copies of an event_id staged by an earlier load (looked up among new ids).
    where later_copies._load_id is null {{ incremental_absent_from_this('validated.event_id', 'event_id', new_ids) }}
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
        tracker_session_id,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
)

select * from final

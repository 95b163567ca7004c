-- One row per loaded file: raw rows = staged events + duplicates removed + rejected rows.
with

load_log as (
    select * from {{ source('raw', 'load_log') }}
),

raw_rows as (
    select
        _load_id,
        count(*) as raw_rows
    from {{ source('raw', 'events') }}
    group by _load_id
),

valid_rows as (
    select
        _load_id,
        count(*) as valid_rows
    from {{ ref('stg_raw__events') }}
    where reject_reason is null
    group by _load_id
),

staged as (
    select
        _load_id,
        count(*) as staged_events
    from {{ ref('stg_events') }}
    group by _load_id
),

rejected as (
    select
        _load_id,
        count(*) as rejected_rows
    from {{ ref('stg_events_rejected') }}
    group by _load_id
),

final as (
    select
        load_log.load_id,
        load_log.source_file,
        load_log.loaded_at,
        coalesce(raw_rows.raw_rows, 0) as raw_rows,
        coalesce(staged.staged_events, 0) as staged_events,
        coalesce(valid_rows.valid_rows, 0) - coalesce(staged.staged_events, 0) as duplicates_removed,
        coalesce(rejected.rejected_rows, 0) as rejected_rows,
        coalesce(raw_rows.raw_rows, 0) = coalesce(staged.staged_events, 0)
        + (coalesce(valid_rows.valid_rows, 0) - coalesce(staged.staged_events, 0))
        + coalesce(rejected.rejected_rows, 0) as is_reconciled
    from load_log
    left join raw_rows on load_log.load_id = raw_rows._load_id
    left join valid_rows on load_log.load_id = valid_rows._load_id
    left join staged on load_log.load_id = staged._load_id
    left join rejected on load_log.load_id = rejected._load_id
)

select * from final

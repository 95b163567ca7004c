-- Nothing is lost: raw rows = staged events + duplicates removed + rejected rows, counted independently.
-- Duplicates = valid rows beyond the first copy of each event_id. Returns a row when the invariant breaks.
with

raw_rows as (
    select count(*) as raw_rows from {{ source('raw', 'events') }}
),

valid_rows as (
    select
        count(*) as valid_rows,
        count(distinct event_id) as distinct_event_ids
    from {{ ref('stg_raw__events') }}
    where reject_reason is null
),

staged as (
    select count(*) as staged_events from {{ ref('stg_events') }}
),

rejected as (
    select count(*) as rejected_rows from {{ ref('stg_events_rejected') }}
),

checked as (
    select
        raw_rows.raw_rows,
        staged.staged_events,
        valid_rows.valid_rows - valid_rows.distinct_event_ids as duplicates_removed,
        rejected.rejected_rows,
        valid_rows.distinct_event_ids
    from raw_rows
    cross join valid_rows
    cross join staged
    cross join rejected
)

select * from checked
where
    raw_rows <> staged_events + duplicates_removed + rejected_rows
    or staged_events <> distinct_event_ids

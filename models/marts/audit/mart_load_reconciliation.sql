-- One row per loaded file: raw rows = staged events + duplicates removed + rejected rows.
-- The one place this rule is computed: the data tests and scripts/check_data.py read this model.
-- Incremental (README "Incremental builds"): a load's counts never change once it is staged (a later copy never
-- wins), so only the loads after the watermark are counted, replacing their rows if any.
{{ config(materialized=incremental_materialization(), incremental_strategy='delete+insert', unique_key='load_id') }}
with

load_log as (
    select * from {{ ref('stg_raw__load_log') }}
    {{ incremental_load_filter('load_id') }}
),

raw_events as (
    select * from {{ ref('stg_raw__events') }}
    {{ incremental_load_filter('_load_id') }}
),

staged_events as (
    select * from {{ ref('stg_events') }}
    {{ incremental_load_filter('_load_id') }}
),

rejected_events as (
    select * from {{ ref('stg_events_rejected') }}
    {{ incremental_load_filter('_load_id') }}
),

counted_raw as (
    select
        _load_id as load_id,
        count(*) as raw_rows,
        count(*) filter (where reject_reason is null) as valid_rows
    from raw_events
    group by _load_id
),

counted_staged as (
    select
        _load_id as load_id,
        count(*) as staged_events
    from staged_events
    group by _load_id
),

counted_rejected as (
    select
        _load_id as load_id,
        count(*) as rejected_rows
    from rejected_events
    group by _load_id
),

load_ids as (
    -- Files of the load log, and raw rows whose load is missing from it (shown, never hidden).
    select load_id from load_log
    union
    select load_id from counted_raw
),

final as (
    select
        load_ids.load_id,
        load_log.source_file,
        load_log.loaded_at,
        load_log.file_rows,
        coalesce(counted_raw.raw_rows, 0) as raw_rows,
        coalesce(counted_staged.staged_events, 0) as staged_events,
        coalesce(counted_raw.valid_rows, 0) - coalesce(counted_staged.staged_events, 0) as duplicates_removed,
        coalesce(counted_rejected.rejected_rows, 0) as rejected_rows,
        coalesce(load_log.file_rows = coalesce(counted_raw.raw_rows, 0), false)
        and coalesce(counted_raw.raw_rows, 0) = coalesce(counted_staged.staged_events, 0)
        + (coalesce(counted_raw.valid_rows, 0) - coalesce(counted_staged.staged_events, 0))
        + coalesce(counted_rejected.rejected_rows, 0) as is_reconciled
    from load_ids
    left join load_log on load_ids.load_id = load_log.load_id
    left join counted_raw on load_ids.load_id = counted_raw.load_id
    left join counted_staged on load_ids.load_id = counted_staged.load_id
    left join counted_rejected on load_ids.load_id = counted_rejected.load_id
)

select * from final

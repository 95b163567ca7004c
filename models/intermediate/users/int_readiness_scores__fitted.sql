{#-
    Recency buckets from var readiness_recency_buckets_days (ascending lower bounds in days since last seen),
    e.g. [0, 7, 14, 30] -> '0-6d', '7-13d', '14-29d', '30d+'. The first bucket always starts at 0.
-#}
{%- set bucket_bounds = var('readiness_recency_buckets_days') | sort -%}
{%- set bucket_rows = [] -%}
{%- for lower in bucket_bounds -%}
{%- if loop.last -%}
{%- set label = lower ~ 'd+' -%}
{%- set upper = 'null' -%}
{%- else -%}
{%- set label = lower ~ '-' ~ (bucket_bounds[loop.index] - 1) ~ 'd' -%}
{%- set upper = bucket_bounds[loop.index] -%}
{%- endif -%}
{%- do bucket_rows.append(
'(' ~ loop.index ~ ', ' ~ (0 if loop.first else lower) ~ ', ' ~ upper ~ ", '" ~ label ~ "')"
) -%}
{%- endfor -%}
-- The readiness score fit: one row per readiness stage x recency bucket (every pair, observed or not) with the
-- smoothed share of snapshots (user x session) of that stage, away at least the bucket's lower bound, that
-- make a macro conversion in a later session.
with

snapshots as (
    select * from {{ ref('int_user_sessions__readiness') }}
),

recency_buckets as (
    select
        buckets.bucket_number,
        cast(buckets.min_days as integer) as min_days,
        cast(buckets.max_days as integer) as max_days,
        buckets.recency_bucket
    from (values {{ bucket_rows | join(', ') }}) as buckets (bucket_number, min_days, max_days, recency_bucket)
),

readiness_stages as (
    select
        readiness_stages.readiness_stage,
        readiness_stages.readiness_stage_order
    from (
        values ('new', 0), ('interest', 1), ('consideration', 2), ('checkout', 3), ('converted', 4)
    ) as readiness_stages (readiness_stage, readiness_stage_order)
),

score_cells as (
    -- A snapshot is evidence for a recency bucket when the user had stayed away at least its lower bound.
    select
        snapshots.readiness_stage,
        recency_buckets.bucket_number,
        count(*) as snapshots,
        count(case when snapshots.converts_later then 1 end) as converted_later
    from snapshots
    inner join recency_buckets on snapshots.days_away_after >= recency_buckets.min_days
    group by snapshots.readiness_stage, recency_buckets.bucket_number
),

baseline as (
    select cast(count(case when converts_later then 1 end) as double) / count(*) as overall_rate
    from snapshots
),

final as (
    select
        readiness_stages.readiness_stage,
        readiness_stages.readiness_stage_order,
        recency_buckets.bucket_number,
        recency_buckets.recency_bucket,
        recency_buckets.min_days,
        recency_buckets.max_days,
        coalesce(score_cells.snapshots, 0) as snapshots,
        coalesce(score_cells.converted_later, 0) as converted_later,
        baseline.overall_rate,
        (coalesce(score_cells.converted_later, 0) + {{ var('readiness_prior_weight') }} * baseline.overall_rate)
        / (coalesce(score_cells.snapshots, 0) + {{ var('readiness_prior_weight') }}) as readiness_score
    from readiness_stages
    cross join recency_buckets
    cross join baseline
    left join score_cells
        on
            readiness_stages.readiness_stage = score_cells.readiness_stage
            and recency_buckets.bucket_number = score_cells.bucket_number
)

select * from final

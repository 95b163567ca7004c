-- Cross-segment explanations: for each flagged period of a device or channel segment (or of 'all'), every
-- segment of the other dimension that could explain it, with the rests that decide whether it does.
{%- set baseline_days = var('alert_baseline_days') | int -%}
{%- set min_previous = [var('alert_min_previous') | int, 1] | max -%}
{%- set min_baseline = [var('alert_min_baseline') | int, 1] | max -%}
{%- set min_relative_drop = var('alert_min_relative_drop') %}

with

periods as (
    select * from {{ ref('int_alert_periods__tested') }}
),

cells as (
    select * from {{ ref('int_alert_cells__periodized') }}
),

flagged as (
    select
        *,
        test_number - row_number() over (
            partition by funnel_id, step_number, segment_type, segment_value order by period_day
        ) as run_number
    from periods
    where is_flagged
),

flagged_runs as (
    -- Runs of flagged periods before explanations; a run bridges periods too small to test.
    select
        funnel_id,
        step_number,
        segment_type,
        segment_value,
        min(period_day) as first_period_day,
        max(period_day) as last_period_day
    from flagged
    group by funnel_id, step_number, segment_type, segment_value, run_number
),

explainers as (
    -- Device and channel segments in a period of one of their runs (flagged, or too small to test inside a run).
    select
        periods.funnel_id,
        periods.step_number,
        periods.period_day,
        periods.segment_type,
        periods.segment_value
    from periods
    inner join flagged_runs
        on
            periods.funnel_id = flagged_runs.funnel_id
            and periods.step_number = flagged_runs.step_number
            and periods.segment_type = flagged_runs.segment_type
            and periods.segment_value = flagged_runs.segment_value
            and periods.period_day >= flagged_runs.first_period_day
            and periods.period_day <= flagged_runs.last_period_day
    where periods.segment_type != 'all'
),

candidates as (
    -- A flagged segment, and an explainer of another dimension in the same funnel step and period.
    select
        flagged.funnel_id,
        flagged.step_number,
        flagged.period_start,
        flagged.period_day,
        flagged.segment_type,
        flagged.segment_value,
        explainers.segment_type as explainer_type,
        explainers.segment_value as explainer_value
    from flagged
    inner join explainers
        on
            flagged.funnel_id = explainers.funnel_id
            and flagged.step_number = explainers.step_number
            and flagged.period_day = explainers.period_day
            and flagged.segment_type != explainers.segment_type
    where {{ 'true' if var('alert_explain_segments') else 'false' }}
),

candidate_cells as (
    -- The cells of the segment or of the explainer, in the period and its baseline window.
    select
        candidates.*,
        cells.sessions_reached_previous,
        cells.sessions_reached,
        case candidates.segment_type
            when 'channel' then candidates.segment_value = cells.channel
            when 'device_category' then candidates.segment_value = cells.device_category
            else true
        end as in_segment,
        case candidates.explainer_type
            when 'channel' then candidates.explainer_value = cells.channel
            else candidates.explainer_value = cells.device_category
        end as in_explainer,
        cells.period_day = candidates.period_day as is_period
    from candidates
    inner join cells
        on
            candidates.funnel_id = cells.funnel_id
            and candidates.step_number = cells.step_number
            and candidates.period_day - {{ baseline_days }} <= cells.period_day
            and candidates.period_day >= cells.period_day
),

rest_cells as (
    -- segment_rest = the segment without the explainer's sessions; explainer_rest = the explainer without
    -- the segment's sessions.
    select
        *,
        in_segment and not in_explainer as segment_rest_cell,
        in_explainer and not in_segment as explainer_rest_cell
    from candidate_cells
),

residual_counts as (
    -- Each rest in the period and in its baseline window.
    select
        funnel_id,
        step_number,
        period_start,
        period_day,
        segment_type,
        segment_value,
        explainer_type,
        explainer_value,
        sum(case when segment_rest_cell and is_period then sessions_reached_previous else 0 end)
            as segment_rest_previous,
        sum(case when segment_rest_cell and is_period then sessions_reached else 0 end)
            as segment_rest_reached,
        sum(case when segment_rest_cell and not is_period then sessions_reached_previous else 0 end)
            as segment_rest_baseline_previous,
        sum(case when segment_rest_cell and not is_period then sessions_reached else 0 end)
            as segment_rest_baseline_reached,
        sum(case when explainer_rest_cell and is_period then sessions_reached_previous else 0 end)
            as explainer_rest_previous,
        sum(case when explainer_rest_cell and is_period then sessions_reached else 0 end)
            as explainer_rest_reached,
        sum(case when explainer_rest_cell and not is_period then sessions_reached_previous else 0 end)
            as explainer_rest_baseline_previous,
        sum(case when explainer_rest_cell and not is_period then sessions_reached else 0 end)
            as explainer_rest_baseline_reached
    from rest_cells
    group by
        funnel_id, step_number, period_start, period_day, segment_type, segment_value, explainer_type, explainer_value
),

residual_scored as (
    -- Does a rest still drop? The alert's thresholds, with the unadjusted p-value (z-test in steps).
    select
        *,
        segment_rest_previous >= {{ min_previous }}
        and segment_rest_baseline_previous >= {{ min_baseline }} as segment_rest_is_testable,
        explainer_rest_previous >= {{ min_previous }}
        and explainer_rest_baseline_previous >= {{ min_baseline }} as explainer_rest_is_testable,
        {{ two_proportion_z_score(
            'segment_rest_reached', 'segment_rest_previous',
            'segment_rest_baseline_reached', 'segment_rest_baseline_previous'
        ) }} as segment_rest_z_score,
        {{ two_proportion_z_score(
            'explainer_rest_reached', 'explainer_rest_previous',
            'explainer_rest_baseline_reached', 'explainer_rest_baseline_previous'
        ) }} as explainer_rest_z_score
    from residual_counts
),

residual_termed as (
    select
        *,
        {{ normal_cdf_term('segment_rest_z_score') }} as segment_rest_z_term,
        {{ normal_cdf_term('explainer_rest_z_score') }} as explainer_rest_z_term
    from residual_scored
),

residual_p_valued as (
    select
        *,
        {{ two_proportion_p_value_from_z(
            'segment_rest_z_score', 'segment_rest_z_term',
            'segment_rest_reached', 'segment_rest_previous',
            'segment_rest_baseline_reached', 'segment_rest_baseline_previous'
        ) }} as segment_rest_p_value,
        {{ two_proportion_p_value_from_z(
            'explainer_rest_z_score', 'explainer_rest_z_term',
            'explainer_rest_reached', 'explainer_rest_previous',
            'explainer_rest_baseline_reached', 'explainer_rest_baseline_previous'
        ) }} as explainer_rest_p_value
    from residual_termed
),

residual_tests as (
    select
        *,
        coalesce(
            segment_rest_is_testable
            and cast(segment_rest_reached as double) / nullif(segment_rest_previous, 0)
            <= (1 - {{ min_relative_drop }})
            * cast(segment_rest_baseline_reached as double) / nullif(segment_rest_baseline_previous, 0)
            and segment_rest_p_value <= {{ var('alert_fdr') }},
            false
        ) as segment_rest_drop_persists,
        coalesce(
            explainer_rest_is_testable
            and cast(explainer_rest_reached as double) / nullif(explainer_rest_previous, 0)
            <= (1 - {{ min_relative_drop }})
            * cast(explainer_rest_baseline_reached as double) / nullif(explainer_rest_baseline_previous, 0)
            and explainer_rest_p_value <= {{ var('alert_fdr') }},
            false
        ) as explainer_rest_drop_persists
    from residual_p_valued
),

final as (
    -- A segment is explained by the explainer when its drop is gone without the explainer's sessions, and
    -- the explainer's drop persists without this segment's sessions, or the explainer is (about) a subset
    -- of it: its rest is too small to test while this segment's rest is not. Segments that explain each
    -- other (an incident at their intersection; identical segments) both stay alerts.
    select
        funnel_id,
        step_number,
        period_start,
        period_day,
        segment_type,
        segment_value,
        explainer_type,
        explainer_value,
        segment_rest_previous,
        segment_rest_reached,
        segment_rest_baseline_previous,
        segment_rest_baseline_reached,
        segment_rest_is_testable,
        segment_rest_p_value,
        segment_rest_drop_persists,
        explainer_rest_previous,
        explainer_rest_reached,
        explainer_rest_baseline_previous,
        explainer_rest_baseline_reached,
        explainer_rest_is_testable,
        explainer_rest_p_value,
        explainer_rest_drop_persists,
        not segment_rest_drop_persists
        and (
            explainer_rest_drop_persists
            or (segment_rest_is_testable and not explainer_rest_is_testable)
        ) as is_explained
    from residual_tests
)

select * from final

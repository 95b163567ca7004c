-- Funnel step alerts: significant drops of a step's conversion rate in a day (or week) for a segment,
-- runs of flagged periods merged into one alert per funnel step x segment.
-- Method and thresholds: models/marts/audit/_audit__models.yml.
{%- set period = var('alert_period') -%}
{%- if period not in ['day', 'week'] -%}
    {{ exceptions.raise_compiler_error("var alert_period must be 'day' or 'week', got '" ~ period ~ "'") }}
{%- endif -%}
{%- set period_days = 1 if period == 'day' else 7 -%}
{%- set baseline_days = var('alert_baseline_days') | int -%}
{%- set min_previous = [var('alert_min_previous') | int, 1] | max -%}
{%- set min_baseline = [var('alert_min_baseline') | int, 1] | max %}

with

funnel_daily as (
    select * from {{ ref('fct_funnel_daily') }}
),

periodized as (
    select
        funnel_id,
        step_number,
        goal_id,
        coalesce(channel, '(not set)') as channel,
        coalesce(device_category, '(not set)') as device_category,
        cast({{ dbt.date_trunc(period, 'session_date') }} as date) as period_start,
        sessions_reached_previous,
        sessions_reached
    from funnel_daily
),

cells as (
    -- Period x funnel step x channel x device_category: the finest grain, re-aggregated from counts.
    select
        funnel_id,
        step_number,
        goal_id,
        channel,
        device_category,
        period_start,
        -- Days since a Monday: orders periods and measures the trailing baseline window.
        {{ dbt.datediff(
            "cast('2000-01-03' as date)", 'period_start', 'day'
        ) }} as period_day,
        sum(sessions_reached_previous) as sessions_reached_previous,
        sum(sessions_reached) as sessions_reached
    from periodized
    group by funnel_id, step_number, goal_id, channel, device_category, period_start
),

segmented as (
    -- Every cell counts in three segments: all sessions, its device_category and its channel.
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'all' as segment_type,
        'all' as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
    union all
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'device_category' as segment_type,
        device_category as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
    union all
    select
        funnel_id,
        step_number,
        goal_id,
        period_start,
        period_day,
        'channel' as segment_type,
        channel as segment_value,
        sessions_reached_previous,
        sessions_reached
    from cells
),

aggregated as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        period_start,
        period_day,
        sum(sessions_reached_previous) as sessions_reached_previous,
        sum(sessions_reached) as sessions_reached
    from segmented
    group by funnel_id, step_number, goal_id, segment_type, segment_value, period_start, period_day
),

windowed as (
    -- Baseline: the same funnel step and segment in the periods of the trailing window, pooled.
    select
        *,
        sum(sessions_reached_previous) over (
            partition by funnel_id, step_number, segment_type, segment_value
            order by period_day
            range between {{ baseline_days }} preceding and 1 preceding
        ) as window_sessions_reached_previous,
        sum(sessions_reached) over (
            partition by funnel_id, step_number, segment_type, segment_value
            order by period_day
            range between {{ baseline_days }} preceding and 1 preceding
        ) as window_sessions_reached
    from aggregated
),

baselined as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        period_start,
        cast({{ dbt.dateadd('day', period_days - 1, 'period_start') }} as date) as period_end,
        period_day,
        sessions_reached_previous,
        sessions_reached,
        coalesce(window_sessions_reached_previous, 0) as baseline_sessions_reached_previous,
        coalesce(window_sessions_reached, 0) as baseline_sessions_reached
    from windowed
),

tested as (
    -- Only periods and baselines large enough to judge are tested (and counted in the BH family).
    select
        *,
        cast(sessions_reached as double) / sessions_reached_previous as rate,
        cast(baseline_sessions_reached as double) / baseline_sessions_reached_previous as baseline_rate,
        {{ two_proportion_p_value(
            'sessions_reached', 'sessions_reached_previous',
            'baseline_sessions_reached', 'baseline_sessions_reached_previous'
        ) }} as p_value
    from baselined
    where
        sessions_reached_previous >= {{ min_previous }}
        and baseline_sessions_reached_previous >= {{ min_baseline }}
),

ranked as (
    -- The BH family: every test run in this build (all funnels, steps, segments and periods).
    select
        *,
        count(*) over () as tests,
        row_number() over (
            order by p_value, funnel_id, step_number, segment_type, segment_value, period_start
        ) as p_rank,
        -- Tested periods numbered per funnel step and segment: untested periods do not break a run.
        row_number() over (
            partition by funnel_id, step_number, segment_type, segment_value order by period_day
        ) as test_number
    from tested
),

adjusted as (
    select
        *,
        {{ bh_q_value('p_value', 'p_rank', 'tests') }} as q_value
    from ranked
),

flagged as (
    -- Significant drops that are large enough; increases never alert.
    select *
    from adjusted
    where
        q_value <= {{ var('alert_fdr') }}
        and rate < baseline_rate
        and rate <= (1 - {{ var('alert_min_relative_drop') }}) * baseline_rate
),

flagged_numbered as (
    select
        *,
        test_number - row_number() over (
            partition by funnel_id, step_number, segment_type, segment_value order by period_day
        ) as run_number
    from flagged
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
    from flagged_numbered
    group by funnel_id, step_number, segment_type, segment_value, run_number
),

explainers as (
    -- Device and channel segments in a period of one of their runs (flagged, or too small to test inside a run).
    select
        baselined.funnel_id,
        baselined.step_number,
        baselined.period_day,
        baselined.segment_type,
        baselined.segment_value
    from baselined
    inner join flagged_runs
        on
            baselined.funnel_id = flagged_runs.funnel_id
            and baselined.step_number = flagged_runs.step_number
            and baselined.segment_type = flagged_runs.segment_type
            and baselined.segment_value = flagged_runs.segment_value
            and baselined.period_day >= flagged_runs.first_period_day
            and baselined.period_day <= flagged_runs.last_period_day
    where baselined.segment_type != 'all'
),

explanation_candidates as (
    -- A flagged segment, and an explainer of another dimension in the same funnel step and period.
    select
        flagged.funnel_id,
        flagged.step_number,
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
    from explanation_candidates as candidates
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
        period_day,
        segment_type,
        segment_value,
        explainer_type,
        explainer_value,
        sum(case
            when segment_rest_cell and is_period then sessions_reached_previous else 0
        end) as segment_rest_previous,
        sum(case
            when segment_rest_cell and is_period then sessions_reached else 0
        end) as segment_rest_reached,
        sum(case
            when segment_rest_cell and not is_period then sessions_reached_previous else 0
        end) as segment_rest_baseline_previous,
        sum(case
            when segment_rest_cell and not is_period then sessions_reached else 0
        end) as segment_rest_baseline_reached,
        sum(case
            when explainer_rest_cell and is_period then sessions_reached_previous else 0
        end) as explainer_rest_previous,
        sum(case
            when explainer_rest_cell and is_period then sessions_reached else 0
        end) as explainer_rest_reached,
        sum(case
            when explainer_rest_cell and not is_period then sessions_reached_previous else 0
        end) as explainer_rest_baseline_previous,
        sum(case
            when explainer_rest_cell and not is_period then sessions_reached else 0
        end) as explainer_rest_baseline_reached
    from rest_cells
    group by funnel_id, step_number, period_day, segment_type, segment_value, explainer_type, explainer_value
),

residual_testable as (
    select
        *,
        segment_rest_previous >= {{ min_previous }}
        and segment_rest_baseline_previous >= {{ min_baseline }} as segment_rest_is_testable,
        explainer_rest_previous >= {{ min_previous }}
        and explainer_rest_baseline_previous >= {{ min_baseline }} as explainer_rest_is_testable
    from residual_counts
),

residual_tests as (
    -- Does a rest still drop? The alert's thresholds, with the unadjusted p-value.
    select
        *,
        coalesce(
            segment_rest_is_testable
            and cast(segment_rest_reached as double) / nullif(segment_rest_previous, 0)
            <= (1 - {{ var('alert_min_relative_drop') }})
            * cast(segment_rest_baseline_reached as double) / nullif(segment_rest_baseline_previous, 0)
            and {{ two_proportion_p_value(
                'segment_rest_reached', 'segment_rest_previous',
                'segment_rest_baseline_reached', 'segment_rest_baseline_previous',
            ) }} <= {{ var('alert_fdr') }},
            false
        ) as segment_rest_drop_persists,
        coalesce(
            explainer_rest_is_testable
            and cast(explainer_rest_reached as double) / nullif(explainer_rest_previous, 0)
            <= (1 - {{ var('alert_min_relative_drop') }})
            * cast(explainer_rest_baseline_reached as double) / nullif(explainer_rest_baseline_previous, 0)
            and {{ two_proportion_p_value(
                'explainer_rest_reached', 'explainer_rest_previous',
                'explainer_rest_baseline_reached', 'explainer_rest_baseline_previous',
            ) }} <= {{ var('alert_fdr') }},
            false
        ) as explainer_rest_drop_persists
    from residual_testable
),

explained as (
    -- A segment is explained by the explainer when its drop is gone without the explainer's sessions, and
    -- the explainer's drop persists without this segment's sessions, or the explainer is (about) a subset
    -- of it: its rest is too small to test while this segment's rest is not. Segments that explain each
    -- other (an incident at their intersection; identical segments) both stay alerts.
    select
        funnel_id,
        step_number,
        period_day,
        segment_type,
        segment_value,
        explainer_type,
        explainer_value
    from residual_tests
    where
        not segment_rest_drop_persists
        and (
            explainer_rest_drop_persists
            or (segment_rest_is_testable and not explainer_rest_is_testable)
        )
),

explained_segments as (
    select distinct
        funnel_id,
        step_number,
        period_day,
        segment_type,
        segment_value
    from explained
),

unexplained as (
    select flagged.*
    from flagged
    left join explained_segments
        on
            flagged.funnel_id = explained_segments.funnel_id
            and flagged.step_number = explained_segments.step_number
            and flagged.period_day = explained_segments.period_day
            and flagged.segment_type = explained_segments.segment_type
            and flagged.segment_value = explained_segments.segment_value
    where explained_segments.funnel_id is null
),

islands as (
    -- Flagged periods with no other tested period of their funnel step and segment between them share an
    -- island number (periods too small to test, e.g. a quiet day inside an incident, do not split it).
    select
        *,
        test_number - row_number() over (
            partition by funnel_id, step_number, segment_type, segment_value order by period_day
        ) as island
    from unexplained
),

merged as (
    -- One row per run; its baseline is the first flagged period's (the window before the alert).
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        island,
        min(period_start) as alert_start,
        max(period_end) as alert_end,
        min(period_day) as first_period_day,
        max(period_day) as last_period_day,
        count(*) as flagged_periods,
        {{ first_by('baseline_sessions_reached_previous', 'period_day') }} as baseline_sessions_reached_previous,
        {{ first_by('baseline_sessions_reached', 'period_day') }} as baseline_sessions_reached,
        min(p_value) as p_value,
        min(q_value) as q_value,
        max(tests) as tests
    from islands
    group by funnel_id, step_number, goal_id, segment_type, segment_value, island
),

window_counts as (
    -- Counts over every period from alert_start to alert_end, the untested ones between included.
    select
        merged.funnel_id,
        merged.step_number,
        merged.segment_type,
        merged.segment_value,
        merged.island,
        count(*) as periods,
        sum(baselined.sessions_reached_previous) as sessions_reached_previous,
        sum(baselined.sessions_reached) as sessions_reached
    from merged
    inner join baselined
        on
            merged.funnel_id = baselined.funnel_id
            and merged.step_number = baselined.step_number
            and merged.segment_type = baselined.segment_type
            and merged.segment_value = baselined.segment_value
            and merged.first_period_day <= baselined.period_day
            and merged.last_period_day >= baselined.period_day
    group by merged.funnel_id, merged.step_number, merged.segment_type, merged.segment_value, merged.island
),

related as (
    -- The segments an alert explains (e.g. 'all', and channels whose drop is its drop) in its window.
    select distinct
        merged.funnel_id,
        merged.step_number,
        merged.segment_type,
        merged.segment_value,
        merged.island,
        case
            when explained.segment_type = 'all' then 'all'
            else {{ dbt.concat(['explained.segment_type', "'='", 'explained.segment_value']) }}
        end as related_segment
    from merged
    inner join explained
        on
            merged.funnel_id = explained.funnel_id
            and merged.step_number = explained.step_number
            and merged.segment_type = explained.explainer_type
            and merged.segment_value = explained.explainer_value
            and merged.first_period_day <= explained.period_day
            and merged.last_period_day >= explained.period_day
),

related_lists as (
    select
        funnel_id,
        step_number,
        segment_type,
        segment_value,
        island,
        {{ dbt.listagg('related_segment', "', '", 'order by related_segment') }} as related_segments
    from related
    group by funnel_id, step_number, segment_type, segment_value, island
),

measured as (
    select
        merged.funnel_id,
        merged.step_number,
        merged.goal_id,
        merged.segment_type,
        merged.segment_value,
        merged.alert_start,
        merged.alert_end,
        window_counts.periods,
        merged.flagged_periods,
        window_counts.sessions_reached_previous,
        window_counts.sessions_reached,
        cast(window_counts.sessions_reached as double) / window_counts.sessions_reached_previous as rate,
        merged.baseline_sessions_reached_previous,
        merged.baseline_sessions_reached,
        cast(merged.baseline_sessions_reached as double) / merged.baseline_sessions_reached_previous as baseline_rate,
        merged.p_value,
        merged.q_value,
        merged.tests,
        related_lists.related_segments
    from merged
    inner join window_counts
        on
            merged.funnel_id = window_counts.funnel_id
            and merged.step_number = window_counts.step_number
            and merged.segment_type = window_counts.segment_type
            and merged.segment_value = window_counts.segment_value
            and merged.island = window_counts.island
    left join related_lists
        on
            merged.funnel_id = related_lists.funnel_id
            and merged.step_number = related_lists.step_number
            and merged.segment_type = related_lists.segment_type
            and merged.segment_value = related_lists.segment_value
            and merged.island = related_lists.island
),

typed as (
    -- The type is decided on the whole alert (pooled rate), so days alternating lost / dropped stay one alert.
    select
        *,
        case
            when rate < {{ var('alert_lost_step_max_ratio') }} * baseline_rate then 'step_lost'
            else 'rate_drop'
        end as alert_type
    from measured
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'funnel_id', "'|'", 'cast(step_number as ' ~ dbt.type_string() ~ ')', "'|'",
            'segment_type', "'|'", 'segment_value', "'|" ~ period ~ "|'",
            'cast(alert_start as ' ~ dbt.type_string() ~ ')',
        ])) }} as alert_id,
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        '{{ period }}' as alert_period,
        alert_start,
        alert_end,
        cast(periods as bigint) as periods,
        cast(flagged_periods as bigint) as flagged_periods,
        alert_type,
        case
            when alert_type = 'step_lost' then 'critical'
            when rate <= 0.5 * baseline_rate then 'high'
            else 'medium'
        end as severity,
        cast(sessions_reached_previous as bigint) as sessions_reached_previous,
        cast(sessions_reached as bigint) as sessions_reached,
        rate,
        cast(baseline_sessions_reached_previous as bigint) as baseline_sessions_reached_previous,
        cast(baseline_sessions_reached as bigint) as baseline_sessions_reached,
        baseline_rate,
        rate / baseline_rate - 1 as relative_change,
        cast(round(baseline_rate * sessions_reached_previous - sessions_reached) as bigint) as sessions_lost,
        p_value,
        q_value,
        cast(tests as bigint) as tests,
        related_segments
    from typed
)

select * from final

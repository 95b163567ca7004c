-- Funnel step alerts: runs of flagged periods (significant drops of a step's conversion rate in a day or week
-- for a segment, int_alert_periods__tested) that no other segment explains (int_alert_periods__explained),
-- merged into one alert per funnel step x segment. Method and thresholds: models/marts/audit/_audit__models.yml.
{%- set period = var('alert_period') %}

with

periods as (
    select * from {{ ref('int_alert_periods__tested') }}
),

explanations as (
    select * from {{ ref('int_alert_periods__explained') }}
),

explained as (
    select * from explanations
    where is_explained
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
    select periods.*
    from periods
    left join explained_segments
        on
            periods.funnel_id = explained_segments.funnel_id
            and periods.step_number = explained_segments.step_number
            and periods.period_day = explained_segments.period_day
            and periods.segment_type = explained_segments.segment_type
            and periods.segment_value = explained_segments.segment_value
    where periods.is_flagged and explained_segments.funnel_id is null
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
        sum(periods.sessions_reached_previous) as sessions_reached_previous,
        sum(periods.sessions_reached) as sessions_reached
    from merged
    inner join periods
        on
            merged.funnel_id = periods.funnel_id
            and merged.step_number = periods.step_number
            and merged.segment_type = periods.segment_type
            and merged.segment_value = periods.segment_value
            and merged.first_period_day <= periods.period_day
            and merged.last_period_day >= periods.period_day
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

-- Every period of every funnel step x segment, tested against its trailing baseline when both samples are
-- large enough: pooled two-proportion z-test, Benjamini-Hochberg q-value over every test of the build, and the
-- outcome (why a period is, or is not, a flagged drop).
{%- set min_previous = [var('alert_min_previous') | int, 1] | max -%}
{%- set min_baseline = [var('alert_min_baseline') | int, 1] | max %}

with

periods as (
    select * from {{ ref('int_alert_periods__baselined') }}
),

testable as (
    -- Only periods and baselines large enough to judge are tested (and counted in the BH family).
    select
        *,
        (
            sessions_reached_previous >= {{ min_previous }}
            and baseline_sessions_reached_previous >= {{ min_baseline }}
        ) as is_tested
    from periods
),

scored as (
    select
        *,
        case
            when is_tested then cast(sessions_reached as double) / sessions_reached_previous
        end as rate,
        case
            when is_tested then cast(baseline_sessions_reached as double) / baseline_sessions_reached_previous
        end as baseline_rate,
        case
            when is_tested then {{ two_proportion_z_score(
                'sessions_reached', 'sessions_reached_previous',
                'baseline_sessions_reached', 'baseline_sessions_reached_previous'
            ) }}
        end as z_score
    from testable
),

termed as (
    select
        *,
        {{ normal_cdf_term('z_score') }} as z_term
    from scored
),

p_valued as (
    select
        *,
        case
            when is_tested then {{ two_proportion_p_value_from_z(
                'z_score', 'z_term',
                'sessions_reached', 'sessions_reached_previous',
                'baseline_sessions_reached', 'baseline_sessions_reached_previous'
            ) }}
        end as p_value
    from termed
),

ranked as (
    -- The BH family: every test run in this build (all funnels, steps, segments and periods).
    select
        *,
        sum(case when is_tested then 1 else 0 end) over () as family_tests,
        row_number() over (
            partition by is_tested
            order by p_value, funnel_id, step_number, segment_type, segment_value, period_start
        ) as family_rank,
        -- Tested periods numbered per funnel step and segment: untested periods do not break a run.
        row_number() over (
            partition by funnel_id, step_number, segment_type, segment_value, is_tested order by period_day
        ) as tested_number
    from p_valued
),

adjusted as (
    select
        *,
        case when is_tested then family_tests end as tests,
        case when is_tested then family_rank end as p_rank,
        case when is_tested then tested_number end as test_number,
        case
            when is_tested then {{ bh_q_value('p_value', 'family_rank', 'family_tests', partition_by='is_tested') }}
        end as q_value
    from ranked
),

judged as (
    -- Flagged: significant drops that are large enough; increases never alert.
    select
        *,
        case
            when not is_tested then 'not_tested'
            when q_value > {{ var('alert_fdr') }} then 'not_significant'
            when rate >= baseline_rate then 'rise'
            when rate > (1 - {{ var('alert_min_relative_drop') }}) * baseline_rate then 'small_drop'
            else 'flagged'
        end as outcome
    from adjusted
),

final as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        period_start,
        period_end,
        period_day,
        sessions_reached_previous,
        sessions_reached,
        baseline_sessions_reached_previous,
        baseline_sessions_reached,
        is_tested,
        rate,
        baseline_rate,
        z_score,
        p_value,
        p_rank,
        tests,
        q_value,
        test_number,
        outcome,
        outcome = 'flagged' as is_flagged
    from judged
)

select * from final

-- The generated data set of `make test` (Makefile TEST_ALERT_*: scripts/generate_events.py with its planted
-- incident, mobile add_payment_info from 2026-10-06 to 2026-10-12) must raise exactly one alert: the
-- incident's. Returns the expected alert when it is missing or different, and every other alert.
-- Enabled only for that build (var alert_expect_planted_incident), as the alerts depend on the data.
{{ config(enabled=var('alert_expect_planted_incident') | as_bool) }}

with

alerts as (
    select * from {{ ref('mart_funnel_alerts') }}
),

expected as (
    select
        'purchase' as funnel_id,
        5 as step_number,
        'payment_info' as goal_id,
        'device_category' as segment_type,
        'mobile' as segment_value,
        cast('2026-10-06' as date) as alert_start,
        cast('2026-10-12' as date) as alert_end,
        'step_lost' as alert_type
),

actual as (
    select
        funnel_id,
        step_number,
        goal_id,
        segment_type,
        segment_value,
        alert_start,
        alert_end,
        alert_type
    from alerts
),

missing as (
    select
        'missing' as problem,
        *
    from (
        select * from expected
        except
        select * from actual
    ) as missing_alerts
),

unexpected as (
    select
        'unexpected' as problem,
        *
    from (
        select * from actual
        except
        select * from expected
    ) as unexpected_alerts
),

final as (
    select * from missing
    union all
    select * from unexpected
)

select * from final

-- add_microseconds: fractional hours stay exact, and windows beyond the int32 range of microseconds work.
with

cases as (
    select
        {{ add_microseconds("cast('2026-09-01 10:00:00' as timestamp)", 'cast(1800000000 as bigint)') }} as actual,
        cast('2026-09-01 10:30:00' as timestamp) as expected
    union all
    select
        {{ add_microseconds("cast('2026-09-01 10:00:00' as timestamp)", 'cast(259200000000 as bigint)') }} as actual,
        cast('2026-09-04 10:00:00' as timestamp) as expected
    union all
    select
        {{ add_microseconds("cast('2026-09-01 10:00:00' as timestamp)", 'cast(1 as bigint)') }} as actual,
        cast('2026-09-01 10:00:00.000001' as timestamp) as expected
)

select *
from cases
where actual <> expected

-- Known values of macro next_instants_after (macros/engine/next_instants.sql, dispatched: an ASOF join on DuckDB,
-- distinct instants with lead elsewhere); returns failures.
with

instants as (
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:00' as timestamp) as at_time
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:00' as timestamp) as at_time
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:05' as timestamp) as at_time
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:05' as timestamp) as at_time
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:01:00' as timestamp) as at_time
    union all
    select
        'b' as unit_key,
        cast('2026-09-01 09:00:00' as timestamp) as at_time
    union all
    select
        'b' as unit_key,
        cast('2026-09-01 11:00:00' as timestamp) as at_time
),

looked_up as (
    select
        unit_key,
        at_time
    from instants
    where not (unit_key = 'b' and at_time = cast('2026-09-01 09:00:00' as timestamp))
),

next_instants as (
    {{ next_instants_after('looked_up', 'unit_key', 'at_time', 'instants', 'unit_key', 'at_time') }}
),

expected as (
    -- a at 10:00:00 (twice): the next instant is 10:00:05, not the other event at 10:00:00; a at 10:00:05
    -- (twice): 10:01:00; a at 10:01:00: none. b at 11:00:00: none (b's 09:00:00 is earlier, another unit's
    -- instants are not looked at). One row per key x instant.
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:00' as timestamp) as at_time,
        cast('2026-09-01 10:00:05' as timestamp) as next_instant_at
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:00:05' as timestamp) as at_time,
        cast('2026-09-01 10:01:00' as timestamp) as next_instant_at
    union all
    select
        'a' as unit_key,
        cast('2026-09-01 10:01:00' as timestamp) as at_time,
        cast(null as timestamp) as next_instant_at
    union all
    select
        'b' as unit_key,
        cast('2026-09-01 11:00:00' as timestamp) as at_time,
        cast(null as timestamp) as next_instant_at
),

mismatches as (
    select
        'missing or wrong' as problem,
        expected.unit_key,
        expected.at_time
    from expected
    left join next_instants
        on
            expected.unit_key = next_instants.unit_key
            and expected.at_time = next_instants.at_time
            and coalesce(expected.next_instant_at, cast('1900-01-01' as timestamp))
            = coalesce(next_instants.next_instant_at, cast('1900-01-01' as timestamp))
    where next_instants.unit_key is null
    union all
    select
        'extra row' as problem,
        next_instants.unit_key,
        next_instants.at_time
    from next_instants
    left join expected
        on
            next_instants.unit_key = expected.unit_key
            and next_instants.at_time = expected.at_time
    where expected.unit_key is null
    union all
    select
        'row repeated' as problem,
        unit_key,
        at_time
    from next_instants
    group by unit_key, at_time
    having count(*) > 1
)

select * from mismatches

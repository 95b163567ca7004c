-- Known values of the engine-specific (dispatched) macros in macros/engine/: every engine's implementation
-- must give these results. Each case compares text, so one query covers values of any type; returns failures.
with

samples as (
    select
        '  padded value ' || chr(9) as padded_text,
        'ready' as clean_value,
        ' ' || chr(10) as blank_text,
        'https://Shop.Example.com:443/cart/item?utm_source=news+letter&x=1#top' as full_url,
        'shop.example.com' as bare_host_url,
        '2026-03-29T01:30:00+02:00' as offset_text,
        '2026-03-28 23:30:00.5Z' as zulu_text,
        '2026-03-28 23:30:00' as naive_text,
        'not a time' as bad_text,
        '12.5' as number_text,
        'n/a' as not_number_text
),

parsed as (
    select
        *,
        {{ parse_utc_timestamp('offset_text') }} as offset_ts,
        {{ parse_utc_timestamp('zulu_text') }} as zulu_ts,
        {{ parse_utc_timestamp('naive_text') }} as naive_ts
    from samples
),

cases as (
    select
        'clean_text trims blanks' as case_name,
        {{ clean_text('padded_text') }} as actual,
        'padded value' as expected
    from parsed
    union all
    select
        'clean_text keeps clean text' as case_name,
        {{ clean_text('clean_value') }} as actual,
        'ready' as expected
    from parsed
    union all
    select
        'clean_text blank is null' as case_name,
        coalesce({{ clean_text('blank_text') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'regex_matches' as case_name,
        case when {{ regex_matches('full_url', "'^https?://'") }} then 'yes' else 'no' end as actual,
        'yes' as expected
    from parsed
    union all
    select
        'url_query_param decodes' as case_name,
        {{ url_query_param('full_url', 'utm_source') }} as actual,
        'news letter' as expected
    from parsed
    union all
    select
        'url_query_param absent is null' as case_name,
        coalesce({{ url_query_param('full_url', 'utm_medium') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'url_path' as case_name,
        {{ url_path('full_url') }} as actual,
        '/cart/item' as expected
    from parsed
    union all
    select
        'url_host' as case_name,
        {{ url_host('full_url') }} as actual,
        'shop.example.com' as expected
    from parsed
    union all
    select
        'url_host without scheme is null' as case_name,
        coalesce({{ url_host('bare_host_url') }}, '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'parse_utc_timestamp converts an offset to UTC' as case_name,
        {{ timestamp_key('offset_ts') }} as actual,
        '2026-03-28T23:30:00.000000Z' as expected
    from parsed
    union all
    select
        'parse_utc_timestamp Z with fraction' as case_name,
        {{ timestamp_key('zulu_ts') }} as actual,
        '2026-03-28T23:30:00.500000Z' as expected
    from parsed
    union all
    select
        'parse_utc_timestamp no offset is UTC' as case_name,
        {{ timestamp_key('naive_ts') }} as actual,
        '2026-03-28T23:30:00.000000Z' as expected
    from parsed
    union all
    select
        'parse_utc_timestamp unparseable is null' as case_name,
        coalesce(cast({{ parse_utc_timestamp('bad_text') }} as {{ dbt.type_string() }}), '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'seconds_between keeps fractions' as case_name,
        cast({{ seconds_between('naive_ts', 'zulu_ts') }} as {{ dbt.type_string() }}) as actual,
        '0.5' as expected
    from parsed
    union all
    select
        'try_cast_as number' as case_name,
        cast({{ try_cast_as('number_text', 'double') }} as {{ dbt.type_string() }}) as actual,
        '12.5' as expected
    from parsed
    union all
    select
        'try_cast_as not a number is null' as case_name,
        coalesce(cast({{ try_cast_as('not_number_text', 'double') }} as {{ dbt.type_string() }}), '(null)') as actual,
        '(null)' as expected
    from parsed
    union all
    select
        'percent_text' as case_name,
        {{ percent_text('0.3127') }} as actual,
        '31.3%' as expected
    from parsed
    union all
    select
        'hash_key is deterministic' as case_name,
        case when {{ hash_key('clean_value') }} = {{ hash_key("'ready'") }} then 'yes' else 'no' end as actual,
        'yes' as expected
    from parsed
),

failures as (
    select *
    from cases
    where actual is null or actual <> expected
)

select * from failures

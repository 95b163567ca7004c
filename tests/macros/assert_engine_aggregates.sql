-- Known values of the dispatched aggregate macros (macros/engine/aggregates.sql); returns failures.
with

observations as (
    select
        1 as group_key,
        3 as sort_position,
        'c' as step_label,
        10.0 as amount
    union all
    select
        1 as group_key,
        1 as sort_position,
        cast(null as {{ dbt.type_string() }}) as step_label,
        20.0 as amount
    union all
    select
        1 as group_key,
        2 as sort_position,
        'b' as step_label,
        40.0 as amount
    union all
    select
        1 as group_key,
        4 as sort_position,
        'd' as step_label,
        30.0 as amount
),

aggregated as (
    select
        group_key,
        {{ first_by('step_label', 'sort_position') }} as first_label,
        {{ last_by('step_label', 'sort_position') }} as last_label,
        {{ median('amount') }} as median_amount,
        {{ ordered_string_agg('step_label', "', '", 'sort_position') }} as labels
    from observations
    group by group_key
),

windowed as (
    -- Running from the largest sort_position down: at 1 (a null label) the last non-null so far is still 'b'.
    select
        sort_position,
        {{ last_value_ignore_nulls('step_label') }} over (
            partition by group_key order by sort_position desc rows between unbounded preceding and current row
        ) as last_label_so_far
    from observations
),

cases as (
    select
        'last_value_ignore_nulls skips nulls' as case_name,
        {{ ordered_string_agg("coalesce(last_label_so_far, '(null)')", "', '", 'sort_position') }} as actual,
        'b, b, c, d' as expected
    from windowed
    union all
    select
        'first_by keeps a null first value' as case_name,
        coalesce(first_label, '(null)') as actual,
        '(null)' as expected
    from aggregated
    union all
    select
        'last_by' as case_name,
        last_label as actual,
        'd' as expected
    from aggregated
    union all
    select
        'median of an even count' as case_name,
        cast(median_amount as {{ dbt.type_string() }}) as actual,
        '25.0' as expected
    from aggregated
    union all
    select
        'ordered_string_agg in order, nulls skipped' as case_name,
        labels as actual,
        'b, c, d' as expected
    from aggregated
),

failures as (
    select *
    from cases
    where actual is null or actual <> expected
)

select * from failures

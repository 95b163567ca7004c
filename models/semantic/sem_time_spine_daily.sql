-- MetricFlow's day time spine: one row per day, 2020-01-01 up to (not including) 2036-01-01.
-- dbt's cross-database date_spine macro, so the model runs on every engine the project supports.
{{ config(materialized='table', schema='semantic') }}

with

days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('2020-01-01' as date)",
        end_date="cast('2036-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final

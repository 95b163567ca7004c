-- Known values of the statistics macros (reference values from scipy.stats); returns failing cases.
with

cases as (
    select
        'normal_cdf(1.96)' as case_name,
        {{ normal_cdf('1.96') }} as actual,
        0.9750021048517795 as expected
    union all
    select
        'normal_cdf(-1.0)' as case_name,
        {{ normal_cdf('-1.0') }} as actual,
        0.15865525393145707 as expected
    union all
    select
        'normal_cdf(0)' as case_name,
        {{ normal_cdf('0.0') }} as actual,
        0.5 as expected
    union all
    -- 2-proportion pooled z-test, 45/100 vs 30/100: z = 2.19089, p = 0.0284597
    select
        'two_proportion_p_value(45/100, 30/100)' as case_name,
        {{ two_proportion_p_value('45', '100', '30', '100') }} as actual,
        0.0284597 as expected
    union all
    select
        'two_proportion_p_value(0/50, 0/60)' as case_name,
        {{ two_proportion_p_value('0', '50', '0', '60') }} as actual,
        1.0 as expected
),

failures as (
    select *
    from cases
    where abs(actual - expected) > 1e-5
)

select * from failures

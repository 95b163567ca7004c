-- Known values of the Wilson and Newcombe interval macros; returns failing cases.
-- References: Newcombe (1998), Stat Med 17:873-890, table II example (56/70 vs 48/80: 0.0524 to 0.3339),
-- and statsmodels proportion_confint(45, 100, method='wilson') = (0.356145, 0.547554).
with

cases as (
    select
        'wilson_lower(45, 100)' as case_name,
        {{ wilson_lower('45', '100') }} as actual,
        0.3561453797951198 as expected
    union all
    select
        'wilson_upper(45, 100)' as case_name,
        {{ wilson_upper('45', '100') }} as actual,
        0.5475539700255787 as expected
    union all
    select
        'newcombe_diff_lower(56/70, 48/80)' as case_name,
        {{ newcombe_diff_lower('56', '70', '48', '80') }} as actual,
        0.05243147240236498 as expected
    union all
    select
        'newcombe_diff_upper(56/70, 48/80)' as case_name,
        {{ newcombe_diff_upper('56', '70', '48', '80') }} as actual,
        0.333872654036906 as expected
    union all
    -- A 0% group: the interval stays within [-1, 1] and is not degenerate.
    select
        'newcombe_diff_lower(5/10, 0/10)' as case_name,
        {{ newcombe_diff_lower('5', '10', '0', '10') }} as actual,
        0.11736746745022214 as expected
    union all
    select
        'newcombe_diff_upper(5/10, 0/10)' as case_name,
        {{ newcombe_diff_upper('5', '10', '0', '10') }} as actual,
        0.763406909487436 as expected
    union all
    select
        'wilson_lower(0, 0) is null' as case_name,
        coalesce({{ wilson_lower('0', '0') }}, -1) as actual,
        -1 as expected
),

failures as (
    select *
    from cases
    where abs(actual - expected) > 1e-9
)

select * from failures

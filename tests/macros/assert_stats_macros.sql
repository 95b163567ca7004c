-- Known values of the statistics macros (reference values from scipy.stats); returns failing cases.
-- The stepwise p-value (two_proportion_z_score -> normal_cdf_term -> two_proportion_p_value_from_z, each
-- term computed once in its own CTE) must equal the one-expression two_proportion_p_value exactly, null and 1
-- cases included, and normal_cdf_from_term(z, normal_cdf_term(z)) must equal normal_cdf(z).
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

known_failures as (
    select
        case_name,
        actual,
        expected
    from cases
    where abs(actual - expected) > 1e-5
),

samples as (
    -- x1, n1, x2, n2: ordinary, tiny p-values, a rise, equal rates, all successes, no successes, an empty group.
    select
        45 as x1,
        100 as n1,
        30 as x2,
        100 as n2,
        1.96 as z
    union all
    select
        0 as x1,
        200 as n1,
        360 as x2,
        600 as n2,
        -1.0 as z
    union all
    select
        20 as x1,
        100 as n1,
        120 as x2,
        200 as n2,
        0.0 as z
    union all
    select
        77 as x1,
        100 as n1,
        120 as x2,
        200 as n2,
        3.5 as z
    union all
    select
        30 as x1,
        50 as n1,
        120 as x2,
        200 as n2,
        -6.0 as z
    union all
    select
        50 as x1,
        50 as n1,
        200 as x2,
        200 as n2,
        0.5 as z
    union all
    select
        0 as x1,
        50 as n1,
        0 as x2,
        60 as n2,
        2.0 as z
    union all
    select
        0 as x1,
        0 as n1,
        120 as x2,
        200 as n2,
        -0.3 as z
),

scored as (
    select
        *,
        {{ two_proportion_z_score('x1', 'n1', 'x2', 'n2') }} as z_score,
        {{ normal_cdf_term('z') }} as z_term
    from samples
),

termed as (
    select
        *,
        {{ normal_cdf_term('z_score') }} as z_score_term
    from scored
),

stepwise as (
    select
        *,
        {{ two_proportion_p_value_from_z('z_score', 'z_score_term', 'x1', 'n1', 'x2', 'n2') }} as p_stepwise,
        {{ two_proportion_p_value('x1', 'n1', 'x2', 'n2') }} as p_one_expression,
        {{ normal_cdf_from_term('z', 'z_term') }} as cdf_stepwise,
        {{ normal_cdf('z') }} as cdf_one_expression
    from termed
),

stepwise_failures as (
    select
        'stepwise vs one expression' as case_name,
        p_stepwise as actual,
        p_one_expression as expected
    from stepwise
    where
        not (p_stepwise = p_one_expression or (p_stepwise is null and p_one_expression is null))
        or cdf_stepwise != cdf_one_expression
        or (n1 = 0 and p_stepwise is not null)
        or (x1 + x2 in (0, n1 + n2) and n1 > 0 and p_stepwise != 1.0)
),

final as (
    select * from known_failures
    union all
    select * from stepwise_failures
)

select * from final

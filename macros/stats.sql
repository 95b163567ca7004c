{#
    Statistics helpers in plain, portable SQL (no engine-specific functions).
#}

{#
    Standard normal CDF Phi(z), from erf's Abramowitz & Stegun 7.1.26 approximation (|error| < 1.5e-7).
    Phi(z) = 0.5 * (1 + erf(z / sqrt(2))), with erf(-x) = -erf(x).
#}
{% macro normal_cdf(z) -%}
    (0.5 * (1 + sign({{ z }}) * (1 - (
        (((((1.061405429 * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        - 1.453152027) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        + 1.421413741) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        - 0.284496736) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2)))
        + 0.254829592) * (1 / (1 + 0.3275911 * abs({{ z }}) / sqrt(2))))
        * exp(-({{ z }}) * ({{ z }}) / 2)
    ))))
{%- endmacro %}

{#
    Two-sided p-value of the pooled two-proportion z-test of x1/n1 vs x2/n2.
    Null when a group is empty; 1 when both groups are all successes or all failures (no variance).
#}
{% macro two_proportion_p_value(x1, n1, x2, n2) -%}
    case
        when ({{ n1 }}) = 0 or ({{ n2 }}) = 0 then null
        when ({{ x1 }}) + ({{ x2 }}) = 0 or ({{ x1 }}) + ({{ x2 }}) = ({{ n1 }}) + ({{ n2 }}) then 1.0
        else 2 * (1 - {{ normal_cdf(two_proportion_z(x1, n1, x2, n2)) }})
    end
{%- endmacro %}

{# |z| of the pooled two-proportion test (helper of two_proportion_p_value). #}
{% macro two_proportion_z(x1, n1, x2, n2) -%}
    abs(
        (cast({{ x1 }} as double) / ({{ n1 }}) - cast({{ x2 }} as double) / ({{ n2 }}))
        / sqrt(
            (cast(({{ x1 }}) + ({{ x2 }}) as double) / (({{ n1 }}) + ({{ n2 }})))
            * (1 - cast(({{ x1 }}) + ({{ x2 }}) as double) / (({{ n1 }}) + ({{ n2 }})))
            * (1.0 / ({{ n1 }}) + 1.0 / ({{ n2 }}))
        )
    )
{%- endmacro %}

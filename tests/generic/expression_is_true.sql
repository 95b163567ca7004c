{#
    Fails for every row where `expression` is not true (false or null), optionally only rows matching `where`.
    Usage: data_tests: [{expression_is_true: {arguments: {expression: "a <= b"}}}]
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}

{#
    Fails for every row where the column is outside [min_value, max_value] (inclusive); nulls are ignored.
    Usage: data_tests: [{value_between: {arguments: {min_value: 0, max_value: 1}}}]
#}
{% test value_between(model, column_name, min_value, max_value) %}

select *
from {{ model }}
where
    {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})

{% endtest %}

{#
    Fails for every combination of `columns` that appears more than once.
    Usage: data_tests: [{unique_combination: {arguments: {columns: [a, b]}}}]
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}

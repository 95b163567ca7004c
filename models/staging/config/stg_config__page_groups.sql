-- Page groups, validated: each primary goal must exist; patterns unique.
with

page_groups as (
    select * from {{ ref('page_groups') }}
),

goals as (
    select * from {{ ref('stg_config__conversion_goals') }}
),

checked as (
    select
        {{ clean_text('page_groups.page_group') }} as page_group,
        {{ clean_text('page_groups.page_path_like') }} as page_path_like,
        {{ clean_text('page_groups.primary_goal_id') }} as primary_goal_id,
        case
            when {{ clean_text('page_groups.page_path_like') }} is null then 'page_path_like is empty'
            when count(*) over (partition by page_groups.page_path_like) > 1 then 'page_path_like is repeated'
            when goals.goal_id is null then 'primary_goal_id is not in seeds/conversion_goals.csv'
        end as problem
    from page_groups
    left join goals on {{ clean_text('page_groups.primary_goal_id') }} = goals.goal_id
),

final as (
    select
        case
            when problem is null then page_group
            else {{ raise_error(
                "'seeds/page_groups.csv: page group ' || coalesce(page_group, '(empty)') || ': ' || problem"
            ) }}
        end as page_group,
        page_path_like,
        primary_goal_id,
        -- The longest matching pattern wins; ties are broken by the pattern text.
        length(page_path_like) as pattern_length
    from checked
)

select * from final

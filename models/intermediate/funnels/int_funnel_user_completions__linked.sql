-- Ordered and strict funnels: every step completion of a user with what the attempt recursion of
-- int_funnel_users__attempts needs (macro funnel_linked_completions): the successor pointers (macro
-- funnel_step_successors: the earliest completion of the next step at or after it, the next completion of its
-- own step), whether it starts an attempt (macro funnel_start_cutoffs), the attempt window and the next step's
-- deadline. A table, not a CTE of the attempt model: every recursion level reads it (Spark would recompute a CTE
-- per level).
-- Incremental: the user_keys the new loads change, recomputed from their whole history (README "Incremental builds").
{{ config(materialized=incremental_materialization(), unique_key='user_key') }}
with

completions as (
    select * from {{ ref('int_funnel_completions__mapped') }}
    {{ incremental_key_filter('user_key') }}
),

funnels as (
    select * from {{ ref('stg_config__funnels') }}
),

steps as (
    select * from {{ ref('stg_config__funnel_steps') }}
),

next_instants as (
    select * from {{ ref('int_funnel_completions__next_instants') }}
    {{ incremental_key_filter('user_key') }}
),

exclusions as (
    select * from {{ ref('int_funnel_exclusions__mapped') }}
    {{ incremental_key_filter('user_key') }}
),

linkable_completions as (
    -- Only what an attempt can reach (macro funnel_reachable_completions): no unordered funnels, and in closed
    -- funnels nothing before the user's first step-1 completion. Left out before the two window passes.
    {{ funnel_reachable_completions('completions', 'funnels', 'user_key') }}
),

successors as (
    {{ funnel_step_successors('linkable_completions', 'user_key', 'user_position') }}
),

cutoffs as (
    {{ funnel_start_cutoffs(
        'linkable_completions', 'funnels', 'steps', 'exclusions', 'user_key', 'user_position'
    ) }}
),

linked as (
    {{ funnel_linked_completions(
        'successors', 'funnels', 'steps', 'next_instants', 'cutoffs',
        'user_key', 'user_position', 'next_user_instant_at'
    ) }}
),

final as (
    select * from linked
)

select * from final

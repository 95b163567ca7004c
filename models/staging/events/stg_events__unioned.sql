-- Every raw event row of every source (var microconv_sources), as canonical text columns: raw.events as loaded,
-- and the GA4, Segment and Snowplow exports as their staging models map them. One row per raw row, keyed by
-- (_load_id, _source_row): load ids come from the one raw.load_log sequence, so they never collide across sources.
-- The shared validation and dedupe (stg_raw__events -> stg_events / stg_events_rejected) read this view.
{{ config(materialized='view') }}

{%- set columns = [
    'event_id', 'event_name', 'event_ts', 'anonymous_id', 'user_id', 'page_url', 'page_path', 'page_title', 'referrer',
    'utm_source', 'utm_medium', 'utm_campaign', 'device_category', 'country', 'revenue', 'order_id', 'properties',
    'session_id', '_load_id', '_source_file', '_source_row', '_loaded_at',
] %}
{%- set mapped_sources = [] %}
{%- for name in ['ga4', 'segment', 'snowplow'] if name in var('microconv_sources') %}
{%- do mapped_sources.append(name) %}
{%- endfor %}

with

{% if 'canonical' in var('microconv_sources') %}
canonical as (
    select * from {{ source('raw', 'events') }}
),
{% endif %}
{%- for name in mapped_sources %}
{{ name }} as (
    select * from {{ ref('stg_' ~ name ~ '__events') }}
),
{% endfor %}
unioned as (
    {%- set branches = (['canonical'] if 'canonical' in var('microconv_sources') else []) + mapped_sources %}
    {%- for branch in branches %}
    select
        {{ columns | join(',\n        ') }}
    from {{ branch }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned

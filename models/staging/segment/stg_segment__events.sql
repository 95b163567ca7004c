-- Segment spec messages (raw.segment_messages, nested values as JSON text) and warehouse tables (raw.segment_tracks,
-- raw.segment_pages, raw.segment_identifies, context flattened to context_*) mapped to the canonical event columns,
-- as text, for the shared validation in stg_raw__events. Mapping: PRODUCT.md "Sources" and _stg_segment__models.yml.
-- A table: the JSON parsing runs once per build, not once per reader of the stg_raw__events view.
{{ config(enabled=('segment' in var('microconv_sources'))) }}

{%- set warehouse_extras = [
    ['original_timestamp', 'original_timestamp'], ['sent_at', 'sent_at'], ['received_at', 'received_at'],
    ['context_user_agent', 'context_user_agent'], ['context_ip', 'context_ip'], ['context_locale', 'context_locale'],
] %}

with

messages as (
    select * from {{ source('segment', 'messages') }}
),

tracks as (
    select * from {{ source('segment', 'tracks') }}
),

pages as (
    select * from {{ source('segment', 'pages') }}
),

identifies as (
    select * from {{ source('segment', 'identifies') }}
),

event_names as (
    select * from {{ ref('source_event_names') }}
    where source = 'segment'
),

messages_mapped as (
    select
        message_id as event_id,
        type as message_type,
        event as track_name,
        coalesce(timestamp, original_timestamp, received_at) as event_ts,
        anonymous_id,
        user_id,
        -- A page call's own properties describe the page; the context describes it for every call.
        coalesce(
            {{ json_text('context', '$.page.url') }},
            case when type = 'page' then {{ json_text('properties', '$.url') }} end
        ) as page_url,
        coalesce(
            {{ json_text('context', '$.page.path') }},
            case when type = 'page' then {{ json_text('properties', '$.path') }} end
        ) as page_path,
        coalesce(
            {{ json_text('context', '$.page.title') }},
            case when type = 'page' then {{ json_text('properties', '$.title') }} end
        ) as page_title,
        coalesce(
            {{ json_text('context', '$.page.referrer') }},
            case when type = 'page' then {{ json_text('properties', '$.referrer') }} end
        ) as referrer,
        {{ json_text('context', '$.campaign.source') }} as utm_source,
        {{ json_text('context', '$.campaign.medium') }} as utm_medium,
        {{ json_text('context', '$.campaign.name') }} as utm_campaign,
        lower({{ json_text('context', '$.device.type') }}) as device_type,
        {{ json_text('context', '$.location.country') }} as country,
        coalesce({{ json_text('properties', '$.revenue') }}, {{ json_text('properties', '$.total') }}) as revenue,
        {{ json_text('properties', '$.order_id') }} as order_id,
        {{ json_object_text([
            ['type', 'type'], ['event', 'event'], ['name', 'name'], ['category', 'category'],
            ['original_timestamp', 'original_timestamp'], ['sent_at', 'sent_at'], ['received_at', 'received_at'],
            ['properties', json_value_of('properties')], ['traits', json_value_of('traits')],
            ['context', json_value_of('context')], ['integrations', json_value_of('integrations')],
            ['_extra', json_value_of('_extra')],
        ]) }} as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from messages
),

tracks_mapped as (
    select
        id as event_id,
        'track' as message_type,
        -- Warehouses write the slug in `event` (order_completed) and the name as sent in `event_text`.
        coalesce(event_text, event) as track_name,
        coalesce(timestamp, original_timestamp, received_at) as event_ts,
        anonymous_id,
        user_id,
        context_page_url as page_url,
        context_page_path as page_path,
        context_page_title as page_title,
        context_page_referrer as referrer,
        context_campaign_source as utm_source,
        context_campaign_medium as utm_medium,
        context_campaign_name as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as device_type,
        cast(null as {{ dbt.type_string() }}) as country,
        -- Per-event tables (e.g. order_completed) flatten the properties into columns, kept in _extra by the loader.
        coalesce({{ json_text('_extra', '$.revenue') }}, {{ json_text('_extra', '$.total') }}) as revenue,
        {{ json_text('_extra', '$.order_id') }} as order_id,
        {{ json_object_text(
            [['type', "'track'"], ['event', 'event'], ['event_text', 'event_text']] + warehouse_extras
            + [['_extra', json_value_of('_extra')]]
        ) }} as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from tracks
),

pages_mapped as (
    select
        id as event_id,
        'page' as message_type,
        cast(null as {{ dbt.type_string() }}) as track_name,
        coalesce(timestamp, original_timestamp, received_at) as event_ts,
        anonymous_id,
        user_id,
        coalesce(context_page_url, url) as page_url,
        coalesce(context_page_path, path) as page_path,
        coalesce(context_page_title, title) as page_title,
        coalesce(context_page_referrer, referrer) as referrer,
        context_campaign_source as utm_source,
        context_campaign_medium as utm_medium,
        context_campaign_name as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as device_type,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as revenue,
        cast(null as {{ dbt.type_string() }}) as order_id,
        {{ json_object_text(
            [['type', "'page'"], ['name', 'name'], ['category', 'category'], ['search', 'search']] + warehouse_extras
            + [['_extra', json_value_of('_extra')]]
        ) }} as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from pages
),

identifies_mapped as (
    select
        id as event_id,
        'identify' as message_type,
        cast(null as {{ dbt.type_string() }}) as track_name,
        coalesce(timestamp, original_timestamp, received_at) as event_ts,
        anonymous_id,
        user_id,
        context_page_url as page_url,
        context_page_path as page_path,
        context_page_title as page_title,
        context_page_referrer as referrer,
        context_campaign_source as utm_source,
        context_campaign_medium as utm_medium,
        context_campaign_name as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as device_type,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as {{ dbt.type_string() }}) as revenue,
        cast(null as {{ dbt.type_string() }}) as order_id,
        {{ json_object_text(
            [['type', "'identify'"], ['email', 'email']] + warehouse_extras + [['_extra', json_value_of('_extra')]]
        ) }} as properties,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from identifies
),

unioned as (
    select * from messages_mapped
    union all
    select * from tracks_mapped
    union all
    select * from pages_mapped
    union all
    select * from identifies_mapped
),

named as (
    select
        unioned.*,
        -- page -> page_view, screen -> screen_view, track -> the e-commerce spec's GA4 name (seed
        -- source_event_names) else its snake_case; identify, group, alias -> their type.
        case
            when unioned.message_type = 'page' then 'page_view'
            when unioned.message_type = 'screen' then 'screen_view'
            when unioned.message_type = 'track'
                then coalesce(event_names.event_name, {{ snake_case('unioned.track_name') }})
            else lower(unioned.message_type)
        end as event_name
    from unioned
    left join event_names
        on
            unioned.message_type = 'track'
            and unioned.track_name = event_names.source_event_name
),

final as (
    select
        event_id,
        event_name,
        event_ts,
        anonymous_id,
        user_id,
        page_url,
        page_path,
        page_title,
        referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        -- Segment's mobile libraries send context.device.type ios / android; web sends none.
        case
            when device_type = 'tablet' then 'tablet'
            when device_type in ('ios', 'android', 'mobile') then 'mobile'
            when device_type = 'desktop' then 'desktop'
        end as device_category,
        country,
        revenue,
        order_id,
        properties,
        cast(null as {{ dbt.type_string() }}) as session_id,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from named
)

select * from final

{#
    GA4's default channel grouping, reduced to the channels PRODUCT.md names (Direct, Organic Search,
    Paid Search, Email, Organic Social, Paid Social, Referral, Display, Affiliates, Unassigned).
    Inputs are a session's traffic `source` and `medium` (see int_sessions__channel_grouped for how
    they come from utm_* or the referrer). Rules are checked top to bottom, the first match wins,
    as in GA4.
#}
{% macro search_source_pattern() -%}
    '(^|[.])(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|ask|naver|seznam|qwant|startpage)([.]|$)'
{%- endmacro %}

{% macro social_source_pattern() -%}
    '(^|[.])(facebook|fb|instagram|ig|t[.]co|twitter|x[.]com|linkedin|lnkd[.]in|pinterest|reddit|tiktok|youtube|snapchat|threads|whatsapp|vk|quora)([.]|$)'
{%- endmacro %}

{% macro default_channel_group(source, medium) -%}
    case
        when {{ source }} = '(direct)' and {{ medium }} in ('(none)', '(not set)')
            then 'Direct'
        when {{ regex_matches(source, search_source_pattern()) }}
            and {{ regex_matches(medium, "'^(.*cp.*|ppc|retargeting|paid.*)$'") }}
            then 'Paid Search'
        when {{ regex_matches(source, social_source_pattern()) }}
            and {{ regex_matches(medium, "'^(.*cp.*|ppc|retargeting|paid.*)$'") }}
            then 'Paid Social'
        when {{ medium }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm')
            then 'Display'
        when {{ regex_matches(source, search_source_pattern()) }} or {{ medium }} = 'organic'
            then 'Organic Search'
        when {{ regex_matches(source, social_source_pattern()) }}
            or {{ medium }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'Organic Social'
        when {{ source }} in ('email', 'e-mail', 'e_mail', 'e mail')
            or {{ medium }} in ('email', 'e-mail', 'e_mail', 'e mail')
            then 'Email'
        when {{ medium }} = 'affiliate'
            then 'Affiliates'
        when {{ medium }} = 'referral'
            then 'Referral'
        else 'Unassigned'
    end
{%- endmacro %}

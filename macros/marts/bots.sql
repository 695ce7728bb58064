{#-
    True when a user agent string names an automated client. Patterns are lower-case
    substrings (var 'bot_user_agent_patterns' overrides the list); matching is case-insensitive
    and portable (dbt.position).
-#}
{% macro is_bot_user_agent(column) -%}
    {%- set patterns = var('bot_user_agent_patterns', [
        'bot', 'crawler', 'spider', 'slurp', 'headless', 'phantomjs', 'python-requests',
        'python-urllib', 'curl/', 'wget', 'scrapy', 'go-http-client', 'httpclient', 'java/',
        'node-fetch', 'axios/', 'lighthouse', 'pingdom', 'uptimerobot'
    ]) -%}
    coalesce(
        (
            {%- for pattern in patterns %}
            {{ dbt.position("'" ~ pattern ~ "'", 'lower(' ~ column ~ ')') }} > 0
            {%- if not loop.last %} or{% endif %}
            {%- endfor %}
        ),
        false
    )
{%- endmacro %}

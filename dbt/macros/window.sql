{#- The incremental window: the run's days (vars min_day/max_day from Dagster) widened by
    `incremental_lookback_days` for rows that arrive late; everything when no window is set. -#}
{% macro window_start() -%}
    {%- if var('min_day') -%}
        (date '{{ var('min_day') }}' - interval {{ var('incremental_lookback_days') }} day)::date
    {%- else -%}
        date '1970-01-01'
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    {%- if var('max_day') -%} date '{{ var('max_day') }}' {%- else -%} date '9999-12-31' {%- endif -%}
{%- endmacro %}

{#- When a job or lease stopped running, as far as the run's days go: its end, or for one still
    open the last time it was seen running (`fetched_at`), and never past the end of the run's
    last day, so no partial day after the window appears (a later run covers that day). -#}
{% macro running_until(ended_at, fetched_at) -%}
    least(coalesce({{ ended_at }}, {{ fetched_at }}), ({{ window_end() }} + interval 1 day)::timestamptz)
{%- endmacro %}

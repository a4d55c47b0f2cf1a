{#- The run's window: the days Dagster passes (vars min_day/max_day); everything when unset.
    An incremental mart rewrites every row from window_start() on: the run's first day less
    `incremental_lookback_days` (rows that arrive late), and every later day, because a mart row
    may depend on earlier days (running balances, trailing fleets, NAV growth). -#}
{% macro window_start() -%}
    {%- set min_day = window_day('min_day') -%}
    {%- if min_day -%}
        (date '{{ min_day }}' - interval {{ var('incremental_lookback_days') }} day)::date
    {%- else -%}
        date '1970-01-01'
    {%- endif -%}
{%- endmacro %}

{% macro window_end() -%}
    {%- set max_day = window_day('max_day') -%}
    {%- if max_day -%} date '{{ max_day }}' {%- else -%} date '9999-12-31' {%- endif -%}
{%- endmacro %}

{#- `relation` limited to the days a run rebuilds (`day_column` from window_start() on), for the
    *_in_window data tests; the relation itself when no window is set (a full build checks every
    row). A subquery as dbt's own `where` test config makes it, so dbt's test SQL runs unchanged. -#}
{% macro in_window(relation, day_column) -%}
    {%- if window_day('min_day') -%}
        (select * from {{ relation }} where {{ day_column }} >= {{ window_start() }}) as in_window
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- One end of the window: the var (`--vars`, as tests and manual runs pass it) or else the
    environment variable DEPINLENS_DBT_MIN_DAY / DEPINLENS_DBT_MAX_DAY, which pipeline runs set
    (pipelines/defs/assets/dbt.py). A `--vars` value that changes every run makes dbt re-parse
    the whole project each time (its partial parsing keys on the vars); an environment variable
    read only when the build executes leaves the parse untouched. The value must be a date. -#}
{% macro window_day(name) -%}
    {%- set value = var(name) -%}
    {%- if not value and execute -%}
        {%- set value = env_var('DEPINLENS_DBT_' ~ (name | upper), '') -%}
    {%- endif -%}
    {%- if value and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ exceptions.raise_compiler_error("the window's " ~ name ~ " must be a date (YYYY-MM-DD), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | string if value else none) }}
{%- endmacro %}

{#- When a job or lease stopped running, as far as the warehouse knows: its end, or for one
    still open the last time it was seen running (`fetched_at`). A job seen after midnight
    reaches into a day no run has covered yet; the marts leave such days out (network_daily
    builds no day after the last one a run covered). -#}
{% macro running_until(ended_at, fetched_at) -%}
    coalesce({{ ended_at }}, {{ fetched_at }})
{%- endmacro %}

{#- Incremental strategy `rebuild_from_window` (config: incremental_strategy='rebuild_from_window',
    day_column, default `day`): delete every mart row whose day is window_start() or later,
    whatever its key, then insert the model's rows from that day on, in the build's transaction.
    Unlike delete+insert on a unique key, a key whose raw rows all disappeared loses its row too,
    so the rebuilt days equal a full refresh. -#}
{% macro get_incremental_rebuild_from_window_sql(arg_dict) -%}
    {%- set day_column = config.get('day_column', 'day') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ day_column }} >= {{ window_start() }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict['temp_relation'] }}
    where {{ day_column }} >= {{ window_start() }};
{%- endmacro %}

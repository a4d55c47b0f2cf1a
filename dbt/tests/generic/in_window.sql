{#- primary_key (tests/generic/primary_key.sql) and dbt's not_null and accepted_values tests over
    the days a run rebuilds (macros/window.sql: in_window), for staging models of per-day loads
    whose natural key fixes the row's day. A daily run checks the rows it loaded and the lookback
    days before them, in milliseconds at any size, instead of scanning every row of history each
    day (at 10M transfers the key's unique test alone took 8-16 s of a daily build on 2 busy
    cores); a build without a window (a full build) checks every row. The window is read when the
    test runs, so a window that moves every day keeps dbt's partial parse. -#}

{% test primary_key_in_window(model, column_name, day_column) %}
    {{ test_primary_key(in_window(model, day_column), column_name) }}
{% endtest %}

{% test not_null_in_window(model, column_name, day_column) %}
    {{ adapter.dispatch('test_not_null', 'dbt')(in_window(model, day_column), column_name) }}
{% endtest %}

{% test accepted_values_in_window(model, column_name, values, day_column, quote=True) %}
    {{ adapter.dispatch('test_accepted_values', 'dbt')(in_window(model, day_column), column_name, values, quote) }}
{% endtest %}

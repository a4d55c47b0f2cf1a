{#- dbt's view materialization, except that a view the warehouse already holds with the same
    definition is kept. A daily build re-created all 34 staging and intermediate views (five
    statements and a commit each, some 45 ms per view at 10M rows) though their SQL only changes
    with the project. Each view built here carries the md5 of its `create view` statement as its
    comment; a build that finds the view with that comment reads the comment and stops there
    (some 17 ms). Everything else gets dbt's own materialization: a fresh or replaced warehouse
    (no such view), a changed model or macro (another statement), a comment another tool wrote
    (persist_docs would, so a view's description is not kept as its comment), a model with hooks,
    --full-refresh, and DuckLake catalogs. -#}
{%- materialization view, adapter='duckdb' -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- if adapter.is_ducklake(target_relation) -%}
        {{ return(dbt.materialization_view_default()) }}
    {%- endif -%}
    {%- set fingerprint = 'dbt:' ~ local_md5(get_create_view_as_sql(target_relation, sql)) -%}
    {%- if view_holds(target_relation, fingerprint) -%}
        {{ return({'relations': [target_relation]}) }}
    {%- endif -%}
    {%- set built = dbt.materialization_view_default() -%}
    {%- call statement('fingerprint') -%}
        comment on view {{ target_relation }} is '{{ fingerprint }}'
    {%- endcall -%}
    {{ adapter.commit() }}
    {{ return(built) }}
{%- endmaterialization -%}

{#- Whether `relation` is already a view whose comment is `fingerprint`. The look-up is the model's
    `main` statement, which dbt expects every model build to run. -#}
{% macro view_holds(relation, fingerprint) -%}
    {%- set existing = load_cached_relation(relation) -%}
    {%- if existing is none or not existing.is_view or should_full_refresh() or pre_hooks or post_hooks -%}
        {{ return(false) }}
    {%- endif -%}
    {%- call statement('main', fetch_result=True) -%}
        select comment from duckdb_views()
        where database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
            and view_name = '{{ relation.identifier }}'
    {%- endcall -%}
    {%- set rows = load_result('main')['data'] -%}
    {{ return(rows | length == 1 and rows[0][0] == fingerprint) }}
{%- endmacro %}

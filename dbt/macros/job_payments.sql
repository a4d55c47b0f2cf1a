{#- Job payments priced in USD, per row of `by_provider` (int_jobs_daily_by_provider or a mock of it):
    the payment in tokens (registry decimals of its denom), fees (× the day's price of the row's own
    label) and protocol revenue (× the network's take rate of that token). The one place this
    formula lives: int_jobs_daily (per network) and provider_daily (per provider) both select it. -#}
{% macro priced_job_payments(by_provider) -%}
    select
        by_provider.*,
        tokens.token,
        by_provider.payments_base_units / pow(10, tokens.decimals) as payments_tokens,
        by_provider.payments_base_units / pow(10, tokens.decimals) * prices.usd as fees_usd,
        by_provider.payments_base_units / pow(10, tokens.decimals) * prices.usd
            * coalesce(take_rates.take_rate, 0) as revenue_usd

    from {{ by_provider }} as by_provider
    left join (
        select distinct address, label as token, decimals
        from {{ ref('stg_registry__contracts') }}
        where role = 'token'
    ) as tokens on tokens.address = by_provider.denom
    left join {{ ref('stg_registry__take_rates') }} as take_rates
        on take_rates.network = by_provider.network and take_rates.token = tokens.token
    left join {{ ref('int_token_prices_daily') }} as prices
        on prices.token = tokens.token and prices.day = by_provider.day and prices.source = by_provider.source
{%- endmacro %}

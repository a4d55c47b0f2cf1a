-- One row per venue x GPU model x basis: what a unit of compute costs at the venue's latest
-- price. basis 'measured' divides by the best accepted benchmark figure for that model
-- (runs listed in run_ids); basis 'datasheet' divides by the card's dense bf16 peak, an
-- upper bound no real workload reaches.
with

prices as (

    select * from {{ ref('gpu_prices') }}
    qualify row_number() over (partition by venue, gpu_model, source order by day desc) = 1

),

specs as (select * from {{ ref('dim_gpu_model') }}),

measured_tflops as (

    select gpu_model, max(value) as tflops, list(distinct run_id) as run_ids
    from {{ ref('benchmark_results') }}
    where metric = 'matmul_tflops' and precision in ('bf16', 'fp16') and on_gpu
    group by all

),

measured_tokens as (

    select gpu_model, max(value) as tokens_per_s, list(distinct run_id) as run_ids
    from {{ ref('benchmark_results') }}
    where metric = 'decode_tokens_per_s' and on_gpu
    group by all

),

by_basis as (

    select
        prices.day as price_day,
        prices.venue,
        prices.venue_kind,
        prices.gpu_model,
        prices.source,
        prices.usd_per_gpu_hour,
        'measured' as basis,
        measured_tflops.tflops,
        measured_tokens.tokens_per_s,
        list_distinct(list_concat(coalesce(measured_tflops.run_ids, []), coalesce(measured_tokens.run_ids, []))) as run_ids

    from prices
    join measured_tflops using (gpu_model)
    left join measured_tokens using (gpu_model)

    union all

    select
        prices.day, prices.venue, prices.venue_kind, prices.gpu_model, prices.source, prices.usd_per_gpu_hour,
        'datasheet', specs.bf16_tflops, null, []

    from prices
    join specs using (gpu_model)

)

select
    venue || ':' || gpu_model || ':' || source || ':' || basis as cost_key,
    *,
    usd_per_gpu_hour / (tflops / 1000) as usd_per_pflop_hour,
    usd_per_gpu_hour / (tokens_per_s * 3600 / 1e6) as usd_per_million_tokens

from by_basis

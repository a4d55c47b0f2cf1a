-- One row per venue x GPU model x source x basis: what a unit of compute costs at the venue's
-- latest price.
--
-- basis 'measured' divides by the median of the venue's *bound* runs of that model under the same
-- source label (runs listed in run_ids, counted in runs): one figure per run (its best dense
-- bf16/fp16 matmul shape, the top of its own sweep), then the median across runs, so one run,
-- however fast it claims to be, moves the figure at most to its neighbour's. Self-attested runs
-- (benchmark_results.tier) never count, and no figure crosses venues or source labels.
-- basis 'datasheet' divides by the card's dense bf16 peak, an upper bound no real workload reaches.
with

prices as (

    select * from {{ ref('gpu_prices') }}
    qualify row_number() over (partition by venue, gpu_model, source order by day desc) = 1

),

specs as (select * from {{ ref('dim_gpu_model') }}),

bound_runs as (

    select * from {{ ref('benchmark_results') }}
    where tier = 'bound' and on_gpu

),

run_tflops as (

    select gpu_model, venue, source, run_id, max(value) as tflops
    from bound_runs
    where metric = 'matmul_tflops' and precision in ('bf16', 'fp16')
    group by all

),

measured_tflops as (

    select gpu_model, venue, source, median(tflops) as tflops, count(*) as runs, list(run_id order by run_id) as run_ids
    from run_tflops
    group by all

),

run_tokens as (

    select gpu_model, venue, source, run_id, max(value) as tokens_per_s
    from bound_runs
    where metric = 'decode_tokens_per_s'
    group by all

),

measured_tokens as (

    select gpu_model, venue, source, median(tokens_per_s) as tokens_per_s, list(run_id order by run_id) as run_ids
    from run_tokens
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
        measured_tflops.runs,
        list_distinct(list_concat(measured_tflops.run_ids, coalesce(measured_tokens.run_ids, []))) as run_ids

    from prices
    join measured_tflops
        on measured_tflops.gpu_model = prices.gpu_model
        and measured_tflops.venue = prices.venue
        and measured_tflops.source = prices.source
    left join measured_tokens
        on measured_tokens.gpu_model = prices.gpu_model
        and measured_tokens.venue = prices.venue
        and measured_tokens.source = prices.source

    union all

    select
        prices.day, prices.venue, prices.venue_kind, prices.gpu_model, prices.source, prices.usd_per_gpu_hour,
        'datasheet', specs.bf16_tflops, null, null, []

    from prices
    join specs using (gpu_model)

)

select
    venue || ':' || gpu_model || ':' || source || ':' || basis as cost_key,
    *,
    usd_per_gpu_hour / (tflops / 1000) as usd_per_pflop_hour,
    usd_per_gpu_hour / (tokens_per_s * 3600 / 1e6) as usd_per_million_tokens

from by_basis

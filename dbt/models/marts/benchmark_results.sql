-- One row per accepted benchmark measurement (quick smoke runs excluded): the figure, the
-- engine that really ran, % of the card's datasheet peak, venue and provider.
with

runs as (

    select * from {{ ref('stg_bench__runs') }}
    where not quick

)

select
    measurement_key,
    run_id,
    provider,
    venue,
    gpu_model,
    device,
    suite,
    metric,
    precision,
    engine,
    on_gpu,
    value,
    unit,
    pct_of_peak,
    median_s,
    p5_s,
    p95_s,
    operator_pubkey,
    key_type,
    signed_at,
    signed_day,
    source

from runs

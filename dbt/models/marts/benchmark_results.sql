-- One row per accepted benchmark measurement (quick smoke runs excluded): the figure, the engine
-- that really ran, % of the card's datasheet peak, and who stands behind it.
--
-- tier 'bound': the run carries a key binding the verifier checked (the provider identity signed
-- the operator key, gpu_bench.binding) AND that identity appears in the chain data under the
-- run's own source label (int_bench__provider_identities). provider and venue are then the
-- identity and its network. Every other run is 'self-attested': provider and venue are what the
-- operator typed, shown apart and labelled, never in a headline figure (cost_per_compute).
with

runs as (

    select * from {{ ref('stg_bench__runs') }}
    where not quick

),

identities as (

    select * from {{ ref('int_bench__provider_identities') }}

),

tiered as (

    select
        runs.*,
        identities.identity_key is not null as bound

    from runs
    left join identities
        on identities.network = runs.binding_network
        and identities.address = runs.binding_provider
        and identities.source = runs.source

)

select
    measurement_key,
    run_id,

    -- who stands behind the figure
    case when bound then 'bound' else 'self-attested' end as tier,
    case
        when bound then 'provider ' || binding_provider || ' signed this key and appears in the ' || binding_network
            || ' chain data'
        when binding_provider is not null then 'the key is bound to ' || binding_network || ' provider '
            || binding_provider || ', which the ' || binding_network || ' chain data (' || source || ') does not show'
        else 'no provider binding: provider and venue are as typed by the key holder'
    end as tier_reason,
    case when bound then binding_provider else provider end as provider,
    case when bound then binding_network else venue end as venue,
    operator_pubkey,
    key_type,

    -- what was measured
    gpu_model,
    device,
    suite,
    metric,
    precision,
    engine,
    on_gpu,
    best_of_sweep,
    value,
    unit,
    pct_of_peak,
    median_s,
    p5_s,
    p95_s,

    -- when, and under which label
    signed_at,
    signed_day,
    source

from tiered

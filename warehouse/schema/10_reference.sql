-- Reference data: published figures and prices, each with source and as-of date.

-- Token prices in USD per day. source: reference (a reviewed CSV), live (a price API), demo.
-- natural key: (token, day, source)
create table if not exists raw.token_prices (
    token          varchar      not null,
    day            date         not null,
    usd            double       not null check (usd >= 0),
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    source_name    varchar      not null,
    source_ref     varchar      not null,
    fetched_at     timestamptz  not null
);

-- GPU offers: an hourly price for `gpu_count` GPUs of one model at one venue (cloud or network).
-- usd_per_gpu_hour = usd_per_hour / gpu_count. gpu_model is the canonical name; gpu_model_raw
-- is the venue's own spelling.
-- natural key: (venue, instance_type, gpu_model_raw, gpu_count, as_of, source)
create table if not exists raw.gpu_offers (
    venue            varchar    not null,
    venue_kind       varchar    not null check (venue_kind in ('cloud', 'network')),
    instance_type    varchar    not null,
    gpu_model        varchar    not null,
    gpu_model_raw    varchar    not null,
    gpu_count        double     not null check (gpu_count > 0),
    usd_per_hour     double,
    usd_per_gpu_hour double,
    spot_usd_per_hour double,
    as_of            date       not null,
    source           varchar    not null check (source in ('live', 'local', 'demo', 'reference')),
    source_name      varchar    not null,
    source_ref       varchar    not null,
    fetched_at       timestamptz not null
);

-- What a network or an article asserts (never treated as fact). value_high is set for ranges.
-- natural key: (network, metric, period, source_name)
create table if not exists raw.network_claims (
    network        varchar      not null,
    metric         varchar      not null,
    value          double       not null,
    value_high     double,
    unit           varchar      not null,
    period         varchar      not null,
    as_of          date         not null,
    claim_text     varchar      not null,
    source_name    varchar      not null,
    source_ref     varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    fetched_at     timestamptz  not null
);

-- Physical peaks per GPU model (datasheet dense figures), for % of peak and plausibility.
-- natural key: gpu_model
create table if not exists raw.gpu_specs (
    gpu_model          varchar  not null,
    fp32_tflops        double   not null,
    tf32_tflops        double,
    fp16_tflops        double   not null,
    bf16_tflops        double,
    memory_gb          double   not null,
    memory_bandwidth_gbs double not null,
    source_ref         varchar  not null,
    source             varchar  not null check (source in ('live', 'local', 'demo', 'reference')),
    fetched_at         timestamptz not null
);

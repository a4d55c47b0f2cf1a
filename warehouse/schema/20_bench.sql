-- gpu_bench submissions, after verification (gpu_bench/verify.py; loaded by the Dagster asset
-- raw/bench_runs, pipelines/defs/assets/bench.py). Submission files are never deleted: these
-- tables say what became of each one, by its path and the SHA-256 of its bytes.

-- Accepted runs, one row per measurement (run-level fields repeat on each of its rows), so
-- marts filter and aggregate figures without unnesting JSON.
-- Stats are seconds per call: value = work / median_s in `unit`; p5_s/p95_s are the spread.
-- pct_of_peak is recomputed here from reference/gpu_peak_specs.csv (never the operator's):
-- TFLOP/s against the precision's peak, device GB/s against memory bandwidth, tokens/s as the
-- matmul FLOP rate it implies; null for CPU engines, copies and dataframes.
-- quick = a smoke-test run (tiny sizes): keep it out of any comparison.
-- provider and venue are what the operator typed (self-attested), with control and format
-- characters removed (depinlens.text_safety.display_text; the exact text stays in the file).
-- binding_network / binding_provider: the on-chain identity whose signature over the operator
-- key the verifier checked (gpu_bench.binding); null for a run without a binding. dbt calls a
-- run bound only when that identity also appears in raw.jobs (marts.benchmark_results.tier).
-- natural key: (submission_sha256, measurement_index); each (operator_pubkey, nonce) once.
create table if not exists raw.bench_runs (
    run_id             varchar     not null,
    measurement_index  integer     not null,
    submission_path    varchar     not null,
    submission_sha256  varchar     not null,
    operator_pubkey    varchar     not null,
    key_type           varchar     not null check (key_type in ('ed25519', 'secp256k1')),
    nonce              varchar     not null,
    signed_at          timestamptz not null,
    received_at        timestamptz not null,
    provider           varchar,
    venue              varchar,
    gpu_model          varchar,        -- canonical (gpu_bench.gpu_models); null for a CPU-only run
    gpu_name           varchar,        -- the measured GPU's name as NVML (or torch) reported it
    device             varchar     not null,
    quick              boolean     not null,
    suite              varchar     not null check (suite in ('matmul', 'bandwidth', 'copy', 'inference', 'dataframe')),
    metric             varchar     not null,
    precision          varchar,
    engine             varchar     not null,
    params             json        not null,
    value              double      not null check (value > 0),
    unit               varchar     not null check (unit in ('TFLOP/s', 'GB/s', 'tokens/s', 'rows/s')),
    best_of_sweep      boolean     not null,
    median_s           double      not null,
    p5_s               double      not null,
    p95_s              double      not null,
    warmup             integer     not null,
    reps               integer     not null,
    calls_per_rep      integer     not null,
    pct_of_peak        double,
    fingerprint        json        not null,
    software_versions  json        not null,
    schema_version     varchar     not null,
    source             varchar     not null check (source in ('live', 'local', 'demo', 'reference'))
);
alter table raw.bench_runs add column if not exists binding_network varchar;
alter table raw.bench_runs add column if not exists binding_provider varchar;
alter table raw.bench_runs add column if not exists binding_issued_at timestamptz;

-- Refused submissions: one row per file version (path + content), with the typed reason.
-- key_type, operator_pubkey, nonce and run_id are what the file claimed, when readable (untrusted).
-- submission_path is stored escaped (gpu_bench.inbox.printable: bytes that are not UTF-8 and
-- control characters as \xNN-style escapes). submission_sha256 and size_bytes are null only for
-- an entry whose bytes were never read: not_regular_file (a symlink, directory, FIFO, socket or
-- device, refused without being opened, so nothing of its target is recorded) and
-- unreadable_file; such an entry is known by its path alone.
-- A warehouse created before the inbox codes is rebuilt to this definition by
-- pipelines.bench.ingest.upgrade_rejections_table (DuckDB cannot alter a CHECK in place).
-- natural key: (submission_path, submission_sha256)
create table if not exists raw.bench_rejections (
    submission_path    varchar     not null,
    submission_sha256  varchar,
    size_bytes         bigint,
    reason_code        varchar     not null check (reason_code in (
        'not_regular_file', 'unreadable_file', 'bad_file_name', 'oversized_file', 'too_deep', 'malformed_json',
        'schema_violation', 'forged_signature', 'tampered_figure', 'tampered_field', 'replay', 'stale_timestamp',
        'forged_binding', 'unknown_gpu_model', 'fingerprint_mismatch', 'implausible_figure', 'verifier_error')),
    reason_text        varchar     not null,
    key_type           varchar,
    operator_pubkey    varchar,
    nonce              varchar,
    run_id             varchar,
    received_at        timestamptz not null,
    source             varchar     not null check (source in ('live', 'local', 'demo', 'reference'))
);

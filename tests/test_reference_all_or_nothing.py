"""All or nothing per run for the reference tables (prices, registry, claims, cloud offers, GPU specs).

Real Dagster runs (one run each, as the daily job makes them) against a real DuckDB file; a live
EVM chain whose endpoint answers HTTP 503 from a loopback server stands for a step that fails.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from depinlens.settings import PROJECT_ROOT, Settings
from harness.demo import write_demo_token_prices
from harness.loopback import LoopbackServer
from pipelines.reference.snapshots import REFERENCE_TABLES, REGISTRY_TABLES, settle_reference_tables, unsettled_runs

RANGE = {"dagster/asset_partition_range_start": "2025-06-01", "dagster/asset_partition_range_end": "2025-06-03"}
CLOUD_HEADER = ("cloud,instance_type,accelerator,accelerator_count,vcpus,memory_gib,price_usd_per_hour,"
                "spot_price_usd_per_hour,source_path,source_commit\n")
CLOUD_ROWS = ("lambda,gpu_1x_h100_pcie,H100,1.0,26.0,200.0,2.49,,catalogs/v8/lambda/vms.csv,0f40\n"
              "aws,p5.48xlarge,H100,8.0,192.0,2048.0,55.04,,catalogs/v8/aws/vms.csv,0f40\n")
REFERENCE_ASSETS = ("cloud_gpu_offers", "gpu_specs", "network_claims", "token_prices")


@pytest.fixture
def inputs(tmp_path: Path, settings: Settings, registry, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of every reference input under tmp_path, named by the environment the CLI reads:
    DEPINLENS_SHARED_DIR (a small cloud price file), DEPINLENS_REGISTRY, DEPINLENS_TOKEN_PRICES_CSV
    (3 days of demo prices for every token symbol: the issue's 27 rows, 30 since USDC's registration)."""
    shared = tmp_path / "shared" / "reference"
    shared.mkdir(parents=True)
    (shared / "cloud_gpu_prices.csv").write_text(CLOUD_HEADER + CLOUD_ROWS)
    (shared / "README.md").write_text("SkyPilot catalog, read 2026-11-23\n")
    shutil.copytree(PROJECT_ROOT / "reference", tmp_path / "reference")
    shutil.copy(PROJECT_ROOT / "networks.toml", tmp_path / "networks.toml")
    prices = write_demo_token_prices(tmp_path / "prices.csv", registry, date(2025, 6, 1), date(2025, 6, 3))
    monkeypatch.setenv("DEPINLENS_SHARED_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("DEPINLENS_REGISTRY", str(tmp_path / "networks.toml"))
    monkeypatch.setenv("DEPINLENS_TOKEN_PRICES_CSV", str(prices))
    for variable in ("DEPINLENS_CLOUD_PRICES", "DEPINLENS_COINGECKO_IDS"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _run(inputs: Path, instance: dg.DagsterInstance, *extra: dg.AssetsDefinition,
         evm_chains: tuple[str, ...] = ("anvil",), names: tuple[str, ...] = REFERENCE_ASSETS,
         registry: bool = True) -> dg.ExecuteInProcessResult:
    """One Dagster run of the registry and reference assets (and `extra`), resources built from the
    environment the way the CLI builds them."""
    from pipelines.defs.assets import reference
    from pipelines.defs.assets.reference import build_reference_resource
    from pipelines.defs.assets.registry import registry_tables
    from pipelines.defs.resources import EvmResource, WarehouseResource

    settings = Settings.from_env()
    assets = [*([registry_tables] if registry else []), *(getattr(reference, n) for n in names), *extra]
    resources = {
        "warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path)),
        "evm": EvmResource(chains=list(evm_chains), source="live", registry_path=str(settings.registry_path),
                           max_attempts=1, max_wait_s=0.01),
        "reference": build_reference_resource(settings),
    }
    return dg.materialize(assets, resources=resources, instance=instance, tags=RANGE, raise_on_error=False)


def _tables(settings: Settings) -> dict[str, list[tuple]]:
    """Every reference table's full content (load times included: unchanged means unchanged)."""
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return {t: conn.execute(f"select * from {t} order by all").fetchall() for t in REFERENCE_TABLES}
    finally:
        conn.close()


def _failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """step key -> the message of the error that failed it."""
    failed = {}
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data is not None:
                failed[event.step_key] = data.user_failure_data.description
            else:  # "module.Class: message" of the error the asset raised
                error = data.error.cause or data.error
                failed[event.step_key] = error.message.strip().split(f"{error.cls_name}: ", 1)[-1]
    return failed


def _unsettled(settings: Settings) -> list[str]:
    from warehouse import connect_warehouse

    conn = connect_warehouse(settings.warehouse_path)
    try:
        return unsettled_runs(conn)
    finally:
        conn.close()


class _DeadEndpoint(LoopbackServer):
    """A JSON-RPC endpoint that answers every request with HTTP 503."""

    def __init__(self) -> None:
        super().__init__(lambda request: (503, b'{"error": "unavailable"}'), name="dead-rpc")


def test_a_live_run_without_the_price_variable_keeps_the_file_prices_and_says_so(
        inputs, settings, ephemeral_instance, monkeypatch, registry) -> None:
    assert _run(inputs, ephemeral_instance, registry=False, names=("token_prices",)).success
    before = _tables(settings)["raw.token_prices"]
    symbols = {t.symbol for n in registry.networks.values() for t in n.tokens}
    assert len(before) == 3 * len(symbols)

    monkeypatch.delenv("DEPINLENS_TOKEN_PRICES_CSV")  # the live run: variable not set, no default file
    assert not (PROJECT_ROOT / "reference" / "token_prices.csv").exists()
    result = _run(inputs, ephemeral_instance, registry=False, names=("token_prices",))

    assert result.success
    assert _tables(settings)["raw.token_prices"] == before
    warnings = [e.user_message for e in ephemeral_instance.all_logs(result.run_id) if e.level >= 30]
    assert any("no token price CSV configured" in w and f"the {len(before)} file prices already loaded are kept" in w
               for w in warnings)


def test_a_failed_live_run_leaves_every_reference_table_as_it_was(inputs, settings, ephemeral_instance,
                                                                   monkeypatch, registry) -> None:
    from pipelines.defs.assets.evm import evm_token_transfers

    assert _run(inputs, ephemeral_instance).success
    before = _tables(settings)
    assert all(before.values())

    # the next run reads edited inputs, other prices, and a live chain whose endpoint is down
    _edit(inputs / "networks.toml", "take_rates = { NOS = 0.10 }", "take_rates = { NOS = 0.12 }")
    _edit(inputs / "reference" / "network_claims.csv", ",128000000,", ",129000000,")
    _edit(inputs / "shared" / "reference" / "cloud_gpu_prices.csv", ",2.49,", ",2.59,")
    other_prices = write_demo_token_prices(inputs / "other.csv", registry, date(2025, 6, 1), date(2025, 6, 3), seed=8)
    monkeypatch.setenv("DEPINLENS_TOKEN_PRICES_CSV", str(other_prices))
    with _DeadEndpoint() as endpoint:
        monkeypatch.setenv("DEPINLENS_RPC_ETHEREUM", endpoint.url)
        result = _run(inputs, ephemeral_instance, evm_token_transfers, evm_chains=("ethereum",))

    assert not result.success
    assert list(_failures(result)) == ["raw__evm_token_transfers"]
    assert "503" in _failures(result)["raw__evm_token_transfers"]
    changed = _tables(settings)
    assert {t for t in REFERENCE_TABLES if changed[t] != before[t]} == set(REFERENCE_TABLES)  # every table rewritten

    # what the run's caller does once the run is over (pipelines/run.py)
    restored = settle_reference_tables(settings.warehouse_path, result.run_id, succeeded=result.success)

    assert set(restored) == set(REFERENCE_TABLES)
    assert _tables(settings) == before
    assert result.run_id not in _unsettled(settings)


def test_a_failed_run_nobody_settled_is_undone_before_the_next_run_writes(inputs, settings, ephemeral_instance,
                                                                          monkeypatch) -> None:
    from pipelines.defs.assets.evm import evm_token_transfers

    assert _run(inputs, ephemeral_instance).success
    before = _tables(settings)
    _edit(inputs / "reference" / "network_claims.csv", ",128000000,", ",129000000,")
    with _DeadEndpoint() as endpoint:
        monkeypatch.setenv("DEPINLENS_RPC_ETHEREUM", endpoint.url)
        failed = _run(inputs, ephemeral_instance, evm_token_transfers, evm_chains=("ethereum",))
    assert not failed.success and _tables(settings)["raw.network_claims"] != before["raw.network_claims"]

    # killed before anyone settled it; the next run (GPU specs only) settles it from the run storage first
    later = _run(inputs, ephemeral_instance, registry=False, names=("gpu_specs",))

    assert later.success
    after = _tables(settings)
    assert {t for t in REFERENCE_TABLES if after[t] != before[t]} == {"raw.gpu_specs"}  # reloaded by the later run
    assert failed.run_id not in _unsettled(settings)


def test_a_bad_registry_writes_nothing_and_every_step_names_the_file_actually_used(
        inputs, settings, ephemeral_instance, monkeypatch, tmp_path) -> None:
    from pipelines.defs.assets.evm import evm_token_transfers

    assert _run(inputs, ephemeral_instance).success
    before = _tables(settings)
    under_review = tmp_path / "under-review" / "networks.toml"
    under_review.parent.mkdir()
    under_review.write_text((inputs / "networks.toml").read_text().replace(
        "0xc87B37a581ec3257B734886d9d3a581F5A9d056c", "0xc87B37a581ec3257B734886d9d3a581F5A9d056C"))
    monkeypatch.setenv("DEPINLENS_REGISTRY", str(under_review))

    result = _run(inputs, ephemeral_instance, evm_token_transfers)

    failures = _failures(result)
    assert set(failures) == {"raw__registry", "raw__evm_token_transfers", *(f"raw__{n}" for n in REFERENCE_ASSETS)}
    cause = (f"{under_review}: networks.aethir.tokens[1] (ATH on arbitrum), address: "
             "'0xc87B37a581ec3257B734886d9d3a581F5A9d056C' fails its EIP-55 checksum")
    assert failures["raw__registry"].startswith(cause) and failures["raw__evm_token_transfers"].startswith(cause)
    for name in REFERENCE_ASSETS:
        assert failures[f"raw__{name}"].startswith(f"{name} not loaded, so that the run changes no reference table: "
                                                   f"registry is refused: {cause}")
    assert all("\n" not in message for message in failures.values())
    assert _tables(settings) == before
    assert result.run_id not in _unsettled(settings)  # no step got as far as keeping a copy to write


def test_a_price_of_1e308_is_refused_naming_file_row_and_bound_and_nothing_is_written(
        inputs, settings, ephemeral_instance) -> None:
    assert _run(inputs, ephemeral_instance).success
    before = _tables(settings)
    prices = inputs / "prices.csv"
    lines = prices.read_text().splitlines()
    token, day, _usd, *rest = lines[5].split(",")
    lines[5] = ",".join([token, day, "1e308", *rest])
    prices.write_text("\n".join(lines) + "\n")

    result = _run(inputs, ephemeral_instance)

    failures = _failures(result)
    assert set(failures) == {f"raw__{n}" for n in REFERENCE_ASSETS}  # the registry is not a reference file's step
    assert failures["raw__token_prices"].startswith(
        f"{prices}:6 column 'usd': '1e308' is above the bound for a token price: 0 to 1,000,000 USD")
    assert "token_prices is refused: " + failures["raw__token_prices"] in failures["raw__gpu_specs"]
    after = _tables(settings)
    # no reference file's table was written
    assert {t for t in REFERENCE_TABLES if after[t] != before[t]} <= set(REGISTRY_TABLES)
    settle_reference_tables(settings.warehouse_path, result.run_id, succeeded=False)
    assert _tables(settings) == before  # and the registry the run rewrote is put back

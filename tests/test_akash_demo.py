"""The Akash demo hook: plausible leases and staking for N days on loopback, read by the pipeline as source='demo'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import dagster as dg
import duckdb
import httpx
import pytest

from harness.akash.demo import akash_demo
from harness.akash.ledger import DEMO_USD_PER_UNIT
from pipelines.chains.cosmos import AkashClient, decode_leases, price_per_hour

FIRST, LAST = date(2025, 6, 1), date(2025, 6, 4)


def test_the_demo_serves_leases_for_every_day_on_loopback_and_stops_on_exit(registry) -> None:
    with akash_demo(registry, FIRST, LAST, seed=3) as url:
        assert url.startswith("http://127.0.0.1:")
        client = AkashClient("akash-local", url)
        height, head_time = client.latest_block()
        leases = [lease for page in client.lease_pages() for lease in decode_leases(page, "v1beta5")]
        days = {client.block_time(lease.created_height).date() for lease in leases}
        client.close()
    assert head_time > datetime.combine(LAST + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    assert days == {FIRST + timedelta(days=i) for i in range(4)}
    assert {lease.price.denom for lease in leases} == {t.address for t in registry.tokens_on("akash-local")}
    assert {"active", "closed"} <= {lease.state for lease in leases}
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/cosmos/base/tendermint/v1beta1/blocks/latest", timeout=2)


def test_the_demo_server_is_stopped_even_when_the_code_using_it_fails(registry) -> None:
    with pytest.raises(RuntimeError, match="pipeline broke"):
        with akash_demo(registry, FIRST, FIRST) as url:
            raise RuntimeError("pipeline broke")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/cosmos/base/tendermint/v1beta1/blocks/latest", timeout=2)


def test_the_pipeline_reads_the_demo_into_source_demo_rows_with_plausible_gpu_prices(
        registry, settings, ephemeral_instance, monkeypatch) -> None:
    from pipelines.defs.assets.akash import AkashResource, akash_leases, akash_staking
    from pipelines.defs.resources import WarehouseResource

    with akash_demo(registry, FIRST, LAST) as url:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", url)
        result = dg.materialize(
            [akash_leases, akash_staking], instance=ephemeral_instance,
            resources={"warehouse": WarehouseResource(path=str(settings.warehouse_path),
                                                      serving_path=str(settings.serving_path)),
                       "akash": AkashResource(chains=["akash-local"], source="demo", scan_closed=True,
                                              registry_path=str(settings.registry_path))},
            tags={"dagster/asset_partition_range_start": FIRST.isoformat(),
                  "dagster/asset_partition_range_end": LAST.isoformat()})
    assert result.success
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    leases = conn.execute("select observed_day, source, gpu_model, gpu_count, price, price_denom "
                          "from raw.jobs").fetchall()
    staking_days = conn.execute("select distinct snapshot_day from raw.staking_snapshots").fetchall()
    conn.close()
    assert {day for day, *_ in leases} == {FIRST + timedelta(days=i) for i in range(4)}
    assert {source for _, source, *_ in leases} == {"demo"}
    assert {"H100 SXM", "A100 80GB SXM", "RTX 4090"} <= {model for _, _, model, *_ in leases}
    assert len(staking_days) == 4
    for _, _, model, gpus, price, denom in leases:
        if gpus:
            usd_per_gpu_hour = price_per_hour(price) * DEMO_USD_PER_UNIT[denom] / gpus
            assert Decimal("0.1") < usd_per_gpu_hour < Decimal("3.5"), (model, usd_per_gpu_hour)


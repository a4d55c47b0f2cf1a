"""Reference assets in Dagster: whole files into the warehouse, idempotent, clear failures, dbt staging on top."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date

import dagster as dg
import duckdb
import pytest

from depinlens.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from harness.demo import write_demo_token_prices
from tests.conftest import SHARED_DIR

needs_shared = pytest.mark.skipif(not (SHARED_DIR / "reference" / "cloud_gpu_prices.csv").exists(),
                                  reason="../shared/reference/cloud_gpu_prices.csv absent (../shared not checked out)")
RANGE = {"dagster/asset_partition_range_start": "2025-06-01", "dagster/asset_partition_range_end": "2025-06-03"}


def _resources(settings, **reference) -> dict:
    from pipelines.defs.assets.reference import ReferenceResource
    from pipelines.defs.resources import WarehouseResource

    options = {"shared_dir": str(SHARED_DIR), "reference_dir": str(PROJECT_ROOT / "reference"),
               "cache_dir": str(settings.data_dir / "cache"), **reference}
    return {"warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path)),
            "reference": ReferenceResource(**options)}


def _materialize(settings, instance, *names: str, **reference) -> dg.ExecuteInProcessResult:
    from pipelines.defs.assets import reference as module

    assets = [getattr(module, name) for name in names]
    return dg.materialize(assets, resources=_resources(settings, **reference), instance=instance, tags=RANGE,
                          raise_on_error=False)


def _rows(settings, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


COUNTS = """select (select count(*) from raw.gpu_offers), (select count(*) from raw.gpu_specs),
                   (select count(*) from raw.network_claims), (select count(*) from raw.token_prices)"""
ALL = ("cloud_gpu_offers", "gpu_specs", "network_claims", "token_prices")


@pytest.mark.shared
@needs_shared
def test_reference_files_load_whole_reload_idempotently_and_build_their_staging_views(
        settings, ephemeral_instance, registry, tmp_path) -> None:
    demo = write_demo_token_prices(tmp_path / "prices.csv", registry, date(2025, 6, 1), date(2025, 6, 3))
    result = _materialize(settings, ephemeral_instance, *ALL, token_price_csvs=[str(demo)])
    assert result.success
    first = _rows(settings, COUNTS)
    tokens = len({t.symbol for n in registry.networks.values() for t in n.tokens})
    assert first == [(339, 9, 22, tokens * 3)]
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("every_gpu_name_maps", True)]
    offers = result.asset_materializations_for_node("raw__cloud_gpu_offers")[0].metadata
    assert offers["unmapped_gpu_models"].data == {} and offers["rows_loaded"].value == 339

    snapshot = "select * exclude (fetched_at) from raw.gpu_offers order by all"
    before = _rows(settings, snapshot)
    assert _materialize(settings, ephemeral_instance, *ALL, token_price_csvs=[str(demo)]).success
    assert _rows(settings, COUNTS) == first and _rows(settings, snapshot) == before

    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "dbt"), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--select", "staging.reference"],
        env={**os.environ, "DEPINLENS_WAREHOUSE": str(settings.warehouse_path)}, capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]  # includes unique offer/claim/price keys on the real files
    families = dict(_rows(settings, "select gpu_model, gpu_family from staging.stg_reference__gpu_specs"))
    assert families["A100 80GB SXM"] == "A100" and families["RTX 4090"] == "RTX 4090"
    per_gpu = _rows(settings, """select usd_per_gpu_hour from staging.stg_reference__gpu_offers
                                 where venue = 'aws' and instance_type = 'p5.48xlarge'""")
    assert per_gpu == [(pytest.approx(55.04 / 8),)]


def test_without_the_shared_folder_the_cloud_price_asset_fails_naming_the_variable(
        settings, ephemeral_instance, tmp_path) -> None:
    result = _materialize(settings, ephemeral_instance, "cloud_gpu_offers", shared_dir=str(tmp_path / "nowhere"))
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data
    assert "DEPINLENS_SHARED_DIR" in failure.user_failure_data.description
    assert "nowhere does not exist" in failure.user_failure_data.description


def test_switching_cloud_prices_off_loads_the_rest(settings, ephemeral_instance) -> None:
    result = _materialize(settings, ephemeral_instance, *ALL, load_cloud_prices=False, shared_dir="/nonexistent")
    assert result.success
    assert _rows(settings, COUNTS) == [(0, 9, 22, 0)]


def test_a_malformed_claims_file_fails_naming_the_line_and_leaves_the_table_as_it_was(
        settings, ephemeral_instance, tmp_path) -> None:
    assert _materialize(settings, ephemeral_instance, "network_claims", "gpu_specs").success
    before = _rows(settings, "select * exclude (fetched_at) from raw.network_claims order by all")
    broken = tmp_path / "reference"
    shutil.copytree(PROJECT_ROOT / "reference", broken)
    lines = (broken / "network_claims.csv").read_text().splitlines()
    lines[6] = lines[6].replace(",86,", ",eighty-six,")
    (broken / "network_claims.csv").write_text("\n".join(lines) + "\n")

    result = _materialize(settings, ephemeral_instance, "network_claims", reference_dir=str(broken))

    assert not result.success
    cause = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.cause
    assert cause.cls_name == "ReferenceDataError" and "network_claims.csv:7 column 'value'" in cause.message
    assert _rows(settings, "select * exclude (fetched_at) from raw.network_claims order by all") == before
    assert len(before) == 22

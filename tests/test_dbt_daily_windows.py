"""The daily job for a day in 2024 and for a recent day: anvil → Dagster → real dbt → marts.

A live run for a day before June 2025 used to fail in `dbt build` because a unit test read the
run's window. The daily job now leaves unit tests out; this runs it, in-process, for windows far
apart and checks the marts hold each day's figures and what dbt ran: every data test of the
project, as a passing asset check, and no unit test (dbt's own lines, which dagster-dbt prints).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from depinlens.registry import Registry
from harness.anvil import Anvil
from harness.evm import LocalEvm, SentTransfer
from pipelines.run import run_pipeline
from tests.conftest import evm_only_selection, pipeline_resources, seconds

DAY_2024 = date(2024, 3, 5)
RECENT_DAY = datetime.now(UTC).date() - timedelta(days=2)


@pytest.fixture
def chain_since_2024(registry: Registry) -> Iterator[LocalEvm]:
    """anvil back-dated to before DAY_2024 with the registry's local tokens and programs deployed."""
    node = Anvil(genesis_timestamp=seconds(DAY_2024, 0) - 3600).start()
    try:
        evm = LocalEvm(node.url)
        tokens = registry.tokens_on("anvil")
        evm.at(seconds(DAY_2024, 0, 5)).deploy_registry_tokens(tokens)
        evm.deploy_registry_programs(registry.programs_on("anvil"), {t.network: t for t in tokens})
        yield evm
    finally:
        node.stop()


def _activity_on(evm: LocalEvm, token, day: date, scale: int) -> list[SentTransfer]:
    a, b = evm.accounts[1:3]
    return [
        evm.at(seconds(day, 9)).mint(token, a, 1_000 * scale * 10**18),
        evm.at(seconds(day, 12)).transfer(token, a, b, 400 * scale * 10**18),
        evm.at(seconds(day, 23, 30)).burn(token, b, 150 * scale * 10**18),
    ]


def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def _dbt_data_tests() -> set[str]:
    """Names of the project's data tests (the manifest the dbt asset is defined from)."""
    from pipelines.defs.dbt_project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    return {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "test"}


def test_the_daily_job_builds_a_day_in_2024_and_a_recent_day(chain_since_2024, registry, settings,
                                                             ephemeral_instance, tmp_path, monkeypatch,
                                                             capsys) -> None:
    evm = chain_since_2024
    token = registry.tokens_on("anvil")[0]
    contract = evm.token(token.address)
    sent = {DAY_2024: _activity_on(evm, contract, DAY_2024, 1), RECENT_DAY: _activity_on(evm, contract, RECENT_DAY, 3)}
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))  # dbt's run folders, not in dbt/target
    resources = pipeline_resources(settings, evm.w3.provider.endpoint_uri)

    runs = [run_pipeline(day, day, resources=resources, instance=ephemeral_instance, selection=evm_only_selection())
            for day in (DAY_2024, RECENT_DAY)]

    assert [r.success for r in runs] == [True, True]
    flows = _rows(settings.serving_path, """
        select day, minted_raw, transferred_raw, burned_raw from marts.token_flows_daily
        where token_address = ? order by day""", [token.address])
    assert flows == [(day, *(Decimal(sum(s.amount_raw for s in on_day if s.kind == kind))
                             for kind in ("mint", "transfer", "burn"))) for day, on_day in sent.items()]
    daily = _rows(settings.serving_path, """
        select day, emissions_tokens, burns_tokens from marts.network_daily
        where network = ? and source = 'local' order by day""", [token.network])
    assert daily == [(day, sum(s.amount_raw for s in on_day if s.kind == "mint") / 10**token.decimals,
                      sum(s.amount_raw for s in on_day if s.kind == "burn") / 10**token.decimals)
                     for day, on_day in sent.items()]
    assert {d for (d,) in _rows(settings.serving_path, "select distinct day from marts.network_daily")} == set(sent)
    data_tests = _dbt_data_tests()
    for run in runs:  # every data test ran, each as a passing asset check
        dbt_checks = {c.check_name: c.passed for c in run.get_asset_check_evaluations()
                      if c.asset_key.path[0] in ("staging", "intermediate", "marts")}
        assert data_tests and dbt_checks.keys() == data_tests and all(dbt_checks.values())
    printed = capsys.readouterr().out.splitlines()
    finished = [line for line in printed if line.startswith("Finished running")]  # dbt's closing line, per build
    assert len(finished) == len(runs) and all(" data tests" in line for line in finished), finished
    assert not [line for line in finished if "unit test" in line]
    assert not [line for line in printed if re.search(r"\bSTART unit_test\b", line)]

"""A metric the live path cannot measure reads "not measured on-chain" with the registry's reason, and a
day with payments in a denom that has no price is marked incomplete: in the marts, on every page and in
every report format. All real: the demo warehouse, a registry copy with one more entry, a lease planted
in an unknown denom, the registry asset run by Dagster, a dbt build, a publish, Streamlit's AppTest."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from depinlens.registry import METRIC_NAMES, RegistryError, load_registry, parse_registry
from depinlens.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from reports import build_report

PAGES = PROJECT_ROOT / "dashboards" / "app_pages"
PLANTED_REASON = "PLANTED: this test says GAIB's vault yield is not read"
PLANTED_DENOM = "ibc/0000PLANTEDUNKNOWNDENOM"
MARKER = f"incomplete: payments in {PLANTED_DENOM} not priced"


def _dbt(warehouse: Path, target: Path, *args: str) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(target)],
                          env=dict(os.environ, DEPINLENS_WAREHOUSE=str(warehouse)), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def planted(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse with GAIB's revenue named not measured in a registry copy and one Akash lease
    paid in a denom the registry does not know; registry reloaded by its Dagster asset, marts rebuilt by
    dbt and published. Returns the data directory (warehouse.duckdb, serving.duckdb, networks.toml)."""
    import dagster as dg

    from pipelines.defs.assets.registry import registry_tables
    from pipelines.defs.resources import EvmResource, WarehouseResource
    from warehouse import publish

    data_dir = tmp_path_factory.mktemp("planted")
    warehouse, serving, registry = data_dir / "warehouse.duckdb", data_dir / "serving.duckdb", data_dir / "networks.toml"
    shutil.copy(demo_data_dir / "warehouse.duckdb", warehouse)
    registry.write_text((PROJECT_ROOT / "networks.toml").read_text()
                        + f'\n[networks.gaib.not_measured]\nrevenue = "{PLANTED_REASON}"\n')
    with duckdb.connect(str(warehouse)) as conn:
        first, last = conn.execute("select min(day), max(day) from marts.network_daily").fetchone()
        conn.execute("""insert into raw.jobs
                        select * replace ('planted/unknown-denom' as job_id, ? as price_denom)
                        from raw.jobs where network = 'akash' and started_at is not null
                        order by job_id limit 1""", [PLANTED_DENOM])
    result = dg.materialize(
        [registry_tables], partition_key=last.isoformat(),
        resources={"evm": EvmResource(chains=[], registry_path=str(registry)),
                   "warehouse": WarehouseResource(path=str(warehouse), serving_path=str(serving))})
    assert result.success
    _dbt(warehouse, data_dir / "target", "run", "--vars", json.dumps({"min_day": str(first), "max_day": str(last)}))
    publish(warehouse, serving)
    return data_dir


@pytest.fixture
def planted_serving(planted: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEPINLENS_SERVING", str(planted / "serving.duckdb"))
    return planted / "serving.duckdb"


def _page(page: str) -> AppTest:
    app = AppTest.from_file(str(PAGES / page), default_timeout=90).run()
    assert not app.exception, app.exception
    return app


# ── the registry and the marts ────────────────────────────────────────────────

def test_an_unknown_metric_in_not_measured_is_refused_naming_the_metrics_it_may_use() -> None:
    document = tomllib.loads((PROJECT_ROOT / "networks.toml").read_text())
    document["networks"]["render"]["not_measured"]["emision"] = "a typo"
    with pytest.raises(RegistryError) as refused:
        parse_registry(document)
    assert str(refused.value).startswith("networks.toml: networks.render, not_measured: unknown metric 'emision' "
                                         "(a typo of 'emissions'?")
    assert "\n" not in str(refused.value)


def test_the_registry_asset_copies_every_gap_and_signal_into_the_warehouse(planted: Path) -> None:
    registry = load_registry(planted / "networks.toml")
    with duckdb.connect(str(planted / "warehouse.duckdb"), read_only=True) as conn:
        gaps = set(conn.execute("select network, metric, reason from raw.registry_not_measured").fetchall())
        signals = conn.execute("select count(*) from raw.registry_signals").fetchone()[0]
    assert gaps == {(n.id, metric, reason) for n in registry.networks.values() for metric, reason in n.not_measured.items()}
    assert ("gaib", "revenue", PLANTED_REASON) in gaps
    assert signals == sum(len(n.signals) for n in registry.networks.values())


def test_the_coverage_mart_traces_the_names_the_registry_accepts(demo_data_dir: Path) -> None:
    with duckdb.connect(str(demo_data_dir / "warehouse.duckdb"), read_only=True) as conn:
        traced = {m for (m,) in conn.execute("select distinct measure from intermediate.int_network_metrics_traced").fetchall()}
    assert traced == set(METRIC_NAMES)


def test_every_registry_gap_and_what_is_computed_from_it_reads_not_measured_with_its_reason(
        demo_data_dir: Path, registry) -> None:
    with duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True) as conn:
        rows = conn.execute("select network, metric, stem, status, reason, via from marts.network_metric_coverage").fetchall()
    coverage = {(network, metric): (stem, status, reason, via) for network, metric, stem, status, reason, via in rows}
    for network in registry.networks.values():
        for name, reason in network.not_measured.items():
            named = [row for (n, metric), row in coverage.items() if n == network.id and name in (metric, row[0])]
            assert all(row[1:] == ("not_measured", reason, None) for row in named), (network.id, name)
            if not named:  # a measure no column is named after (`jobs`): the columns computed from it
                reached = [row for (n, _metric), row in coverage.items() if n == network.id and row[3] == name]
                assert reached and all(row[1:3] == ("not_measured", reason) for row in reached), (network.id, name)
    nodeai_rewards = registry.networks["nodeai"].not_measured["rewards"]
    assert coverage[("nodeai", "revenue_usd")][1:] == ("not_measured", nodeai_rewards, "rewards")  # revenue share
    assert coverage[("render", "net_issuance_usd")][1:] == (
        "not_measured", registry.networks["render"].not_measured["emissions"], "emissions")
    assert coverage[("akash", "nominal_apy")][1] == "measured"  # from inflation, not from the unread rewards
    assert coverage[("render", "gpu_hours")][1] == "not_applicable"  # burn-mint: no job is settled on-chain


def test_a_lease_in_an_unknown_denom_marks_its_days_incomplete_and_adds_nothing_to_fees(
        demo_data_dir: Path, planted: Path) -> None:
    query = """select day, fees_usd, payments_complete, unpriced_denoms, unregistered_denoms
               from marts.network_daily where network = 'akash' order by day"""
    with duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True) as conn:
        before = {day: fees for day, fees, *_ in conn.execute(query).fetchall()}
    with duckdb.connect(str(planted / "serving.duckdb"), read_only=True) as conn:
        after = conn.execute(query).fetchall()
    flagged = [row for row in after if row[2] is False]
    assert flagged, "the planted lease's days must be marked incomplete"
    for day, fees, _complete, unpriced, unregistered in flagged:
        assert unpriced == [PLANTED_DENOM] and unregistered == [PLANTED_DENOM]
        assert fees == pytest.approx(before[day])  # the priced payments only, and flagged as such
    assert all(row[2] is True and row[3] == [] for row in after if row not in flagged)


# ── pages ──────────────────────────────────────────────────────────────────────

def test_the_overview_shows_a_dash_and_the_registry_reason_for_a_metric_not_measured(planted_serving: Path) -> None:
    app = _page("overview.py")
    table = app.dataframe[0].value
    gaib = table[table["network"] == "gaib"].iloc[0]
    assert gaib["revenue_usd"] == "—"
    assert f"not measured on-chain: {PLANTED_REASON}" in gaib["notes"]
    assert not table[["revenue_usd", "real_yield", "nominal_apy", "utilization"]].isin(["None", "nan", ""]).any().any()
    revenue = next(m for m in app.metric if m.label.startswith("Revenue in window"))
    assert f"gaib (not measured on-chain: {PLANTED_REASON})" in revenue.help


def test_the_overview_marks_a_window_with_unpriced_payments_incomplete(planted_serving: Path) -> None:
    app = _page("overview.py")
    table = app.dataframe[0].value
    akash = table[table["network"] == "akash"].iloc[0]
    assert MARKER in akash["notes"]
    assert any(MARKER in w.value for w in app.warning)
    assert next(m for m in app.metric if m.label.startswith("Revenue in window")).label.endswith("(incomplete)")


def test_the_revenue_page_says_which_days_are_incomplete_and_why_a_network_has_no_line(planted_serving: Path) -> None:
    with duckdb.connect(str(planted_serving), read_only=True) as conn:
        incomplete_days = {d for (d,) in conn.execute(
            "select day from marts.network_daily where network = 'akash' and not payments_complete").fetchall()}
    app = _page("revenue.py")
    daily = next(t.value for t in app.dataframe if "day" in t.value)  # the daily table
    marked = daily[daily["notes"].str.contains(MARKER, regex=False)]
    assert set(marked["network"]) == {"akash"}
    assert set(marked["day"]) == {d.isoformat() for d in incomplete_days}
    assert (daily[daily["network"] == "gaib"]["revenue_usd"] == "—").all()
    assert any(f"**gaib** (revenue: not measured on-chain: {PLANTED_REASON})" in c.value for c in app.caption)
    assert any(MARKER in w.value for w in app.warning)
    assert app.metric[0].label == "Revenue (incomplete)"


def test_every_network_daily_page_shows_a_dash_never_none_or_zero_for_what_is_not_measured(demo_data_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    with duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True) as conn:
        gaps = {(n, m) for n, m in conn.execute(
            "select network, metric from marts.network_metric_coverage where status <> 'measured'").fetchall()}
    for page in ("overview.py", "revenue.py", "staking.py", "utilization.py"):
        app = _page(page)
        for element in app.dataframe:
            table = element.value
            for column in (c for c in table.columns if "network" in table and c != "network"):
                for network, value in zip(table["network"], table[column], strict=True):
                    if (network, column) in gaps:
                        assert value == "—", (page, network, column, value)


def test_claims_whose_counterpart_is_not_measured_show_no_measured_figure_and_say_why(demo_data_dir: Path,
        monkeypatch: pytest.MonkeyPatch, registry) -> None:
    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    app = _page("claims.py")
    claims = app.dataframe[0].value
    nodeai_apy = claims[claims["claim_text"].str.contains("staking APY", regex=False)].iloc[0]
    assert nodeai_apy["measured_value"] == "—" and nodeai_apy["gap_ratio"] == "—"
    assert registry.networks["nodeai"].not_measured["rewards"] in nodeai_apy["measurement_basis"]


# ── reports ────────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def planted_reports(planted: Path) -> dict[str, bytes]:
    generated = datetime(2026, 1, 1, tzinfo=UTC)
    return {fmt: build_report(planted / "serving.duckdb", fmt, generated_at=generated) for fmt in ("html", "xlsx", "csv")}


def test_the_html_report_puts_a_numbered_reason_on_the_missing_figure_and_the_incomplete_one(
        planted_reports: dict[str, bytes]) -> None:
    import re
    from html import unescape

    html = unescape(planted_reports["html"].decode())
    networks = html[html.index('<section id="networks">'):html.index("</section>", html.index('<section id="networks">'))]
    notes = re.findall(r"<li>(.*?)</li>", networks[networks.index('<ol class="footnotes">'):])
    gaib_reason = notes.index(f"not measured on-chain: {PLANTED_REASON}") + 1
    superscript = str(gaib_reason).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    gaib_row = re.search(r"<tr><td>gaib</td>.*?</tr>", networks).group(0)
    assert f"—{superscript}<" in gaib_row
    assert any(note.startswith(MARKER) for note in notes)
    assert "None" not in networks and "nan" not in networks


def test_the_xlsx_and_csv_hold_a_dash_and_the_reason_not_an_empty_cell(planted_reports: dict[str, bytes]) -> None:
    import pandas as pd
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(planted_reports["xlsx"]))["networks"]
    header = [c.value for c in sheet[2]]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "gaib")
    revenue = row[header.index("revenue")]
    assert revenue.value == "—" and PLANTED_REASON in revenue.comment.text
    assert PLANTED_REASON in row[header.index("notes")].value
    akash = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "akash")
    assert isinstance(akash[header.index("fees")].value, float) and MARKER in akash[header.index("fees")].comment.text

    networks = pd.read_csv(zipfile.ZipFile(io.BytesIO(planted_reports["csv"])).open("networks.csv"))
    gaib = networks[networks["network"] == "gaib"].iloc[0]
    assert gaib["revenue_usd"] == "—" and PLANTED_REASON in gaib["notes"]
    assert MARKER in networks[networks["network"] == "akash"].iloc[0]["notes"]

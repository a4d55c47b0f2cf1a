"""Every dashboard page renders over the demo warehouse for people to read (no None, NaN or raw
timestamp, human column names), filters change what it shows and a bad link says what it replaced,
comparisons are made on the canonical GPU model and on a claim's own terms, and an empty selection
explains itself (Streamlit AppTest against the real serving file)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from depinlens.settings import PROJECT_ROOT
from tests.conftest import NEEDS_SHARED_REASON, SHARED_DIR

PAGES = PROJECT_ROOT / "dashboards" / "app_pages"
TITLES = {
    "overview.py": "Overview",
    "revenue.py": "Revenue and burns",
    "staking.py": "Staking and yield",
    "gpu_finance.py": "GPU finance",
    "utilization.py": "Utilization",
    "gpu_prices.py": "GPU prices",
    "benchmarks.py": "Benchmarks",
    "claims.py": "Claims against evidence",
    "token_flows.py": "Token flows",
    "submit.py": "Submit a benchmark",
    "data_sources.py": "Data and methodology",
    "report.py": "Report",
    "providers.py": "Akash providers",
}
RAW = re.compile(r"^(?:None|NaN|nan|NaT|<NA>|\[\])$|\d{2}:\d{2}:\d{2}")  # what a cell must never show
NEEDS_PRICES = pytest.mark.skipif(not (SHARED_DIR / "reference" / "cloud_gpu_prices.csv").exists(),
                                  reason=NEEDS_SHARED_REASON)


@pytest.fixture
def serving(demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    monkeypatch.setenv("DEPINLENS_BENCH_INBOX", str(tmp_path / "inbox"))
    return demo_data_dir / "serving.duckdb"


def _run(page: str) -> AppTest:
    return AppTest.from_file(str(PAGES / page), default_timeout=90).run()


def _rows(serving: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _assert_written_for_people(app: AppTest, page: str) -> None:
    """No table cell reads None, NaN or a raw timestamp, and every column has a human name."""
    for element in app.dataframe:
        table = element.value
        names = json.loads(element.proto.columns or "{}")
        for column in table.columns:
            assert "_" not in names.get(column, {}).get("label", column), (page, column)
            if table[column].map(lambda v: isinstance(v, list) or hasattr(v, "tolist")).any():
                continue  # a sparkline's series
            shown = table[column].astype(str)
            assert not shown.str.contains(RAW).any(), (page, column, shown[shown.str.contains(RAW)].tolist()[:3])
    for text in [m.value for m in app.metric] + [c.value for c in app.caption] + [m.value for m in app.markdown]:
        assert not re.search(r"\b(None|NaN|nan)\b|\d{2}:\d{2}:\d{2}", text), (page, text)


@pytest.mark.parametrize("page", sorted(TITLES))
def test_every_page_renders_over_the_demo_warehouse_for_people_to_read(serving: Path, page: str) -> None:
    app = _run(page)
    assert not app.exception, app.exception
    assert app.title[0].value == TITLES[page]
    if page not in ("submit.py", "data_sources.py", "report.py"):
        assert any("DEMO DATA" in w.value for w in app.warning), "demo rows must carry the demo badge"
    _assert_written_for_people(app, page)


def test_the_overview_compares_every_demo_network_and_narrows_to_the_chosen_ones(serving: Path) -> None:
    app = _run("overview.py")
    everyone = set(app.dataframe[0].value["network"])
    assert {"aethir", "akash", "gaib", "nodeai", "nosana", "render"} <= everyone
    app.multiselect[0].set_value(["akash", "render"]).run()
    assert set(app.dataframe[0].value["network"]) == {"akash", "render"}
    assert app.query_params["networks"] == ["akash,render"] or app.query_params["networks"] == "akash,render"


def test_an_empty_network_selection_says_what_to_do(serving: Path) -> None:
    app = _run("revenue.py")
    app.multiselect[0].set_value([]).run()
    assert not app.exception
    assert any("No revenue for these filters" in i.value for i in app.info)


@NEEDS_PRICES
def test_the_a100_comparison_includes_every_offer_of_a_comparable_a100_and_says_how_each_entered(serving: Path) -> None:
    (akash_a100,) = _rows(serving, "select distinct gpu_model from marts.gpu_prices "
                                   "where venue = 'akash' and gpu_model like 'A100%'")[0]
    offers = set(_rows(serving, "select distinct venue, gpu_model from marts.gpu_prices where gpu_model like 'A100%'"))
    assert akash_a100 == "A100 80GB SXM"  # what the demo's Akash providers advertise (ram 80Gi, interface sxm)
    app = _run("gpu_prices.py")
    app.selectbox[0].set_value(akash_a100).run()
    table = app.dataframe[0].value
    shown = set(zip(table["venue"], table["gpu_model"], strict=True))
    # every A100 80GB offer, and every A100 offer whose name leaves the memory or form factor unstated ...
    expected = {(v, m) for v, m in offers if m in ("A100 80GB SXM", "A100 80GB", "A100 SXM", "A100")}
    assert {m for _v, m in expected} == {"A100 80GB SXM", "A100 80GB", "A100 SXM", "A100"}
    assert shown == expected
    # ... and never one that states another memory or form factor
    assert not [m for _v, m in shown if "40GB" in m or "PCIe" in m]
    assert set(table.loc[table["gpu_model"] == "A100 SXM", "compared_as"]) == {"memory not stated"}
    assert set(table.loc[table["gpu_model"] == "A100 80GB", "compared_as"]) == {"form factor not stated"}
    assert any("A100 SXM (memory not stated): " in c.value and "vast" in c.value for c in app.caption)
    cheapest = min(zip(table["usd_per_gpu_hour"].str.lstrip("$").astype(float), table["venue"], table["gpu_model"],
                       table["venue_kind"], strict=True), key=lambda r: r[0] if r[3] == "cloud" else float("inf"))
    assert app.metric[0].label == "Cheapest cloud" and app.metric[0].help == f"{cheapest[1]}, {cheapest[2]}"
    assert app.query_params["gpu"] in (akash_a100, [akash_a100])


@NEEDS_PRICES
def test_usd_per_pflop_hour_is_drawn_one_gpu_model_at_a_time_never_stacked(serving: Path) -> None:
    per_model = dict(_rows(serving, "select gpu_model, count(*) from marts.cost_per_compute "
                                    "where usd_per_pflop_hour is not null group by all"))
    app = _run("benchmarks.py")
    assert set(app.selectbox[0].options) >= set(per_model)
    for model in ("H100 SXM", "L40S"):
        app.selectbox[0].set_value(model).run()
        spec = json.loads(app.get("plotly_chart")[-1].proto.spec)
        bars = [label for trace in spec["data"] for label in trace["y"]]
        assert spec["layout"]["barmode"] == "group" and "PFLOP-hour" in spec["layout"]["xaxis"]["title"]["text"]
        assert all(label.endswith(f" · {model}") for label in bars)  # one model: a venue's models never add up
        assert len(bars) == per_model[model] == len({(t["name"], y) for t in spec["data"] for y in t["y"]})


def test_a_link_with_a_malformed_or_out_of_range_value_says_what_it_shows_instead(serving: Path) -> None:
    first, last = _rows(serving, "select min(day), max(day) from marts.network_daily")[0]
    app = AppTest.from_file(str(PAGES / "revenue.py"), default_timeout=90)
    app.query_params.update({"from": "2020-01-01", "to": "2020-01-31", "networks": "akash,atlantis", "gpu": "GPU9000"})
    app.run()
    warnings = [w.value for w in app.warning]
    assert any("2020-01-01 to 2020-01-31" in w and f"showing {first} to {last}" in w for w in warnings), warnings
    assert any("atlantis" in w and "showing akash" in w for w in warnings), warnings
    assert any("gpu=GPU9000" in w for w in warnings), warnings
    assert app.date_input[0].value == (first, last)  # the published days, never one clamped day
    assert app.multiselect[0].value == ["akash"]
    assert app.query_params["from"] in (first.isoformat(), [first.isoformat()])

    bad_date = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=90)
    bad_date.query_params["to"] = "2026-13-45"
    bad_date.run()
    assert any("`to=2026-13-45` is not a date" in w.value for w in bad_date.warning)


@pytest.mark.parametrize("page", ["submit.py", "data_sources.py"])
def test_a_page_that_draws_no_filter_keeps_the_links_filters_in_its_url_and_warns_of_a_bad_value(
        serving: Path, page: str) -> None:
    first, last = _rows(serving, "select min(day), max(day) from marts.network_daily")[0]
    app = AppTest.from_file(str(PAGES / page), default_timeout=90)
    app.query_params.update({"networks": "akash,atlantis", "from": first.isoformat(), "to": last.isoformat()})
    app.run()
    assert not app.exception
    assert app.query_params["networks"] in ("akash", ["akash"])  # what the other pages will show
    assert app.query_params["to"] in (last.isoformat(), [last.isoformat()])
    assert any("atlantis" in w.value and "showing akash" in w.value for w in app.warning)


def test_a_claim_is_never_set_against_days_outside_its_own_period(serving: Path) -> None:
    first, last = _rows(serving, "select min(day), max(day) from marts.network_daily")[0]
    with duckdb.connect(str(serving), read_only=True) as conn:
        claims = conn.execute("select * from marts.claims_vs_evidence order by network, metric, claim_key").df()
    assert len(claims) >= 20
    compared = claims[claims["comparable"]]
    assert compared["measured_value"].notna().all() and claims.loc[~claims["comparable"], "measured_value"].isna().all()
    for claim in compared.itertuples():  # a measured figure comes only from days inside the claim's period
        assert claim.period_start <= claim.evidence_from <= claim.evidence_to <= claim.period_end
    app = _run("claims.py")
    table = app.dataframe[0].value
    published = {n for (n,) in _rows(serving, "select network from marts.dim_network")}
    claims = claims[claims["network"].isin(published)].reset_index(drop=True)  # the page shows the chosen networks'
    assert list(table["claim_text"]) == list(claims["claim_text"])
    outside = [pd.isna(c.period_start) or pd.isna(c.period_end) or c.period_end.date() < first
               or c.period_start.date() > last for c in claims.itertuples()]
    for row in table[outside].itertuples():  # the published days lie outside the claim's period: no figure, and why
        assert row.measured_value == "—" and row.gap_ratio == "—", row
        assert not row.measurement_basis.startswith(("total", "scaled", "average")), row
    if first.year > 2025:  # the demo's days: every 2025 claim says it cannot be compared yet, or why not at all
        assert all(outside)
        assert any("No claim can be set against the data on its own terms yet" in i.value for i in app.info)
        stated_2025 = table[table["period"] == "2025"]
        assert stated_2025["measurement_basis"].str.contains(
            "no data in the claim's period 2025|not measured on-chain|not applicable|no on-chain counterpart").all()


def test_each_network_is_drawn_in_its_one_colour_on_every_page(serving: Path) -> None:
    from reports import network_colour

    networks = {n for (n,) in _rows(serving, "select network from marts.dim_network")}
    drawn: dict[str, set[str]] = {}
    for page in ("revenue.py", "staking.py", "utilization.py"):
        for element in _run(page).get("plotly_chart"):
            for trace in json.loads(element.proto.spec)["data"]:
                colour = trace.get("line", {}).get("color") or trace.get("marker", {}).get("color")
                if trace.get("name") in networks and isinstance(colour, str):
                    drawn.setdefault(trace["name"], set()).add(colour)
    assert len(drawn) >= 3, drawn
    assert all(colours == {network_colour(n)} for n, colours in drawn.items()), drawn
    assert len({network_colour(n) for n in networks}) == len(networks)  # no two networks share one


def test_a_claim_the_data_covers_is_drawn_as_measured_over_claimed_in_its_networks_colour(
        demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from reports import format_value, network_colour

    covered = tmp_path / "serving.duckdb"
    shutil.copy(demo_data_dir / "serving.duckdb", covered)
    with duckdb.connect(str(covered)) as conn:  # a build whose days cover one USD claim's whole period
        key, network, claimed = conn.execute("""select claim_key, network, claimed_value from marts.claims_vs_evidence
                                                where unit = 'USD' and claimed_value > 0
                                                order by claim_key limit 1""").fetchone()
        conn.execute("""update marts.claims_vs_evidence
                        set comparable = true, measured_value = claimed_value * 0.4, gap_ratio = -0.6,
                            evidence_from = period_start, evidence_to = period_end,
                            measurement_basis = 'total over the period'
                        where claim_key = ?""", [key])
    monkeypatch.setenv("DEPINLENS_SERVING", str(covered))
    app = _run("claims.py")
    assert not app.exception and not app.info  # no "cannot be compared yet" notice: one claim is covered
    (bar,) = json.loads(app.get("plotly_chart")[0].proto.spec)["data"]
    ratios = bar["x"]  # plotly writes number arrays as base64 with their dtype
    if isinstance(ratios, dict):
        ratios = np.frombuffer(base64.b64decode(ratios["bdata"]), dtype=ratios["dtype"]).tolist()
    assert ratios == pytest.approx([0.4]) and bar["marker"]["color"] == [network_colour(network)]
    assert json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"].startswith(
        "measured ÷ claimed, same period and terms")
    table = app.dataframe[0].value
    row = table[table["measured_value"] != "—"]
    assert list(row["measured_value"]) == [format_value("usd", claimed * 0.4)] and list(row["network"]) == [network]
    assert list(row["gap_ratio"]) == [format_value("pct", -0.6)]
    _assert_written_for_people(app, "claims.py")


def test_token_flows_are_shown_per_token_and_summed_only_in_usd(serving: Path) -> None:
    tokens = set(_rows(serving, "select distinct network, token_symbol from marts.token_flows_daily"))
    app = _run("token_flows.py")
    assert [m.label for m in app.metric][:3] == ["Minted (USD)", "Burned (USD)", "Net issuance (USD)"]
    per_token = app.dataframe[0].value
    assert set(zip(per_token["network"], per_token["token_symbol"], strict=True)) == tokens
    token = app.selectbox[0].value.split(" (")[0]
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["title"]["text"] == f"{token} (tokens)"


def test_without_a_published_file_a_page_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPINLENS_SERVING", str(tmp_path / "nothing.duckdb"))
    app = _run("overview.py")
    assert not app.exception
    assert "depinlens up" in app.error[0].value


def test_narrowing_the_date_filter_narrows_the_table_and_the_url(serving: Path) -> None:
    from datetime import date

    app = _run("token_flows.py")
    last = app.dataframe[-1].value["day"].max()  # the daily table; days as it writes them: YYYY-MM-DD
    assert app.dataframe[-1].value["day"].nunique() > 1
    app.date_input[0].set_value((date.fromisoformat(last), date.fromisoformat(last))).run()
    assert not app.exception
    assert set(app.dataframe[-1].value["day"]) == {last}
    assert str(app.query_params["to"]).strip("[]'") == last


def test_the_router_opens_on_the_overview(serving: Path) -> None:
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "streamlit_app.py"), default_timeout=90).run()
    assert not app.exception
    assert app.title[0].value == "Overview"


def test_demo_and_live_figures_are_never_summed_the_sidebar_picks_one_label(
        demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    mixed = tmp_path / "serving.duckdb"
    shutil.copy(demo_data_dir / "serving.duckdb", mixed)
    conn = duckdb.connect(str(mixed))
    try:  # a live run landing beside the demo: same networks and days, other figures
        conn.execute("""insert into marts.network_daily
                        select * replace ('live' as source, revenue_usd * 3 as revenue_usd,
                                          network_day_key || ':live' as network_day_key)
                        from marts.network_daily""")
        # the headline counts only networks whose revenue is measured on-chain (the others are named in its help)
        demo_total, live_total = conn.execute("""select sum(revenue_usd) filter (where source = 'demo'),
                                                        sum(revenue_usd) filter (where source = 'live')
                                                 from marts.network_daily
                                                 where network not in (select network from marts.network_metric_coverage
                                                                       where metric = 'revenue_usd'
                                                                         and status <> 'measured')""").fetchone()
    finally:
        conn.close()
    monkeypatch.setenv("DEPINLENS_SERVING", str(mixed))

    app = _run("revenue.py")
    assert not app.exception, app.exception
    assert app.sidebar.radio[0].options == ["live", "demo"] and app.sidebar.radio[0].value == "live"
    assert app.metric[0].value == f"${live_total:,.0f}"  # not demo + live
    assert not any("DEMO DATA" in w.value for w in app.warning)
    app.sidebar.radio[0].set_value("demo").run()
    assert app.metric[0].value == f"${demo_total:,.0f}"
    assert any("DEMO DATA" in w.value for w in app.warning)

    overview = _run("overview.py")
    assert set(overview.dataframe[0].value["network"].value_counts()) == {1}  # one row per network, one label


def test_the_overview_prices_gpus_of_the_chosen_window(serving: Path) -> None:
    first, last = _rows(serving, "select min(day), max(day) from marts.network_daily")[0]
    per_day = dict(_rows(serving, "select day, min(usd_per_gpu_hour) from marts.gpu_prices "
                                  "where venue = 'akash' and gpu_model like 'H100%' group by day"))
    assert first in per_day and last in per_day and per_day[first] != per_day[last]
    app = _run("overview.py")
    for day in (first, last):
        app.date_input[0].set_value((day, day)).run()
        akash = app.dataframe[0].value.set_index("network").loc["akash"]
        assert akash["h100_usd_per_gpu_hour"] == f"${per_day[day]:,.2f}", day


def test_a_csv_keeps_full_precision_under_headers_that_carry_the_unit() -> None:
    from datetime import date

    from dashboards.components import csv_of

    frame = pd.DataFrame({"day": pd.to_datetime([date(2026, 1, 2), date(2026, 1, 3)]), "network": ["akash", "gaib"],
                          "revenue_usd": [6861463.123456789, None], "real_yield": [0.0512345, 0.1],
                          "sources": [["demo", "live"], []]})
    lines = csv_of(frame).splitlines()
    assert lines[0] == "day [UTC date],network,revenue [USD],real yield [fraction a year, 0.05 = 5%],source labels" \
        or lines[0] == 'day [UTC date],network,revenue [USD],"real yield [fraction a year, 0.05 = 5%]",source labels'
    assert lines[1] == '2026-01-02,akash,6861463.123456789,0.0512345,"demo, live"'
    assert lines[2] == "2026-01-03,gaib,—,0.1,—"


def test_the_upload_limit_served_is_the_verifiers_own() -> None:
    import tomllib

    from gpu_bench.verify import VerifyPolicy

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == VerifyPolicy().max_bytes  # Streamlit counts MiB
    assert config["client"]["toolbarMode"] == "viewer" and config["browser"]["gatherUsageStats"] is False
    app = _run("submit.py")
    assert any(f"Size limit {VerifyPolicy().max_bytes // 1024:,} KiB" in i.value for i in app.info)


def test_what_akash_tenants_paid_its_providers_adds_up_to_akash_fees(serving: Path) -> None:
    first, last = _rows(serving, "select min(day), max(day) from marts.network_daily")[0]
    (fees,) = _rows(serving, "select sum(fees_usd) from marts.network_daily where network = 'akash'")[0]
    (providers,) = _rows(serving, "select count(distinct provider) from marts.provider_daily where network = 'akash'")[0]
    app = _run("providers.py")
    assert app.date_input[0].value == (first, last)
    assert [m.value for m in app.metric][:2] == [f"{providers:,}", f"${fees:,.0f}"]
    table = app.dataframe[0].value
    assert len(table) == providers and table["gpus_by_model"].str.contains(r" × \d").all()


def test_the_providers_page_says_which_providers_are_audited_and_by_whom(serving: Path) -> None:
    table = _run("providers.py").dataframe[0].value
    # the demo audits some providers and not others: the table says which, naming the auditor
    audited = dict(_rows(serving, "select provider, audit_status from marts.provider_audits where network = 'akash'"))
    assert {"not audited"} < set(audited.values()) and any(v.startswith("audited by akash1") for v in audited.values())
    shown = dict(zip(table["provider"], table["audited"], strict=True))
    assert shown == {p: audited.get(p, "—") for p in shown}
    assert "not audited" in shown.values() and any(v.startswith("audited by akash1") for v in shown.values())


@pytest.mark.parametrize("page", ["overview.py", "revenue.py"])
def test_fully_diluted_value_shows_where_a_cap_is_cited_and_says_why_not_elsewhere(serving: Path, page: str) -> None:
    from depinlens.registry import load_registry

    networks = load_registry(PROJECT_ROOT / "networks.toml").networks
    # the mart: price × the registry's cited maximum supply, for every day with a price
    for network, price, fdv in _rows(serving, "select network, token_price_usd, fully_diluted_value_usd "
                                              "from marts.token_supply_daily where token_price_usd is not null"):
        cap = networks[network].max_supply
        expected = float(cap.tokens) * price if cap is not None and cap.tokens is not None else None
        assert fdv == (pytest.approx(expected) if expected is not None else None), network
    app = _run(page)
    table = next(t.value for t in app.dataframe if "fully_diluted_value_usd" in t.value.columns)
    for row in table.itertuples():
        cap = networks[row.network].max_supply
        if cap is not None and cap.tokens is not None:
            assert row.fully_diluted_value_usd.startswith("$"), row.network
        else:  # inflationary, or no cap verified: —, and the row's notes say which
            assert row.fully_diluted_value_usd == "—", row.network
            why = "not applicable: AKT is inflationary" if cap is not None else "no maximum supply of"
            assert why in row.notes, (row.network, row.notes)

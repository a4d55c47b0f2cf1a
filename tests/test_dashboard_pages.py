"""Every dashboard page renders over the demo warehouse, filters change what it shows, and an
empty selection explains itself (Streamlit AppTest against the real serving file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from depinlens.settings import PROJECT_ROOT
from tests.conftest import NEEDS_SHARED_REASON, SHARED_DIR

PAGES = PROJECT_ROOT / "dashboards" / "app_pages"
TITLES = {
    "overview.py": "Overview",
    "revenue.py": "Revenue and burns",
    "staking.py": "Staking and yield",
    "utilization.py": "Utilization",
    "gpu_prices.py": "GPU prices",
    "benchmarks.py": "Benchmarks",
    "claims.py": "Claims against evidence",
    "token_flows.py": "Token flows",
    "submit.py": "Submit a benchmark",
    "data_sources.py": "Data and methodology",
    "report.py": "Report",
}


@pytest.fixture
def serving(demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    monkeypatch.setenv("DEPINLENS_BENCH_INBOX", str(tmp_path / "inbox"))
    return demo_data_dir / "serving.duckdb"


def _run(page: str) -> AppTest:
    return AppTest.from_file(str(PAGES / page), default_timeout=90).run()


@pytest.mark.parametrize("page", sorted(TITLES))
def test_every_page_renders_over_the_demo_warehouse(serving: Path, page: str) -> None:
    app = _run(page)
    assert not app.exception, app.exception
    assert app.title[0].value == TITLES[page]
    if page not in ("submit.py", "data_sources.py", "report.py"):
        assert any("DEMO DATA" in w.value for w in app.warning), "demo rows must carry the demo badge"


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


@pytest.mark.skipif(not (SHARED_DIR / "reference" / "cloud_gpu_prices.csv").exists(), reason=NEEDS_SHARED_REASON)
def test_gpu_prices_put_networks_beside_clouds_for_the_chosen_model(serving: Path) -> None:
    app = _run("gpu_prices.py")
    models = app.selectbox[0].options
    assert any(m.startswith("H100") for m in models)
    app.selectbox[0].set_value(next(m for m in models if m.startswith("H100"))).run()
    table = app.dataframe[0].value
    assert not app.exception and {"cloud"} <= set(table["venue_kind"])
    assert (table["usd_per_gpu_hour"] > 0).all()


def test_claims_sit_beside_measured_figures_with_their_basis(serving: Path) -> None:
    app = _run("claims.py")
    claims = app.dataframe[0].value
    assert len(claims) >= 20
    assert claims["measured_value"].notna().any()
    assert claims["measurement_basis"].notna().all()


def test_without_a_published_file_a_page_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPINLENS_SERVING", str(tmp_path / "nothing.duckdb"))
    app = _run("overview.py")
    assert not app.exception
    assert "depinlens up" in app.error[0].value


def test_narrowing_the_date_filter_narrows_the_table_and_the_url(serving: Path) -> None:
    from datetime import date

    app = _run("token_flows.py")
    last = app.dataframe[0].value["day"].max()  # days as the table writes them: YYYY-MM-DD
    assert app.dataframe[0].value["day"].nunique() > 1
    app.date_input[0].set_value((date.fromisoformat(last), date.fromisoformat(last))).run()
    assert not app.exception
    assert set(app.dataframe[0].value["day"]) == {last}
    assert str(app.query_params["to"]).strip("[]'") == last


def test_the_router_opens_on_the_overview(serving: Path) -> None:
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "streamlit_app.py"), default_timeout=90).run()
    assert not app.exception
    assert app.title[0].value == "Overview"


def test_demo_and_live_figures_are_never_summed_the_sidebar_picks_one_label(
        demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    import duckdb

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

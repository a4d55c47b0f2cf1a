"""README's first command path (`depinlens up`) and the Streamlit pages over its serving file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from depinlens.settings import PROJECT_ROOT

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")
PAGE = str(PROJECT_ROOT / "dashboards" / "app_pages" / "token_flows.py")


@pytest.fixture(scope="module")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`depinlens up --days 3 --no-serve` in a fresh data directory: anvil, demo, Dagster, dbt, publish."""
    data_dir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    env["DEPINLENS_DATA_DIR"] = str(data_dir)
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "up", "--days", "3", "--no-serve"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "pipeline run" in done.stdout and "succeeded" in done.stdout
    return data_dir


def test_up_publishes_three_days_of_demo_rows_labelled_demo(demo_data_dir: Path) -> None:
    conn = duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True)
    days, sources, rows = conn.execute(
        "select count(distinct day), list(distinct source), count(*) from marts.token_flows_daily").fetchone()
    conn.close()
    assert days == 3 and sources == ["demo"] and rows == 3


def test_the_cli_help_lists_its_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("up", "run", "serve"):
        assert command in done.stdout


@pytest.fixture
def serving_env(demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    return demo_data_dir / "serving.duckdb"


def test_the_app_opens_on_token_flows_with_chart_table_and_demo_badge(serving_env: Path) -> None:
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Token flows"
    assert any("DEMO DATA" in w.value for w in app.warning)
    table = app.dataframe[0].value
    assert len(table) == 3 and set(table["source"]) == {"demo"}
    assert [m.label for m in app.metric] == ["Minted", "Burned", "Net issuance", "Transfers"]
    assert len(app.get("plotly_chart")) == 2


def test_narrowing_the_date_filter_narrows_the_table(serving_env: Path) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    last = app.dataframe[0].value["day"].max()
    app.date_input[0].set_value((last, last)).run()
    assert not app.exception
    assert list(app.dataframe[0].value["day"]) == [last]


def test_an_empty_selection_explains_what_to_do(serving_env: Path) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    app.multiselect[0].set_value([]).run()
    assert not app.exception
    assert any("No token flows" in i.value for i in app.info)


def test_without_a_published_file_the_page_says_how_to_make_one(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPINLENS_SERVING", str(tmp_path / "nothing.duckdb"))
    app = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not app.exception
    assert "depinlens up" in app.error[0].value


def test_the_data_sources_page_lists_the_demo_source(serving_env: Path) -> None:
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "app_pages" / "data_sources.py"),
                            default_timeout=60).run()
    assert not app.exception
    assert list(app.dataframe[0].value["source"]) == ["demo"]

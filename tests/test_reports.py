"""Investor reports: every format builds from the demo warehouse and carries the marts' figures,
the HTML stands alone in a browser, the PDF says what a reader needs on its first page, and the
CLI and the dashboard page hand out the same file."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from depinlens.settings import PROJECT_ROOT
from reports import DEMO_WARNING, build_report, format_value, gather, methodology_text, render
from warehouse import connect_serving

ARTIFACTS = PROJECT_ROOT / "artifacts" / "reports"
GENERATED = datetime.now(UTC).replace(microsecond=0)  # fixed for the session: the same input, the same bytes


@pytest.fixture(scope="module")
def serving(demo_data_dir: Path) -> Path:
    return demo_data_dir / "serving.duckdb"


@pytest.fixture(scope="module")
def marts(serving: Path) -> dict[str, dict]:
    """The figures the report must show, read straight from the mart (not through the report code)."""
    with duckdb.connect(str(serving), read_only=True) as conn:
        rows = conn.execute("""
            select network, sum(revenue_usd), avg(nominal_apy), avg(real_yield), avg(utilization),
                   sum(burns_usd), count(distinct day)
            from marts.network_daily group by network
        """).fetchall()
    return {r[0]: {"revenue_usd": r[1], "nominal_apy": r[2], "real_yield": r[3], "utilization": r[4],
                   "burns_usd": r[5], "days": r[6]} for r in rows}


@pytest.fixture(scope="module")
def content(serving: Path):
    conn = connect_serving(serving)
    try:
        yield gather(conn, methodology_md=methodology_text(), generated_at=GENERATED)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def files(content) -> dict[str, bytes]:
    return {fmt: render(content, fmt) for fmt in ("html", "pdf", "xlsx", "csv")}


@pytest.fixture(scope="module")
def pdf_path(files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(files["pdf"])
    return path


@pytest.fixture(scope="module")
def gaps(serving: Path) -> set[tuple[str, str]]:
    """(network, metric) pairs with no figure: not measured on-chain or not applicable (read from the mart)."""
    with duckdb.connect(str(serving), read_only=True) as conn:
        return set(conn.execute("select network, metric from marts.network_metric_coverage "
                                "where status <> 'measured'").fetchall())


def _missing(value: object) -> bool:
    return value is None or value != value  # None or NaN


def same(got: object, expected: object) -> bool:
    """Equal to the mart's value; an empty cell stands for SQL NULL."""
    if _missing(expected):
        return _missing(got)
    return float(got) == pytest.approx(expected, rel=1e-12)


def shows(got: object, expected: object, gap: bool) -> bool:
    """A metric with no figure for the network holds '—' (its note says why), never the mart's value or 0."""
    return got == "—" if gap else same(got, expected)


def _pdf_text(path: Path, *pages: int) -> str:
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", *span, str(path), "-"], capture_output=True, text=True, check=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftotext, pdftoppm) not installed")


def test_the_demo_warehouse_is_flagged_as_demo(content) -> None:
    assert content.is_demo
    assert set(content.networks) >= {"akash", "render", "ionet", "nosana"}
    assert content.start is not None and content.end is not None and content.start <= content.end


@pytest.mark.parametrize(("fmt", "magic"), [("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-"), ("xlsx", b"PK"),
                                            ("csv", b"PK")])
def test_every_format_builds_from_the_demo_warehouse(files: dict[str, bytes], fmt: str, magic: bytes) -> None:
    assert files[fmt].startswith(magic)
    assert len(files[fmt]) > 5_000


@needs_poppler
def test_the_pdf_text_holds_the_figures_the_marts_hold(pdf_path: Path, marts: dict[str, dict],
                                                       gaps: set[tuple[str, str]]) -> None:
    text = _pdf_text(pdf_path)
    for network, figures in marts.items():
        for column, kind in (("revenue_usd", "usd"), ("burns_usd", "usd"), ("nominal_apy", "pct"),
                             ("utilization", "pct")):
            if figures[column] is not None and (network, column) not in gaps:
                shown = format_value(kind, figures[column])
                assert shown in text, f"{network} {column} {shown} missing from the PDF"
    for heading in ("Networks side by side", "real yield", "$/GPU-hour by GPU model", "$ per PFLOP-hour",
                    "Claims against evidence", "Data sources and as-of dates", "On-chain references", "Methodology"):
        assert heading in text, heading


def _boxes_in_sections(box, section: str | None = None):
    """(id of the <section> a laid-out box sits in, the box), for a box and everything inside it."""
    if getattr(box, "element_tag", None) == "section" and box.element is not None:
        section = box.element.get("id")
    yield section, box
    for child in getattr(box, "children", ()):
        yield from _boxes_in_sections(child, section)


def test_every_pdf_table_fits_within_the_pages_width(content) -> None:
    from weasyprint.formatting_structure import boxes

    from reports._pdf import pdf_layout

    too_wide: dict[str, float] = {}
    tables_laid_out: set[str] = set()
    for page in pdf_layout(content).pages:
        page_box = page._page_box
        left, right = page_box.content_box_x(), page_box.content_box_x() + page_box.width
        for section, box in _boxes_in_sections(page_box):
            if isinstance(box, boxes.TableBox):
                tables_laid_out.add(section)
            # a cell, a line or a word of a table: its right edge, where it is drawn, not where its table ends
            if isinstance(box, (boxes.TableCellBox, boxes.LineBox, boxes.TextBox)) and section in content.tables:
                edge = box.position_x + box.margin_width()
                if edge > right + 0.5 or box.position_x < left - 0.5:
                    too_wide[section] = max(too_wide.get(section, 0.0), edge - right)
    shown = {name for name, table in content.tables.items() if table.in_document and not table.frame.empty}
    assert {"networks", "onchain_references"} <= tables_laid_out and shown <= tables_laid_out
    assert not too_wide, f"tables past the page's right edge (by px): {too_wide}"


@needs_poppler
def test_the_pdf_first_page_states_scope_and_demo_warning_and_is_kept_as_png(pdf_path: Path, content) -> None:
    first_page = " ".join(_pdf_text(pdf_path, 1).split())
    assert "DEMO DATA" in first_page
    assert content.period in first_page
    assert ", ".join(content.networks) in first_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf_path, ARTIFACTS / "report.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                    str(ARTIFACTS / "report-page-1")], check=True)
    png = (ARTIFACTS / "report-page-1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


def test_xlsx_cells_equal_the_mart_values(files: dict[str, bytes], marts: dict[str, dict], serving: Path,
                                          gaps: set[tuple[str, str]]) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(files["xlsx"]))
    assert book.sheetnames[0] == "about" and {"networks", "daily", "gpu_prices", "cost_per_compute", "claims",
                                              "sources", "onchain_references"} <= set(book.sheetnames)
    assert DEMO_WARNING in [c.value for row in book["about"].iter_rows() for c in row]
    sheet = book["networks"]
    header = [c.value for c in sheet[2]]
    assert sheet.freeze_panes == "A3" and sheet.cell(2, 1).font.bold
    assert "DEMO DATA" in sheet["A1"].value
    seen = set()
    for row in sheet.iter_rows(min_row=3, values_only=True):
        record = dict(zip(header, row, strict=True))
        figures = marts[record["network"]]
        seen.add(record["network"])
        for label, column in (("revenue", "revenue_usd"), ("nominal APY", "nominal_apy"), ("real yield", "real_yield"),
                              ("utilization", "utilization"), ("burns", "burns_usd"), ("days", "days")):
            assert shows(record[label], figures[column], (record["network"], column) in gaps), \
                (record["network"], label, record[label], figures[column])
    assert seen == set(marts)
    revenue_cell = next(row[header.index("revenue")] for row in sheet.iter_rows(min_row=3)
                        if isinstance(row[header.index("revenue")].value, float))
    assert revenue_cell.number_format == '"$"#,##0.00'
    assert next(row[header.index("nominal APY")] for row in sheet.iter_rows(min_row=3)
                if isinstance(row[header.index("nominal APY")].value, float)).number_format == "0.00%"

    daily = book["daily"]
    with duckdb.connect(str(serving), read_only=True) as conn:
        expected = conn.execute("select day, network, revenue_usd from marts.network_daily order by day, network").fetchall()
    daily_header = [c.value for c in daily[2]]
    got = [(r[daily_header.index("day")].date(), r[daily_header.index("network")], r[daily_header.index("revenue")])
           for r in daily.iter_rows(min_row=3, values_only=True)]
    assert [(d, n) for d, n, _ in expected] == [(d, n) for d, n, _ in got]
    assert all(shows(g[2], e[2], (e[1], "revenue_usd") in gaps) for g, e in zip(got, expected, strict=True))


def test_the_csv_zip_holds_one_csv_per_table_and_a_readme_that_flags_demo_data(files: dict[str, bytes], content,
                                                                              marts: dict[str, dict],
                                                                              gaps: set[tuple[str, str]]) -> None:
    import pandas as pd

    archive = zipfile.ZipFile(io.BytesIO(files["csv"]))
    names = set(archive.namelist())
    assert {"README.txt", "methodology.md"} | {f"{name}.csv" for name in content.tables} == names
    readme = archive.read("README.txt").decode()
    assert readme.startswith(DEMO_WARNING)
    assert content.period in readme
    networks = pd.read_csv(archive.open("networks.csv"))
    for row in networks.itertuples():
        assert shows(row.revenue_usd, marts[row.network]["revenue_usd"], (row.network, "revenue_usd") in gaps)


def test_the_html_is_self_contained(files: dict[str, bytes]) -> None:
    html = files["html"].decode()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "no external resource"
    assert "<script" not in html and "@import" not in html and "url(http" not in html
    assert html.count("<svg") >= 3
    assert 'id="demo-warning"' in html


def test_the_reports_charts_draw_each_network_in_its_dashboard_colour(files: dict[str, bytes], marts: dict,
                                                                     serving: Path) -> None:
    from reports import network_colour

    html = files["html"].decode().lower()
    with duckdb.connect(str(serving), read_only=True) as conn:  # the networks the revenue chart draws
        drawn = {n for (n,) in conn.execute("select network from marts.network_metric_coverage "
                                            "where metric = 'revenue_usd' and status = 'measured'").fetchall()}
    measured = [n for n, row in marts.items() if row["revenue_usd"] and n in drawn]
    assert len(measured) >= 3
    assert all(network_colour(n).lower() in html for n in measured)


def test_without_demo_rows_the_report_carries_no_demo_warning(content) -> None:
    live = replace(content, sources=["live", "reference"])
    assert "DEMO DATA" not in render(live, "html").decode()
    assert not zipfile.ZipFile(io.BytesIO(render(live, "csv"))).read("README.txt").decode().startswith("DEMO")


def test_the_html_loads_in_headless_chromium_without_console_errors(files: dict[str, bytes], tmp_path: Path) -> None:
    if shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_bytes(files["html"])
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri(), wait_until="load")
            assert page.locator("#demo-warning").is_visible()
            assert page.locator("section#networks table tbody tr").count() >= 4
            assert page.locator("figure svg").count() >= 3
            page.screenshot(path=str(tmp_path / "html.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()], "the page must not fetch anything"


def test_narrowing_networks_and_days_narrows_every_table(serving: Path, content) -> None:
    day = content.end
    with connect_serving(serving) as conn:
        narrow = gather(conn, networks=["akash"], start=day, end=day, generated_at=GENERATED)
    assert narrow.networks == ["akash"] and narrow.period.startswith(f"{day} to {day}")
    assert list(narrow.tables["networks"].frame["network"]) == ["akash"]
    assert {d.date() for d in narrow.tables["daily"].frame["day"]} == {day}
    assert set(narrow.tables["gpu_prices"].frame["network"]) <= {"akash"}
    assert set(narrow.tables["claims"].frame["network"]) <= {"akash"}


def test_an_unknown_network_is_refused_with_the_published_ones(serving: Path) -> None:
    with connect_serving(serving) as conn, pytest.raises(ValueError, match="unknown network.*published: .*akash"):
        gather(conn, networks=["nope"])


def _cli():
    import typer

    from reports.cli import report_command

    app = typer.Typer()
    app.command("report")(report_command)
    app.command("noop")(lambda: None)  # two commands keep `report` a subcommand, as in depinlens
    return app


def test_the_cli_writes_the_file_and_refuses_bad_arguments(serving: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    monkeypatch.setenv("DEPINLENS_SERVING", str(serving))
    out = tmp_path / "nested" / "report.zip"
    runner = CliRunner()
    done = runner.invoke(_cli(), ["report", "--networks", "akash,render", "--format", "csv", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "akash, render" in zipfile.ZipFile(out).read("README.txt").decode()
    refused = runner.invoke(_cli(), ["report", "--format", "docx", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "docx" in refused.output
    backwards = runner.invoke(_cli(), ["report", "--from", "2025-06-02", "--to", "2025-06-01"])
    assert backwards.exit_code == 2


def test_the_dashboard_page_offers_the_same_file_as_the_cli(serving: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    from typer.testing import CliRunner

    import reports

    monkeypatch.setenv("DEPINLENS_SERVING", str(serving))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(GENERATED.timestamp())))
    built: list[bytes] = []
    original = reports.build_report

    def recording(*args, **kwargs) -> bytes:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(reports, "build_report", recording)
    st.cache_data.clear()
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "app_pages" / "report.py"), default_timeout=90).run()
    assert not app.exception, app.exception
    assert any("DEMO DATA" in w.value for w in app.warning)
    app.radio(key="report-format").set_value("html").run()
    app.button(key="build-report").click().run()
    assert not app.exception, app.exception
    download = app.get("download_button")
    assert len(download) == 1 and download[0].label.endswith(".html")
    command = app.code[0].value.split()
    assert command[:2] == ["depinlens", "report"]
    out = tmp_path / "cli.html"
    done = CliRunner().invoke(_cli(), ["report", *command[2:-1], str(out)])
    assert done.exit_code == 0, done.output
    assert built and built[-1] == out.read_bytes()


def test_the_report_time_follows_source_date_epoch(serving: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    html = build_report(serving, "html", networks=["akash"], start=date(2000, 1, 1)).decode()
    assert "2025-06-15 15:06 UTC" in html


def test_a_window_without_published_days_still_builds_and_says_so(serving: Path) -> None:
    later = date(2100, 1, 1)
    html = build_report(serving, "html", networks=["akash"], start=later, end=later).decode()
    assert "No rows for this scope" in html and "2100-01-01 to 2100-01-01" in html
    assert build_report(serving, "xlsx", networks=["akash"], start=later, end=later).startswith(b"PK")


def test_the_networks_table_sets_fully_diluted_value_beside_market_cap_or_says_why_not(content, serving: Path) -> None:
    from depinlens.registry import load_registry

    networks = load_registry(PROJECT_ROOT / "networks.toml").networks
    table = content.tables["networks"]
    assert [c.key for c in table.columns].index("fully_diluted_value_usd") == \
        [c.key for c in table.columns].index("market_cap_usd") + 1
    with duckdb.connect(str(serving), read_only=True) as conn:
        fdv = dict(conn.execute("""select network, fully_diluted_value_usd from marts.token_supply_daily
                                   where market_cap_usd is not null
                                   qualify row_number() over (partition by network, source order by day desc) = 1
                                   """).fetchall())
    for position, row in table.frame.reset_index(drop=True).iterrows():
        cap = networks[row["network"]].max_supply
        note = table.cell_notes.get((position, "fully_diluted_value_usd"), "")
        if cap is not None and cap.tokens is not None:
            assert same(row["fully_diluted_value_usd"], fdv[row["network"]]) and not note
        else:
            assert _missing(row["fully_diluted_value_usd"])
            assert note.startswith("not applicable: AKT is inflationary" if cap else "not measured on-chain: no maximum")

"""Reference loaders: cloud prices, GPU peak specs, claims and token prices, each row with its source."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from depinlens.settings import PROJECT_ROOT
from harness.demo import write_demo_token_prices
from harness.loopback import LoopbackServer, Request
from pipelines.chains.errors import MalformedResponse, RateLimited
from pipelines.reference import (
    CoinGeckoPrices,
    ReferenceDataError,
    canonical_gpu_model,
    fetch_live_token_prices,
    load_cloud_gpu_offers,
    load_gpu_specs,
    load_network_claims,
    load_token_prices,
    parse_coingecko_ids,
)
from tests.conftest import SHARED_DIR

PRICE_FILE = SHARED_DIR / "reference" / "cloud_gpu_prices.csv"
needs_shared = pytest.mark.skipif(not PRICE_FILE.exists(), reason=f"{PRICE_FILE} absent (../shared not checked out)")
SPECS = PROJECT_ROOT / "reference" / "gpu_peak_specs.csv"
CLAIMS = PROJECT_ROOT / "reference" / "network_claims.csv"
HEADER = "cloud,instance_type,accelerator,accelerator_count,vcpus,memory_gib,price_usd_per_hour," \
         "spot_price_usd_per_hour,source_path,source_commit\n"


# --- cloud prices -----------------------------------------------------------------------------

@pytest.mark.shared
@needs_shared
def test_the_cloud_price_file_loads_with_per_gpu_hour_prices_and_canonical_models() -> None:
    table, report = load_cloud_gpu_offers(PRICE_FILE)
    rows = table.to_pylist()
    with PRICE_FILE.open(newline="") as handle:
        source = list(csv.DictReader(handle))

    assert report.unmapped == {}
    assert report.skipped == {"gcp machine type without GPUs (the VM part of a gcp price)": 7}
    assert len(rows) == report.loaded == sum(1 for r in source if r["accelerator"])
    as_of = rows[0]["as_of"]
    assert f"read {as_of.isoformat()}" in (PRICE_FILE.parent / "README.md").read_text()
    for row in rows:
        assert row["source"] == "reference" and row["venue_kind"] == "cloud" and row["as_of"] == as_of
        assert row["gpu_model"] == canonical_gpu_model(row["gpu_model"])
        if row["usd_per_hour"] is not None:
            assert row["usd_per_gpu_hour"] == pytest.approx(row["usd_per_hour"] / row["gpu_count"])
        assert row["source_ref"].startswith("github.com/skypilot-org/skypilot-catalog/blob/")
    by_key = {(r["venue"], r["instance_type"], r["gpu_model_raw"], r["gpu_count"]): r for r in rows}
    p5 = by_key[("aws", "p5.48xlarge", "H100", 8.0)]
    assert (p5["gpu_model"], p5["usd_per_gpu_hour"]) == ("H100 SXM", pytest.approx(55.04 / 8))
    p5e = by_key[("aws", "p5e.48xlarge", "H200", 8.0)]
    assert p5e["usd_per_hour"] is None and p5e["spot_usd_per_hour"] == pytest.approx(18.7359)
    gcp = by_key[("gcp", "gpu-only", "H100", 8.0)]
    assert gcp["gpu_model"] == "H100 SXM" and "without the VM" in gcp["source_ref"]
    assert by_key[("lambda", "gpu_1x_h100_pcie", "H100", 1.0)]["gpu_model"] == "H100 PCIe"
    assert all(r["spot_usd_per_hour"] is None for r in rows if r["venue"] == "vast")  # 0.00 means none there
    assert report.as_metadata()["gpu_name_mapping"]["A100-80GB"] == ["A100 80GB", "A100 80GB SXM"]


def _price_file(tmp_path: Path, *lines: str, readme: str | None = "read 2026-11-23 from the catalog") -> Path:
    path = tmp_path / "cloud_gpu_prices.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    if readme is not None:
        (tmp_path / "README.md").write_text(readme)
    return path


GOOD = "lambda,gpu_2x_h100_sxm5,H100,2.0,52.0,450.0,6.38,,catalogs/v8/lambda/vms.csv,0f40"


def test_an_unmapped_gpu_name_is_reported_with_its_count_and_not_loaded(tmp_path) -> None:
    path = _price_file(tmp_path, GOOD, GOOD.replace("H100", "TPUv5").replace("h100", "tpu"),
                       GOOD.replace("H100", "TPUv5").replace("2.0,", "4.0,"))
    table, report = load_cloud_gpu_offers(path)
    assert table.num_rows == 1 and report.unmapped == {"TPUv5": 2}
    assert table.to_pylist()[0]["usd_per_gpu_hour"] == pytest.approx(3.19)
    assert report.as_metadata()["unmapped_gpu_models"] == {"TPUv5": 2}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (GOOD.replace(",2.0,", ",0,"),
         r"cloud_gpu_prices.csv:3 column 'accelerator_count': '0' is below the bound for the GPU count of one "
         r"instance: more than 0, at most 256 GPUs"),
        (GOOD.replace(",6.38,", ",cheap,"), r":3 column 'price_usd_per_hour': 'cheap' is not a number"),
        (GOOD.replace(",6.38,", ",-1,"), r":3 column 'price_usd_per_hour': '-1' is below the bound for a cloud instance "
                                         r"price: 0 to 10,000 USD per hour"),
        (GOOD.replace(",6.38,", ",1e308,"), r":3 column 'price_usd_per_hour': '1e308' is above the bound"),
        (GOOD.replace(",2.0,", ",inf,"), r":3 column 'accelerator_count': 'inf' is not a finite number"),
        (GOOD.replace(",6.38,", ",,"), r":3: neither price_usd_per_hour nor spot_price_usd_per_hour is set"),
        (GOOD.replace(",H100,", ",,"), r":3 column 'accelerator': value missing"),
        (GOOD, r":3: repeats the offer on line 2"),
        (GOOD + ",extra", r":3: more cells than the header has columns"),
    ],
)
def test_a_malformed_price_row_is_refused_naming_file_line_and_column(tmp_path, line, message) -> None:
    with pytest.raises(ReferenceDataError, match=message):
        load_cloud_gpu_offers(_price_file(tmp_path, GOOD, line))


def test_a_price_file_without_its_columns_or_its_as_of_date_is_refused(tmp_path) -> None:
    bad = tmp_path / "cloud_gpu_prices.csv"
    bad.write_text("cloud,accelerator\nlambda,H100\n")
    (tmp_path / "README.md").write_text("read 2026-11-23")
    with pytest.raises(ReferenceDataError, match="header lacks column.*accelerator_count"):
        load_cloud_gpu_offers(bad)
    with pytest.raises(ReferenceDataError, match="no 'read YYYY-MM-DD' date found"):
        load_cloud_gpu_offers(_price_file(tmp_path, GOOD, readme="prices from somewhere"))
    with pytest.raises(ReferenceDataError, match="not found"):
        load_cloud_gpu_offers(tmp_path / "elsewhere.csv")
    table, _ = load_cloud_gpu_offers(_price_file(tmp_path, GOOD, readme=None), as_of=date(2025, 1, 2))
    assert table.to_pylist()[0]["as_of"] == date(2025, 1, 2)


# --- GPU peak specs ---------------------------------------------------------------------------

def test_the_peak_spec_table_holds_datasheet_dense_figures_for_every_listed_card() -> None:
    specs = {r["gpu_model"]: r for r in load_gpu_specs(SPECS).to_pylist()}
    assert set(specs) == {"H100 SXM", "H100 PCIe", "H200 SXM", "A100 80GB SXM", "A100 80GB PCIe", "L40S",
                          "RTX 4090", "RTX 3090", "RTX A6000"}
    figures = {m: (r["bf16_tflops"], r["tf32_tflops"], r["fp32_tflops"], r["memory_bandwidth_gbs"], r["memory_gb"])
               for m, r in specs.items()}
    assert figures["H100 SXM"] == (989.4, 494.7, 66.9, 3350, 80)  # 1,979 with 2:4 sparsity: not used
    assert figures["H100 PCIe"] == (756, 378, 51.2, 2000, 80)
    assert figures["H200 SXM"] == (989.4, 494.7, 66.9, 4800, 141)
    assert figures["A100 80GB SXM"] == (312, 156, 19.5, 2039, 80)
    assert figures["A100 80GB PCIe"] == (312, 156, 19.5, 1935, 80)
    assert figures["L40S"] == (362.05, 183, 91.6, 864, 48)
    assert figures["RTX 4090"][0] == 165.2 and figures["RTX 3090"][0] == 71  # FP32-accumulate tensor rates
    assert figures["RTX A6000"] == (154.8, 77.4, 38.7, 768, 48)
    for row in specs.values():  # tensor rates never below the one under them
        assert row["fp16_tflops"] == row["bf16_tflops"] >= row["tf32_tflops"] >= row["fp32_tflops"]
        assert "NVIDIA" in row["source_ref"] and row["source"] == "reference"


def test_a_spec_row_with_a_non_canonical_model_or_a_bad_figure_is_refused(tmp_path) -> None:
    header = SPECS.read_text().splitlines()[0]
    bad_model = tmp_path / "specs.csv"
    bad_model.write_text(f"{header}\nH100-SXM5,66.9,494.7,989.4,989.4,80,3350,datasheet\n")
    with pytest.raises(ReferenceDataError, match=r"specs.csv:2 column 'gpu_model'.*'H100-SXM5'.*not a canonical"):
        load_gpu_specs(bad_model)
    bad_value = tmp_path / "specs2.csv"
    bad_value.write_text(f"{header}\nH100 SXM,66.9,494.7,,989.4,80,3350,datasheet\n")
    with pytest.raises(ReferenceDataError, match=r"specs2.csv:2 column 'fp16_tflops': value missing"):
        load_gpu_specs(bad_value)


# --- claims ------------------------------------------------------------------------------------

ISSUE_CLAIMS = {
    ("aethir", "revenue", "2025", 128e6, None), ("aethir", "revenue", "2025-Q3", 39.8e6, None),
    ("aethir", "gpu_containers", "2025", 440_000, None), ("aethir", "countries", "2025", 94, None),
    ("aethir", "enterprise_clients", "2025", 150, None), ("aethir", "cost_savings_up_to", "2025", 86, None),
    ("aethir", "compute_hours_delivered", "cumulative through 2025", 1.5e9, None),
    ("ionet", "verified_gpus", "2025", 327_000, None), ("ionet", "countries", "2025", 130, None),
    ("ionet", "cost_savings_vs_aws_up_to", "2025", 70, None), ("ionet", "onchain_revenue_at_least", "2025", 20e6, None),
    ("ionet", "verified_gpus_average", "2025-Q1", 6_720, None),
    ("akash", "deployments", "2025", 3.1e6, None), ("akash", "deployments_growth", "2025", 466, None),
    ("akash", "gpu_utilization_at_least", "2025", 80, None),
    ("render", "gpu_nodes", "2025", 5_600, None), ("render", "gpu_utilization", "2025", 85, 95),
    ("render", "ai_inference_capacity_share", "late 2025", 40, None),
    ("nodeai", "gpus_at_least", "2025", 100_000, None), ("nodeai", "staking_apy_approx", "2025", 19, None),
    ("nodeai", "eth_paid_to_stakers_at_least", "cumulative through 2025", 1e6, None),
    ("usdai", "lender_yield", "2025", 13, 17),
}


def test_the_claims_file_records_every_claim_of_the_issue_as_a_sourced_claim() -> None:
    rows = load_network_claims(CLAIMS).to_pylist()
    assert {(r["network"], r["metric"], r["period"], r["value"], r["value_high"]) for r in rows} == ISSUE_CLAIMS
    assert len(rows) == len(ISSUE_CLAIMS)
    for row in rows:
        assert row["source_name"] == "2025 industry article as quoted in depinlens issue 5"
        assert "http" not in row["source_ref"]  # no invented URL
        assert row["as_of"] == date(2025, 12, 31) and row["source"] == "reference" and row["claim_text"]


def test_a_claim_whose_range_runs_backwards_or_repeats_is_refused(tmp_path) -> None:
    header = CLAIMS.read_text().splitlines()[0]
    row = 'render,gpu_utilization,95,85,percent,2025,2025-12-31,"x",article,ref'
    path = tmp_path / "claims.csv"
    path.write_text(f"{header}\n{row}\n")
    with pytest.raises(ReferenceDataError, match=r"claims.csv:2 column 'value_high': 85 is below value 95"):
        load_network_claims(path)
    good = row.replace("95,85", "85,95")
    path.write_text(f"{header}\n{good}\n{good}\n")
    with pytest.raises(ReferenceDataError, match=r"claims.csv:3: repeats the claim on line 2"):
        load_network_claims(path)
    path.write_text(f"{header}\n{good.replace('2025-12-31', '31/12/2025')}\n")
    with pytest.raises(ReferenceDataError, match=r"column 'as_of': '31/12/2025' is not a date"):
        load_network_claims(path)


# --- token prices ------------------------------------------------------------------------------

def test_token_price_files_import_with_their_labels_and_demo_prices_cover_every_token_and_day(
        tmp_path, registry) -> None:
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("# a comment line\ntoken,day,usd,source,source_name,source_ref\n"
                        "AKT,2025-06-01,1.5,reference,exchange close,https://example.org/akt\n")
    demo = write_demo_token_prices(tmp_path / "demo.csv", registry, date(2025, 6, 1), date(2025, 6, 3))
    rows = load_token_prices([reviewed, demo]).to_pylist()
    symbols = {t.symbol for n in registry.networks.values() for t in n.tokens}
    demo_rows = [r for r in rows if r["source"] == "demo"]
    assert {(r["token"], r["day"]) for r in demo_rows} == {(s, date(2025, 6, d)) for s in symbols for d in (1, 2, 3)}
    assert all(r["usd"] > 0 and "not market data" in r["source_ref"] for r in demo_rows)
    assert {r["usd"] for r in demo_rows if r["token"] == "ACT"} == {1.0}
    assert [r for r in rows if r["source"] == "reference"][0]["usd"] == 1.5


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("AKT,2025-06-01,1.5,live,api,ref", "'live' prices come from the live adapter"),
        ("AKT,2025-06-01,-1,reference,x,y", "'-1' is below the bound for a token price: 0 to 1,000,000 USD"),
        ("AKT,2025-06-01,1,guess,x,y", "source 'guess' is not one of"),
        ("AKT,2025-06-01,1,reference,,y", "column 'source_name': value missing"),
    ],
)
def test_a_bad_token_price_row_is_refused_naming_the_line(tmp_path, row, message) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(f"token,day,usd,source,source_name,source_ref\n{row}\n")
    with pytest.raises(ReferenceDataError, match=message) as raised:
        load_token_prices([path])
    assert "prices.csv:2" in str(raised.value)


class _FakeCoinGecko(LoopbackServer):
    """A loopback server answering /coins/{id}/history like CoinGecko (first request per day: 429)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        super().__init__(self._respond, name="fake-coingecko")
        self.api = f"{self.url}/api/v3"

    def _respond(self, request: Request) -> tuple[int, bytes]:
        day = request.query["date"]
        self.hits.append(f"{request.path}?date={day}")
        if "/other/" in request.path or (self.hits.count(self.hits[-1]) == 1 and day.startswith("02-")):
            return 429, b'{"status":{"error_code":429}}'
        if day == "01-06-2025":
            return 200, json.dumps({"id": "akash-network"}).encode()  # not listed yet
        usd = 1 + int(day[:2]) / 100
        return 200, json.dumps({"market_data": {"current_price": {"usd": usd}}}).encode()


@pytest.fixture
def coingecko() -> Iterator[_FakeCoinGecko]:
    with _FakeCoinGecko() as fake:
        yield fake


def test_live_prices_are_fetched_once_per_past_day_then_served_from_the_cache(tmp_path, coingecko) -> None:
    ids = parse_coingecko_ids("AKT=akash-network")
    first, last = date(2025, 6, 1), date(2025, 6, 3)

    prices = CoinGeckoPrices(tmp_path, base_url=coingecko.api, today=date(2025, 6, 3), max_wait_s=0.01)
    rows = fetch_live_token_prices(prices, ids, first, last).to_pylist()
    assert [(r["day"], r["usd"], r["source"]) for r in rows] == [(date(2025, 6, 2), 1.02, "live"),
                                                                 (date(2025, 6, 3), 1.03, "live")]
    assert rows[0]["source_ref"] == f"{coingecko.api}/coins/akash-network/history?date=02-06-2025"
    assert prices.requests == 3 and len(coingecko.hits) == 4  # the 429 was retried

    again = CoinGeckoPrices(tmp_path, base_url=coingecko.api, today=date(2025, 6, 3), max_wait_s=0.01)
    assert fetch_live_token_prices(again, ids, first, last).to_pylist()[0]["usd"] == 1.02
    assert again.requests == 1  # only today, which is never cached
    assert sorted(p.name for p in (tmp_path / "coingecko" / "akash-network").iterdir()) == [
        "2025-06-01.json", "2025-06-02.json"]


def test_live_prices_stop_at_today_and_a_persistent_429_names_the_api(tmp_path, coingecko) -> None:
    prices = CoinGeckoPrices(tmp_path, base_url=coingecko.api, today=date(2025, 6, 1), max_wait_s=0.01)
    assert fetch_live_token_prices(prices, {"AKT": "akash-network"}, date(2025, 6, 1),
                                   date(2025, 6, 1) + timedelta(days=30)).num_rows == 0
    assert prices.requests == 1
    # a 429 is waited for, not counted as a failed attempt; one that never ends stops at the budget's limit
    # backoff up to 0.1 s: about ten retries in the 0.5 s allowed, well inside CoinGecko's 30 calls a
    # minute (at 0.01 s the retries used up that budget and the last one waited a minute for it)
    limited = CoinGeckoPrices(tmp_path, base_url=coingecko.api, today=date(2025, 7, 1), max_wait_s=0.1,
                              max_throttle_s=0.5)
    with pytest.raises(RateLimited, match=r"coingecko \(http://127\.0\.0\.1:\d+\) /coins/\{id\}/history 2025-06-02: "
                                          r"HTTP 429.*answered 429 for"):
        limited.usd("other", date(2025, 6, 2))
    assert coingecko.hits.count("/api/v3/coins/other/history?date=02-06-2025") > 1
    with pytest.raises(ValueError, match="'AKT' is not SYMBOL=coingecko-id"):
        parse_coingecko_ids("AKT")


# --- bounds and empty files ---------------------------------------------------------------------

@pytest.mark.parametrize("usd", ["1e308", "-0.5", "nan", "inf", "-inf", "2000000"])
def test_a_token_price_outside_its_bound_is_refused_with_file_row_and_bound(tmp_path, usd) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("token,day,usd,source,source_name,source_ref\n"
                    "AKT,2025-06-01,1.5,reference,x,y\n"
                    f"AKT,2025-06-02,{usd},reference,x,y\n")
    with pytest.raises(ReferenceDataError) as raised:
        load_token_prices([path])
    message = str(raised.value)
    assert message.startswith(f"{path}:3 column 'usd': {usd!r} ")
    assert "a token price" in message and "0 to 1,000,000 USD" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("unit", "value", "bound"),
    [("USD", "1e308", "0 to 1e+13 USD"), ("USD", "-5", "0 to 1e+13 USD"), ("percent", "150000", "-100 to 100,000"),
     ("percent", "-101", "-100 to 100,000"), ("GPUs", "1e13", "0 to 1e+12 GPUs"),
     ("GPUs", "nan", "0 to 1e+12 GPUs")],
)
def test_a_claim_outside_the_bound_of_its_unit_is_refused(tmp_path, unit, value, bound) -> None:
    header = CLAIMS.read_text().splitlines()[0]
    path = tmp_path / "claims.csv"
    path.write_text(f'{header}\nrender,gpu_nodes,{value},,{unit},2025,2025-12-31,"x",article,ref\n')
    with pytest.raises(ReferenceDataError, match=r"claims.csv:2 column 'value': .*bound.*" + re.escape(bound)):
        load_network_claims(path)


def test_a_spec_figure_beyond_any_gpu_is_refused_with_its_bound(tmp_path) -> None:
    header = SPECS.read_text().splitlines()[0]
    path = tmp_path / "specs.csv"
    path.write_text(f"{header}\nH100 SXM,66.9,494.7,989400,989.4,80,3350,datasheet\n")
    with pytest.raises(ReferenceDataError, match=r"specs.csv:2 column 'fp16_tflops': '989400' is above the bound for "
                                                 r"the dense peak of one GPU: more than 0, at most 10,000 TFLOP/s"):
        load_gpu_specs(path)


@pytest.mark.parametrize("loader", ["token_prices", "claims", "specs"])
def test_a_file_with_a_header_and_no_rows_is_refused_rather_than_emptying_its_table(tmp_path, loader) -> None:
    path = tmp_path / "empty.csv"
    header = {"token_prices": "token,day,usd,source,source_name,source_ref", "claims": CLAIMS.read_text().splitlines()[0],
              "specs": SPECS.read_text().splitlines()[0]}[loader]
    path.write_text(f"# reviewed, but every row was lost\n{header}\n")
    load = {"token_prices": lambda: load_token_prices([path]), "claims": lambda: load_network_claims(path),
            "specs": lambda: load_gpu_specs(path)}[loader]
    with pytest.raises(ReferenceDataError, match=r"empty.csv: no rows under the header; loading it would empty"):
        load()


def test_a_live_price_beyond_its_bound_is_refused_naming_the_api_and_day(tmp_path) -> None:
    answer = json.dumps({"market_data": {"current_price": {"usd": 1e308}}}).encode()
    with LoopbackServer(lambda request: (200, answer), name="fake-coingecko") as api:
        prices = CoinGeckoPrices(tmp_path, base_url=api.url, today=date(2025, 7, 1), max_wait_s=0.01)
        try:
            with pytest.raises(MalformedResponse, match=r"coingecko .*akash-network.*2025-06-02.*1e\+308 is above the "
                                                        r"bound for a token price"):
                prices.usd("akash-network", date(2025, 6, 2))
        finally:
            prices.close()

"""Reference assets: cloud GPU prices, GPU peak specs, published claims and token prices, each file reloaded whole.

They carry the daily partitions only to run in the daily job: every run replaces everything
the file loaded before (its whole scope), whatever days the run covers. Token prices from
the optional live API are the exception: those replace the run's days.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from depinlens.settings import PROJECT_ROOT, Settings
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import WarehouseResource
from pipelines.reference import (
    CoinGeckoPrices,
    fetch_live_token_prices,
    load_cloud_gpu_offers,
    load_gpu_specs,
    load_network_claims,
    load_token_prices,
    parse_coingecko_ids,
)
from pipelines.reference.cloud_prices import SOURCE_NAME as CLOUD_PRICES_SOURCE
from pipelines.reference.live_prices import DEFAULT_URL as COINGECKO_URL
from warehouse import replace_partition

CLOUD_PRICES_FILE = Path("reference") / "cloud_gpu_prices.csv"
FILE_SOURCES = ["reference", "demo", "local"]  # token price labels a CSV may carry; 'live' is the API's


class ReferenceResource(dg.ConfigurableResource):
    """Where the reference files are, and whether to ask a price API.

    `shared_dir` holds third-party files read in place (reference/cloud_gpu_prices.csv);
    `reference_dir` is the repo's own reviewed files; `token_price_csvs` are token price files
    (demo or reviewed); `coingecko_ids` (symbol -> CoinGecko id) turns on live prices.
    """

    shared_dir: str
    reference_dir: str
    load_cloud_prices: bool = True
    token_price_csvs: list[str] = []
    coingecko_ids: dict[str, str] = {}
    coingecko_url: str = COINGECKO_URL
    coingecko_api_key_env: str = "DEPINLENS_COINGECKO_API_KEY"
    cache_dir: str

    def cloud_prices_path(self) -> Path:
        """The cloud price file, or a Failure naming DEPINLENS_SHARED_DIR when it is not there."""
        shared = Path(self.shared_dir)
        path = shared / CLOUD_PRICES_FILE
        if not path.is_file():
            missing = f"shared folder {shared} does not exist" if not shared.is_dir() else f"{path} does not exist"
            raise dg.Failure(description=(
                f"cloud GPU prices not found: {missing}. Set DEPINLENS_SHARED_DIR to the folder holding "
                f"{CLOUD_PRICES_FILE} (default: ../shared beside the project)."))
        return path


def build_reference_resource(settings: Settings | None = None) -> ReferenceResource:
    """The reference resource for this process's environment.

    DEPINLENS_SHARED_DIR: where reference/cloud_gpu_prices.csv is; DEPINLENS_CLOUD_PRICES=off skips it;
    DEPINLENS_TOKEN_PRICES_CSV: token price files (os.pathsep-separated; default reference/token_prices.csv
    when it exists); DEPINLENS_COINGECKO_IDS / _URL / _API_KEY: live prices (off unless IDS is set).
    """
    settings = settings or Settings.from_env()
    reference_dir = PROJECT_ROOT / "reference"
    csvs = os.environ.get("DEPINLENS_TOKEN_PRICES_CSV")
    if csvs is None:
        default = reference_dir / "token_prices.csv"
        paths = [str(default)] if default.is_file() else []
    else:
        paths = [p for p in csvs.split(os.pathsep) if p.strip()]
    return ReferenceResource(
        shared_dir=str(settings.shared_dir), reference_dir=str(reference_dir), token_price_csvs=paths,
        load_cloud_prices=os.environ.get("DEPINLENS_CLOUD_PRICES", "on").strip().lower() != "off",
        coingecko_ids=parse_coingecko_ids(os.environ.get("DEPINLENS_COINGECKO_IDS", "")),
        coingecko_url=os.environ.get("DEPINLENS_COINGECKO_URL", COINGECKO_URL),
        cache_dir=str(settings.data_dir / "cache" / "prices"),
    )


def _asset(name: str, **kwargs):
    """The decorator every reference asset shares: raw/<name>, daily, single run, one writer."""
    return dg.asset(key=["raw", name], partitions_def=daily, backfill_policy=single_run, group_name="reference",
                    kinds={"csv", "duckdb"}, pool="warehouse", **kwargs)


@_asset("cloud_gpu_offers", check_specs=[dg.AssetCheckSpec("every_gpu_name_maps", asset=["raw", "cloud_gpu_offers"])])
def cloud_gpu_offers(context: dg.AssetExecutionContext, reference: ReferenceResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Cloud GPU list prices (instance and per-GPU-hour), GPU names mapped to the canonical list."""
    if not reference.load_cloud_prices:
        context.log.info("cloud prices switched off (load_cloud_prices=False): table left as it was")
        return dg.MaterializeResult(metadata={"rows": 0, "skipped": "load_cloud_prices=False"}, check_results=[
            dg.AssetCheckResult(check_name="every_gpu_name_maps", passed=True, metadata={"skipped": True})])
    path = reference.cloud_prices_path()
    rows, report = load_cloud_gpu_offers(path)
    with warehouse.get_connection() as conn:
        count = replace_partition(conn, "raw.gpu_offers", rows,
                              scope={"venue_kind": "cloud", "source": "reference", "source_name": CLOUD_PRICES_SOURCE})
    if report.unmapped:
        context.log.warning(f"GPU names not in the canonical list, rows not loaded: {dict(report.unmapped)}; "
                            "add them to pipelines/reference/gpu_models.py")
    return dg.MaterializeResult(
        metadata={"rows": count, "file": dg.MetadataValue.path(str(path)), **report.as_metadata()},
        check_results=[dg.AssetCheckResult(check_name="every_gpu_name_maps", passed=not report.unmapped,
                                           severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"unmapped_gpu_models": dict(report.unmapped)})],
    )


@_asset("gpu_specs")
def gpu_specs(reference: ReferenceResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Datasheet dense peaks per canonical GPU model (TFLOP/s by precision, memory, bandwidth)."""
    path = Path(reference.reference_dir) / "gpu_peak_specs.csv"
    rows = load_gpu_specs(path)
    with warehouse.get_connection() as conn:
        count = replace_partition(conn, "raw.gpu_specs", rows, scope={"source": "reference"})
    return dg.MaterializeResult(metadata={"rows": count, "file": dg.MetadataValue.path(str(path))})


@_asset("network_claims")
def network_claims(reference: ReferenceResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Published claims per network (value, unit, period, as-of, source): claims, never facts."""
    path = Path(reference.reference_dir) / "network_claims.csv"
    rows = load_network_claims(path)
    with warehouse.get_connection() as conn:
        count = replace_partition(conn, "raw.network_claims", rows, scope={"source": "reference"})
    return dg.MaterializeResult(metadata={"rows": count, "file": dg.MetadataValue.path(str(path))})


@_asset("token_prices")
def token_prices(context: dg.AssetExecutionContext, reference: ReferenceResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Token USD prices per day: the configured CSVs whole, plus live API prices for the run's days if set up."""
    rows = load_token_prices(reference.token_price_csvs)
    with warehouse.get_connection() as conn:
        from_files = replace_partition(conn, "raw.token_prices", rows, scope={"source": FILE_SOURCES})
    if not reference.token_price_csvs:
        context.log.info("no token price CSV configured (DEPINLENS_TOKEN_PRICES_CSV); file prices cleared")
    live = 0
    if reference.coingecko_ids:
        first_day, last_day = window_days(context)
        prices = CoinGeckoPrices(reference.cache_dir, base_url=reference.coingecko_url,
                                 api_key=os.environ.get(reference.coingecko_api_key_env) or None)
        try:
            live_rows = fetch_live_token_prices(prices, reference.coingecko_ids, first_day, last_day)
        finally:
            prices.close()
        last_live = min(last_day, datetime.now(UTC).date())
        if last_live >= first_day:
            with warehouse.get_connection() as conn:
                live = replace_partition(conn, "raw.token_prices", live_rows,
                                         scope={"source": "live", "token": sorted(reference.coingecko_ids)},
                                         day_column="day", first_day=first_day, last_day=last_live)
        context.log.info(f"{live} live prices ({prices.requests} API requests, the rest from the cache)")
    return dg.MaterializeResult(metadata={"rows_from_files": from_files, "rows_live": live,
                                          "files": reference.token_price_csvs})


@dg.definitions
def reference_definitions() -> dg.Definitions:
    """This module's assets and the reference resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[cloud_gpu_offers, gpu_specs, network_claims, token_prices],
                          resources={"reference": build_reference_resource()})

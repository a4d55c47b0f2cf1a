"""Reference assets: cloud GPU prices, GPU peak specs, published claims and token prices, each file reloaded whole.

They carry the daily partitions only to run in the daily job: every run replaces everything
the file loaded before (its whole scope), whatever days the run covers. Token prices from
the optional live API are the exception: those replace the run's days.

All or nothing per run: each asset reads and checks every reference input and the registry
(pipelines/reference/inputs.py) and writes only when none is refused; before it writes, the
run keeps a copy of the table (pipelines/reference/snapshots.py), put back if the run fails.
An optional input that is not configured keeps the rows already loaded and says so.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from depinlens.settings import PROJECT_ROOT, Settings
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import WarehouseResource
from pipelines.reference import CoinGeckoPrices, fetch_live_token_prices, parse_coingecko_ids
from pipelines.reference.cloud_prices import SOURCE_NAME as CLOUD_PRICES_SOURCE
from pipelines.reference.inputs import ReferenceInputs, read_reference_inputs
from pipelines.reference.live_prices import DEFAULT_URL as COINGECKO_URL
from pipelines.reference.snapshots import keep_before_write, run_outcome_from
from warehouse import replace_partition

CLOUD_PRICES_FILE = Path("reference") / "cloud_gpu_prices.csv"
FILE_SOURCES = ["reference", "demo", "local"]  # token price labels a CSV may carry; 'live' is the API's


class ReferenceResource(dg.ConfigurableResource):
    """Where the reference files are, and whether to ask a price API.

    `shared_dir` holds third-party files read in place (reference/cloud_gpu_prices.csv);
    `reference_dir` is the repo's own reviewed files; `token_price_csvs` are token price files
    (demo or reviewed; none means keep the prices loaded before); `coingecko_ids` (symbol ->
    CoinGecko id) turns on live prices; `registry_path` is the registry checked with the files
    (DEPINLENS_REGISTRY's, or the project's networks.toml, when empty).
    """

    shared_dir: str
    reference_dir: str
    registry_path: str = ""
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

    def inputs(self) -> ReferenceInputs:
        """Every reference input of the run, read and checked (see pipelines/reference/inputs.py)."""
        cloud: Path | Exception | None = None
        if self.load_cloud_prices:
            try:
                cloud = self.cloud_prices_path()
            except dg.Failure as exc:
                cloud = exc
        reference = Path(self.reference_dir)
        return read_reference_inputs(
            registry_path=self.registry_path or Settings.from_env().registry_path, cloud_prices=cloud,
            gpu_specs=reference / "gpu_peak_specs.csv", network_claims=reference / "network_claims.csv",
            token_price_csvs=self.token_price_csvs)


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
        registry_path=str(settings.registry_path),
        load_cloud_prices=os.environ.get("DEPINLENS_CLOUD_PRICES", "on").strip().lower() != "off",
        coingecko_ids=parse_coingecko_ids(os.environ.get("DEPINLENS_COINGECKO_IDS", "")),
        coingecko_url=os.environ.get("DEPINLENS_COINGECKO_URL", COINGECKO_URL),
        cache_dir=str(settings.data_dir / "cache" / "prices"),
    )


def _asset(name: str, **kwargs):
    """The decorator every reference asset shares: raw/<name>, daily, single run, one writer."""
    return dg.asset(key=["raw", name], partitions_def=daily, backfill_policy=single_run, group_name="reference",
                    kinds={"csv", "duckdb"}, pool="warehouse", **kwargs)


def _keep(context: dg.AssetExecutionContext, conn, *tables: str) -> None:
    """Copy `tables` for this run before it first writes them (put back if the run fails)."""
    keep_before_write(conn, context.run_id, tables, run_outcome=run_outcome_from(context.instance))


@_asset("cloud_gpu_offers", check_specs=[dg.AssetCheckSpec("every_gpu_name_maps", asset=["raw", "cloud_gpu_offers"])])
def cloud_gpu_offers(context: dg.AssetExecutionContext, reference: ReferenceResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Cloud GPU list prices (instance and per-GPU-hour), GPU names mapped to the canonical list."""
    inputs = reference.inputs()
    inputs.require("cloud_gpu_offers")
    if inputs.cloud_offers is None:
        context.log.info("cloud prices switched off (load_cloud_prices=False): table left as it was")
        return dg.MaterializeResult(metadata={"rows": 0, "skipped": "load_cloud_prices=False"}, check_results=[
            dg.AssetCheckResult(check_name="every_gpu_name_maps", passed=True, metadata={"skipped": True})])
    path = reference.cloud_prices_path()
    rows, report = inputs.cloud_offers
    with warehouse.get_connection() as conn:
        _keep(context, conn, "raw.gpu_offers")
        count = replace_partition(conn, "raw.gpu_offers", rows,
                                  scope={"venue_kind": "cloud", "source": "reference", "source_name": CLOUD_PRICES_SOURCE})
    if report.unmapped:
        context.log.warning(f"GPU names not in the canonical list, rows not loaded: {dict(report.unmapped)}; "
                            "add them to gpu_bench/gpu_models.py")
    return dg.MaterializeResult(
        metadata={"rows": count, "file": dg.MetadataValue.path(str(path)), **report.as_metadata()},
        check_results=[dg.AssetCheckResult(check_name="every_gpu_name_maps", passed=not report.unmapped,
                                           severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"unmapped_gpu_models": dict(report.unmapped)})],
    )


@_asset("gpu_specs")
def gpu_specs(context: dg.AssetExecutionContext, reference: ReferenceResource,
              warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Datasheet dense peaks per canonical GPU model (TFLOP/s by precision, memory, bandwidth)."""
    inputs = reference.inputs()
    inputs.require("gpu_specs")
    with warehouse.get_connection() as conn:
        _keep(context, conn, "raw.gpu_specs")
        count = replace_partition(conn, "raw.gpu_specs", inputs.gpu_specs, scope={"source": "reference"})
    path = Path(reference.reference_dir) / "gpu_peak_specs.csv"
    return dg.MaterializeResult(metadata={"rows": count, "file": dg.MetadataValue.path(str(path))})


@_asset("network_claims")
def network_claims(context: dg.AssetExecutionContext, reference: ReferenceResource,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Published claims per network (value, unit, period, as-of, source): claims, never facts."""
    inputs = reference.inputs()
    inputs.require("network_claims")
    with warehouse.get_connection() as conn:
        _keep(context, conn, "raw.network_claims")
        count = replace_partition(conn, "raw.network_claims", inputs.network_claims, scope={"source": "reference"})
    path = Path(reference.reference_dir) / "network_claims.csv"
    return dg.MaterializeResult(metadata={"rows": count, "file": dg.MetadataValue.path(str(path))})


@_asset("token_prices")
def token_prices(context: dg.AssetExecutionContext, reference: ReferenceResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Token USD prices per day: the configured CSVs whole, plus live API prices for the run's days if set up.

    No CSV configured keeps the file prices loaded before (a warning says how many): a run
    without DEPINLENS_TOKEN_PRICES_CSV never empties the table.
    """
    inputs = reference.inputs()
    inputs.require("token_prices")
    live_rows, first_day, last_live, requests = None, None, None, 0
    if reference.coingecko_ids:  # fetched before anything is written: an API failure leaves the table as it was
        first_day, last_day = window_days(context)
        prices = CoinGeckoPrices(reference.cache_dir, base_url=reference.coingecko_url,
                                 api_key=os.environ.get(reference.coingecko_api_key_env) or None)
        try:
            live_rows = fetch_live_token_prices(prices, reference.coingecko_ids, first_day, last_day)
        finally:
            prices.close()
        requests = prices.requests
        last_live = min(last_day, datetime.now(UTC).date())
    from_files, live = 0, 0
    with warehouse.get_connection() as conn:
        _keep(context, conn, "raw.token_prices")
        if inputs.token_prices is not None:
            from_files = replace_partition(conn, "raw.token_prices", inputs.token_prices,
                                           scope={"source": FILE_SOURCES})
        else:
            kept = conn.execute("select count(*) from raw.token_prices where source in (select unnest(?))",
                                [FILE_SOURCES]).fetchone()[0]
            context.log.warning(f"no token price CSV configured (DEPINLENS_TOKEN_PRICES_CSV unset or empty, no "
                                f"reference/token_prices.csv): the {kept} file prices already loaded are kept")
        if live_rows is not None and last_live >= first_day:
            live = replace_partition(conn, "raw.token_prices", live_rows,
                                     scope={"source": "live", "token": sorted(reference.coingecko_ids)},
                                     day_column="day", first_day=first_day, last_day=last_live)
    if live_rows is not None:
        context.log.info(f"{live} live prices ({requests} API requests, the rest from the cache)")
    return dg.MaterializeResult(metadata={"rows_from_files": from_files, "rows_live": live,
                                          "files": reference.token_price_csvs,
                                          "file_prices_kept": inputs.token_prices is None})


@dg.definitions
def reference_definitions() -> dg.Definitions:
    """This module's assets and the reference resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[cloud_gpu_offers, gpu_specs, network_claims, token_prices],
                          resources={"reference": build_reference_resource()})

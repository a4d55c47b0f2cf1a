"""Gather what a report shows: every figure from warehouse.queries, shaped into titled tables.

Pure: takes an open (read-only) serving connection and the report's scope, returns a
`ReportContent`. Renderers (HTML, PDF, XLSX, CSV) only lay it out, so every format carries
the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal

from warehouse import queries
from warehouse.queries.gaps import PAYMENT_METRICS, Coverage, row_markers, valuation_gaps

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

ColumnKind = Literal["text", "usd", "pct", "number", "int", "date", "ratio"]

DEMO_WARNING = ("DEMO DATA: the on-chain figures in this report are simulated activity on local test "
                "chains (source = 'demo'), not real network figures. They show the method, not a verdict.")


@dataclass(frozen=True)
class Column:
    """One shown column: the frame's key, its header and how its values are formatted."""

    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    """A titled table of the report; `in_document` False keeps it to the XLSX and CSV exports.

    `cell_notes` say why a cell has no figure ("not measured on-chain: <reason>", "not applicable:
    ...") or that its figure is incomplete ("incomplete: payments in uact not priced"), keyed by
    (row position, column key); every format shows them (reports/_format.py).
    """

    name: str
    title: str
    note: str
    columns: tuple[Column, ...]
    frame: pd.DataFrame
    in_document: bool = True
    cell_notes: Mapping[tuple[int, str], str] = field(default_factory=dict)

    def shown(self) -> pd.DataFrame:
        """The frame restricted to (and ordered by) the declared columns."""
        return self.frame[[c.key for c in self.columns]]

    def row_notes(self) -> list[str]:
        """Per row, its cells' notes once each ('revenue, fees: not measured on-chain: ...'), '' for none."""
        keys = [c.key for c in self.columns]
        labels = {c.key: c.label for c in self.columns}
        per_row: list[dict[str, list[str]]] = [{} for _ in range(len(self.frame))]
        for (position, key), text in sorted(self.cell_notes.items(), key=lambda item: keys.index(item[0][1])
                                            if item[0][1] in keys else len(keys)):
            per_row[position].setdefault(text, []).append(labels.get(key, key))
        return ["; ".join(f"{', '.join(columns)}: {text}" for text, columns in notes.items()) for notes in per_row]


def with_gaps(frame: pd.DataFrame, columns: tuple[Column, ...], coverage: Coverage, *,
              metric_column: str | None = None, figures: tuple[str, ...] | None = None
              ) -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """The frame with each figure not measured on-chain (or not applicable) emptied, never left as a
    0, and the notes of its cells: why a figure is missing, and which payment figures (fees,
    revenue) count only part of the payments of their day or window."""
    frame = frame.reset_index(drop=True)
    keys = list(figures) if figures is not None else [c.key for c in columns if coverage.metric_of(c.key)]
    gaps = coverage.cells(frame, keys, metric_column=metric_column)
    notes = {cell: gap.label for cell, gap in gaps.items()}
    shown_keys = {c.key for c in columns}
    for position, marker in enumerate(row_markers(frame)):
        for key in PAYMENT_METRICS:
            if marker and key in shown_keys and (position, key) not in notes:
                notes[(position, key)] = marker
    return coverage.masked(frame, keys, metric_column=metric_column), notes


@dataclass(frozen=True)
class ReportContent:
    """Everything a report states: scope, provenance, tables and the methodology text."""

    networks: list[str]
    start: date | None
    end: date | None
    generated_at: datetime
    published_at: datetime | None
    sources: list[str]
    tables: dict[str, Table]
    methodology_md: str
    benchmark_runs: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def is_demo(self) -> bool:
        """True when any row behind the report is simulated (source='demo')."""
        return "demo" in self.sources

    @property
    def period(self) -> str:
        """The window as text, e.g. '2025-06-01 to 2025-06-30 (UTC days)'."""
        first = self.start.isoformat() if self.start else "first day published"
        last = self.end.isoformat() if self.end else "last day published"
        return f"{first} to {last} (UTC days)"


def report_time() -> datetime:
    """Now (UTC, whole seconds), or SOURCE_DATE_EPOCH when set, so a rebuild can be byte-identical."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _day(value: object) -> date:
    return value.date() if hasattr(value, "date") else value


def _listed(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return ", ".join(str(v) for v in list(value))
    return str(value)


def revenue_growth(daily: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """Per (network, source label): mean daily revenue of the window's second half ÷ its first half − 1.

    Halves, not first-vs-last day, so one noisy day does not make the trend; a network with
    fewer than two days of revenue, or none in the first half, has no growth figure.
    """
    growth: dict[tuple[str, str], float | None] = {}
    for key, group in daily.dropna(subset=["revenue_usd"]).groupby(["network", "source"]):
        per_day = group.groupby("day")["revenue_usd"].sum().sort_index()
        half = len(per_day) // 2
        first = per_day.iloc[:half].mean() if half else None
        last = per_day.iloc[-half:].mean() if half else None
        growth[key] = (last / first - 1) if first else None
    return growth


def _networks_table(summary: pd.DataFrame, daily: pd.DataFrame, valuation: pd.DataFrame, coverage: Coverage) -> Table:
    frame = summary.merge(valuation[["network", "source", "market_cap_usd", "fully_diluted_value_usd", "price_to_fees",
                                     "price_to_sales"]], on=["network", "source"], how="left")
    issuance = daily.groupby(["network", "source"])[["net_issuance_usd", "net_issuance_tokens"]].sum(min_count=1)
    frame = frame.join(issuance, on=["network", "source"])
    growth = revenue_growth(daily)
    frame["revenue_growth"] = [growth.get(key) for key in zip(frame["network"], frame["source"], strict=True)]
    frame["sources"] = frame["sources"].map(_listed)
    frame = frame.drop(columns=["revenue_trend"])
    columns = (Column("network", "network"), Column("sources", "source"), Column("days", "days", "int"),
               Column("revenue_usd", "revenue", "usd"), Column("revenue_growth", "revenue growth", "pct"),
               Column("fees_usd", "fees", "usd"), Column("market_cap_usd", "market cap (total supply)", "usd"),
               Column("fully_diluted_value_usd", "fully diluted value", "usd"),
               Column("price_to_fees", "price ÷ fees", "ratio"), Column("price_to_sales", "price ÷ sales", "ratio"),
               Column("burns_usd", "burns", "usd"),
               Column("emissions_usd", "emissions", "usd"), Column("net_issuance_usd", "net issuance", "usd"),
               Column("nominal_apy", "nominal APY", "pct"), Column("real_yield", "real yield", "pct"),
               Column("utilization", "utilization", "pct"), Column("gpu_hours", "GPU-hours", "number"))
    frame, notes = with_gaps(frame, columns, coverage.with_gaps(valuation_gaps(valuation)))
    return Table(
        "networks", "Networks side by side",
        "Totals over the window; yields and utilization are daily averages. Growth: mean daily revenue "
        "of the window's second half against its first half (— where the first half earned nothing to compare with, "
        "or the window holds one day). Market cap: the primary token's total on-chain supply "
        "× its price at the window's last day with both (circulating supply is not on-chain). Fully diluted value: "
        "that price × the maximum supply the token's own docs state (networks.toml cites each source and the day "
        "it was read; the methodology lists them), — for a token with no cap or none verified. Price ÷ fees and "
        "÷ sales divide market cap by the window's fees and revenue annualised. A numbered note on a cell: — where "
        "the metric "
        "is not measured on-chain for that network (with the registry's reason) or does not apply; a figure "
        "marked incomplete counts only the payments that had a price.",
        columns, frame, cell_notes=notes,
    )


def _daily_table(daily: pd.DataFrame, coverage: Coverage) -> Table:
    columns = (Column("day", "day", "date"), Column("network", "network"), Column("source", "source"),
               Column("revenue_usd", "revenue", "usd"), Column("fees_usd", "fees", "usd"),
               Column("burns_usd", "burns", "usd"), Column("emissions_usd", "emissions", "usd"),
               Column("net_issuance_usd", "net issuance", "usd"),
               Column("net_issuance_tokens", "net issuance (tokens)", "number"),
               Column("staked_usd", "staked", "usd"), Column("nominal_apy", "nominal APY", "pct"),
               Column("real_yield", "real yield", "pct"), Column("utilization", "utilization", "pct"),
               Column("gpu_hours", "GPU-hours", "number"), Column("token_price_usd", "token price", "usd"),
               Column("price_source", "price source"))
    frame, notes = with_gaps(daily, columns, coverage)
    return Table(
        "daily", "Daily metrics per network",
        "One row per network, UTC day and source label (marts.network_daily); notes say why a figure is "
        "missing (not measured on-chain, not applicable) or incomplete (payments with no price).",
        columns, frame, in_document=False, cell_notes=notes,
    )


def _price_tables(latest: pd.DataFrame, networks: list[str]) -> tuple[Table, Table]:
    import pandas as pd

    from warehouse.queries.gpus import compared

    venues = latest[(latest["venue_kind"] == "cloud") | latest["venue"].isin(networks)].reset_index(drop=True)
    clouds = venues[venues["venue_kind"] == "cloud"]
    rows = []
    for offer in venues[venues["venue_kind"] == "network"].itertuples():
        # every cloud offer of a model comparable with the network's (same family; memory and form factor
        # equal wherever both names state them), cheapest first
        matches = compared(clouds, offer.gpu_model).sort_values("usd_per_gpu_hour")
        cloud = matches.iloc[0] if not matches.empty else None
        rows.append({
            "gpu_model": offer.gpu_model, "network": offer.venue, "source": offer.source, "day": offer.day,
            "network_usd_per_gpu_hour": offer.usd_per_gpu_hour,
            "cloud_venue": None if cloud is None else cloud["venue"],
            "cloud_gpu_model": None if cloud is None else cloud["gpu_model"],
            "compared_as": None if cloud is None else cloud["compared_as"],
            "cloud_usd_per_gpu_hour": None if cloud is None else cloud["usd_per_gpu_hour"],
            "cloud_day": None if cloud is None else cloud["day"],
            "network_to_cloud": None if cloud is None else offer.usd_per_gpu_hour / cloud["usd_per_gpu_hour"],
            "cloud_offers_compared": len(matches),
        })
    comparison = pd.DataFrame(rows, columns=["gpu_model", "network", "source", "day", "network_usd_per_gpu_hour",
                                             "cloud_venue", "cloud_gpu_model", "compared_as", "cloud_usd_per_gpu_hour",
                                             "cloud_day", "network_to_cloud", "cloud_offers_compared"])
    compare = Table(
        "gpu_prices", "$/GPU-hour by GPU model: networks against the cheapest cloud",
        "One GPU for an hour: a network's price on its latest day in the window (lease price × the payment token's "
        "price that day); the cheapest cloud list price (SkyPilot catalog) as of the window's end among every offer "
        "of a comparable model: the same family, and the same memory and form factor wherever both names state them "
        "(an offer that leaves one unstated is compared and says so). Ratio below 1: the network is cheaper.",
        (Column("gpu_model", "GPU model"), Column("network", "network"), Column("source", "source"),
         Column("day", "as of", "date"), Column("network_usd_per_gpu_hour", "network $/GPU-h", "usd"),
         Column("cloud_venue", "cheapest cloud"), Column("cloud_gpu_model", "cloud's model"),
         Column("compared_as", "compared as"), Column("cloud_usd_per_gpu_hour", "cloud $/GPU-h", "usd"),
         Column("cloud_day", "cloud as of", "date"), Column("network_to_cloud", "network ÷ cloud", "ratio"),
         Column("cloud_offers_compared", "cloud offers compared", "int")),
        comparison.sort_values(["gpu_model", "network"]).reset_index(drop=True),
    )
    every = Table(
        "gpu_prices_latest", "$/GPU-hour of every venue in the window",
        "One row per venue, GPU model and source label: a network's price on its latest day in the window, a "
        "cloud's list price as of the window's end (marts.gpu_prices).",
        (Column("gpu_model", "GPU model"), Column("venue", "venue"), Column("venue_kind", "kind"),
         Column("source", "source"), Column("day", "as of", "date"), Column("usd_per_gpu_hour", "$/GPU-h", "usd"),
         Column("median_usd_per_gpu_hour", "median $/GPU-h", "usd"), Column("offers", "offers", "int"),
         Column("price_source", "price source")),
        venues, in_document=False,
    )
    return compare, every


def _cost_table(cost: pd.DataFrame, networks: list[str], benchmark_runs: int) -> Table:
    frame = cost[(cost["venue_kind"] == "cloud") | cost["venue"].isin(networks)].copy()
    frame["run_ids"] = frame["run_ids"].map(_listed)
    if "runs" not in frame:  # a file published before bound runs were counted
        frame["runs"] = None
    measured = ("measured: the median of the venue's bound runs (one figure per run, its best bf16/fp16 matmul "
                "shape; self-attested runs never count)") if benchmark_runs else \
        "no bound benchmark run is published yet, so every row uses the datasheet basis"
    return Table(
        "cost_per_compute", "$ per PFLOP-hour",
        f"$/GPU-hour ÷ PFLOP/s. Basis 'measured' = bound benchmark runs; 'datasheet' = dense bf16 peak, "
        f"an upper bound on speed and so a lower bound on cost. Here: {measured}.",
        (Column("gpu_model", "GPU model"), Column("venue", "venue"), Column("venue_kind", "kind"),
         Column("source", "source"), Column("basis", "basis"), Column("usd_per_gpu_hour", "$/GPU-h", "usd"),
         Column("tflops", "TFLOP/s", "number"), Column("usd_per_pflop_hour", "$/PFLOP-h", "usd"),
         Column("usd_per_million_tokens", "$/M tokens", "usd"), Column("runs", "bound runs", "int"),
         Column("run_ids", "benchmark runs")),
        frame.sort_values(["gpu_model", "usd_per_pflop_hour"]).reset_index(drop=True),
    )


def _benchmarks_tables(bench: pd.DataFrame) -> tuple[Table, Table]:
    """Bound runs, then self-attested runs apart and labelled (marts.benchmark_results.tier)."""
    columns = (Column("signed_at", "signed at", "date"), Column("venue", "venue"), Column("provider", "provider"),
               Column("operator_pubkey", "operator key"), Column("gpu_model", "GPU model"), Column("suite", "suite"),
               Column("metric", "metric"), Column("precision", "precision"), Column("value", "value", "number"),
               Column("unit", "unit"), Column("pct_of_peak", "% of peak", "pct"), Column("run_id", "run"),
               Column("source", "source"))
    tier = bench["tier"] if "tier" in bench else None
    bound = bench[tier == "bound"] if tier is not None else bench.iloc[0:0]
    claimed = bench[tier != "bound"] if tier is not None else bench
    return Table(
        "benchmarks", "Bound benchmark measurements",
        "Signed gpu_bench results that passed verification, from keys their provider identity signed and "
        "that identity appears in the chain data (marts.benchmark_results, tier 'bound').",
        columns, bound.reset_index(drop=True), in_document=not bound.empty,
    ), Table(
        "benchmarks_self_attested", "Self-attested benchmark measurements (not verified against chain data)",
        "Signed and verified figures whose key no on-chain provider identity vouches for: provider and venue are "
        "as the key holder typed them. Shown for completeness; never used in $ per PFLOP-hour.",
        (*columns, Column("tier_reason", "why self-attested")), claimed.reset_index(drop=True),
        in_document=not claimed.empty,
    )


def _claims_table(claims: pd.DataFrame, coverage: Coverage) -> Table:
    frame = claims.copy()
    frame["evidence_sources"] = frame["evidence_sources"].map(_listed)
    columns = (Column("network", "network"), Column("claim_text", "claim"), Column("claimed_value", "claimed", "number"),
               Column("unit", "unit"), Column("period", "period"), Column("as_of", "as of", "date"),
               Column("source_name", "claim source"), Column("measured_value", "measured, same terms", "number"),
               Column("gap_ratio", "gap", "pct"), Column("measurement_basis", "basis"),
               Column("evidence_sources", "evidence source"))
    # a claim whose counterpart is not measured on-chain for the network has no measured figure
    frame, notes = with_gaps(frame, columns, coverage, metric_column="measure", figures=("measured_value", "gap_ratio"))
    return Table(
        "claims", "Claims against evidence",
        "Each published claim beside what the data measures on the claim's own terms: only days inside the "
        "claim's period, a total over it (scaled to the period and labelled when part of it is measured) or a "
        "level averaged over it. Gap = (measured − claimed) ÷ claimed. No measured figure where the data cannot "
        "cover the claim's period yet, where no on-chain counterpart is ingested or where it is not measured "
        "on-chain for that network: the basis says which.",
        columns, frame, cell_notes=notes,
    )


def _sources_table(sources: pd.DataFrame, daily: pd.DataFrame, latest: pd.DataFrame, claims: pd.DataFrame,
                   specs: pd.DataFrame) -> Table:
    import pandas as pd

    rows = [{"kind": "on-chain records", "source": r.source, "what": f"{r.network} on {r.chain}",
             "reference": f"{int(r.records)} token records, {r.first_day:%Y-%m-%d} to {r.last_day:%Y-%m-%d}",
             "as_of": r.last_day} for r in sources.itertuples()]
    for (label, src), group in daily.dropna(subset=["price_source"]).groupby(["price_source", "source"]):
        rows.append({"kind": "token prices", "source": src, "what": ", ".join(sorted(group["primary_token"].dropna().unique())),
                     "reference": f"price source: {label}", "as_of": group["day"].max()})
    clouds = latest[latest["venue_kind"] == "cloud"]
    for (label, src), group in clouds.groupby(["price_source", "source"]):
        rows.append({"kind": "cloud GPU prices", "source": src, "what": ", ".join(sorted(group["venue"].unique())),
                     "reference": label, "as_of": group["day"].max()})
    for (name, ref, src), group in claims.fillna({"source_ref": ""}).groupby(["source_name", "source_ref", "network"]):
        rows.append({"kind": "published claims", "source": "reference", "what": f"{src}: {len(group)} claims",
                     "reference": f"{name}. {ref}".strip(". "), "as_of": group["as_of"].max()})
    if not specs.empty:
        rows.append({"kind": "GPU datasheet peaks", "source": "reference", "what": f"{len(specs)} GPU models",
                     "reference": "vendor datasheets (reference/gpu_peak_specs.csv)", "as_of": None})
    frame = pd.DataFrame(rows, columns=["kind", "source", "what", "reference", "as_of"])
    return Table(
        "sources", "Data sources and as-of dates",
        "Where each figure came from. Source labels never mix: live (mainnet), local (a local test chain), "
        "demo (simulated), reference (a published figure).",
        (Column("kind", "kind"), Column("source", "source"), Column("what", "what"),
         Column("reference", "reference"), Column("as_of", "as of", "date")),
        frame,
    )


def _references_table(refs: pd.DataFrame) -> Table:
    return Table(
        "onchain_references", "On-chain references",
        "Per network, chain and token contract: the first and last block (EVM), slot (Solana) or height (Cosmos) "
        "whose records are behind the window's figures, with the first and last transaction (tx hash or signature). "
        "Every raw row keeps its own.",
        (Column("network", "network"), Column("chain", "chain"), Column("source", "source"),
         Column("token_symbol", "token"), Column("token_address", "contract / mint"),
         Column("first_day", "first day", "date"), Column("last_day", "last day", "date"),
         Column("first_block", "first block / slot", "int"), Column("last_block", "last block / slot", "int"),
         Column("first_tx", "first tx / signature"), Column("last_tx", "last tx / signature"),
         Column("records", "records", "int")),
        refs.reset_index(drop=True),
    )


def _freshness_table(fresh: pd.DataFrame) -> Table:
    return Table(
        "freshness", "Freshness of the published marts", "Latest day and row count of each mart per source label.",
        (Column("mart", "mart"), Column("source", "source"), Column("latest_day", "latest day", "date"),
         Column("rows", "rows", "int")),
        fresh.reset_index(drop=True), in_document=False,
    )


def _gpu_finance_table(products: pd.DataFrame) -> Table:
    columns = (Column("network", "product (network)"), Column("chain", "chain"), Column("source", "source label"),
               Column("days_measured", "days", "int"), Column("start_share_price", "share price, start", "number"),
               Column("end_share_price", "share price, end", "number"),
               Column("end_redemption_share_price", "redemption share price, end", "number"),
               Column("realised_yield", "realised yield from NAV", "pct"),
               Column("claimed_yield_low", "claimed, low", "pct"), Column("claimed_yield_high", "claimed, high", "pct"),
               Column("principal_originated", "GPU loans originated", "number"),
               Column("principal_repaid", "repaid", "number"),
               Column("principal_outstanding", "outstanding", "number"),
               Column("interest_to_lenders", "interest to lenders", "number"),
               Column("protocol_revenue", "protocol revenue (fees)", "number"), Column("defaults", "defaults", "int"),
               Column("principal_written_off", "written off", "number"))
    return Table(
        "gpu_finance", "GPU finance: realised yield against claimed, and GPU loans",
        "Per GPU-backed yield product: realised yield = (share price at the window's last reading ÷ at its first) ^ "
        "(365 ÷ days) − 1, compounded, beside the yield its sources claim; a short window annualises a few days' "
        "change. Loans (in the loan currency's units) come from the loan router's events; the next table lists "
        "each loan with its collateral. The staking table above gives the compute networks' real yield.",
        columns, products.reset_index(drop=True),
    )


def _gpu_loans_table(loans: pd.DataFrame) -> Table:
    columns = (Column("originated_day", "originated", "date"), Column("network", "network"),
               Column("source", "source label"), Column("borrower", "borrower"),
               Column("currency_symbol", "currency"), Column("principal", "principal", "number"),
               Column("loan_status", "status"), Column("collateral", "collateral (GPUs)"),
               Column("collateral_reason", "why collateral is unknown"), Column("origination_tx", "origination tx"))
    return Table(
        "gpu_loans", "GPU loans and their collateral",
        "Each GPU loan originated in the window. Collateral is what the loan's terms name in the borrow() call "
        "that originated it (collateral token #id; on USD.AI a bundle of GPU NFTs), read from the transaction's "
        "calldata because the router's events name none; \"unknown\" where that call did not go straight to the "
        "router (a multicall or another contract), with the reason.",
        columns, loans.reset_index(drop=True),
    )


def _identifiers_table() -> Table:
    import pandas as pd

    from depinlens.registry import load_registry
    from depinlens.settings import Settings

    status = pd.DataFrame(load_registry(Settings.from_env().registry_path).identifier_status())
    columns = (Column("name", "system"), Column("status", "on-chain identifiers"),
               Column("identifiers", "verified identifiers"), Column("pending", "not registered, and why"))
    return Table(
        "onchain_identifiers", "What is and is not on-chain",
        "Every system the sources name, with its verified on-chain identifiers (networks.toml, each cited by "
        "repository, path and commit) or, where it has none, what would be measured once one is published and "
        "why none is registered now.",
        columns, status,
    )


def gather(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None, start: date | None = None,
           end: date | None = None, methodology_md: str = "", generated_at: datetime | None = None) -> ReportContent:
    """Read the report's tables through the named queries.

    Args:
        conn: a read-only connection (or cursor) on the serving file.
        networks: networks to compare; None or empty means every published network.
        start: first UTC day of the window (None: the first published day).
        end: last UTC day of the window (None: the last published day).
        methodology_md: the methodology text to append (docs/methodology.md).
        generated_at: the report's timestamp (default: now, UTC).

    Returns:
        The report's content, tables in reading order.
    """
    known = queries.networks(conn)
    chosen = [n for n in (networks or known)]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise ValueError(f"unknown network(s) {', '.join(unknown)}; published: {', '.join(known)}")
    window = {"networks": chosen, "start": start, "end": end}
    summary = queries.network_summary(conn, **window)
    daily = queries.network_daily(conn, **window)
    prices = queries.latest_gpu_price_by_venue(conn, start=start, end=end)
    valuation = queries.valuation(conn, **window)
    cost = queries.cost_per_compute(conn)
    bench = queries.benchmark_results(conn)
    bench = bench[(bench["venue"].isin(chosen)) | ~bench["venue"].isin(known)] if not bench.empty else bench
    claims = queries.claims_vs_evidence(conn, networks=chosen)
    gpu_finance = queries.gpu_finance_summary(conn, **window)
    gpu_loans = queries.gpu_loans(conn, **window)
    token_sources = queries.data_sources(conn)
    token_sources = token_sources[token_sources["network"].isin(chosen)]
    refs = queries.onchain_references(conn, **window)
    coverage = Coverage.from_frame(queries.metric_coverage(conn, networks=chosen))
    compare, every_price = _price_tables(prices, chosen)
    bound_runs = int((bench["tier"] == "bound").sum()) if "tier" in bench else 0
    cost_table = _cost_table(cost, chosen, bound_runs)
    tables = [
        _networks_table(summary, daily, valuation, coverage), compare, cost_table, *_benchmarks_tables(bench),
        _claims_table(claims, coverage), _gpu_finance_table(gpu_finance), _gpu_loans_table(gpu_loans),
        _identifiers_table(),
        _sources_table(token_sources, daily, prices, claims, queries.gpu_specs(conn)),
        _references_table(refs), _daily_table(daily, coverage), every_price, _freshness_table(queries.freshness(conn)),
    ]
    labels: set[str] = set()
    for frame, column in ((daily, "source"), (compare.frame, "source"), (cost_table.frame, "source"),
                          (refs, "source"), (token_sources, "source"), (gpu_finance, "source"),
                          (gpu_loans, "source")):
        labels.update(str(v) for v in frame[column].dropna().unique())
    for listed in claims["evidence_sources"].dropna():
        labels.update(v.strip() for v in _listed(listed).split(",") if v.strip())
    days = daily["day"].dropna()
    return ReportContent(
        networks=chosen, start=start or (_day(days.min()) if len(days) else None),
        end=end or (_day(days.max()) if len(days) else None),
        generated_at=generated_at or report_time(),
        published_at=queries.published_at(conn), sources=sorted(labels),
        tables={t.name: t for t in tables}, methodology_md=methodology_md, benchmark_runs=bound_runs,
    )

"""What stands in for a figure that is not there, in one place for every page and report format.

A metric the live path cannot measure for a network is "not measured on-chain" with the
registry's reason; one that does not fit the network's economics is "not applicable"; a day whose
job payments were not all priced is "incomplete". Pure: built from marts.network_metric_coverage
(`queries.metric_coverage`) and network_daily's `payments_complete` / `unpriced_denoms`;
dashboards (dashboards/components.py) and reports (reports/_format.py) only lay the texts out.

    coverage = Coverage.from_frame(queries.metric_coverage(conn))
    cells = coverage.cells(daily)          # {(row position, column): Gap} of the cells to show as "—"
    shown = coverage.masked(daily)         # the same frame with those cells empty, never 0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Status = Literal["not_measured", "not_applicable"]
NOT_MEASURED: Status = "not_measured"
NOT_APPLICABLE: Status = "not_applicable"
MISSING = "—"  # what a cell without a figure shows, whatever the reason

# the figures a day's unpriced job payments make smaller than they were
PAYMENT_METRICS = ("fees_usd", "revenue_usd", "supply_side_revenue_usd")

# columns that show a network_daily metric under another name (token flows, report summaries)
ALIASES = {"minted": "emissions_tokens", "minted_raw": "emissions_tokens", "mint_count": "emissions_tokens",
           "burned": "burns_tokens", "burned_raw": "burns_tokens", "burn_count": "burns_tokens",
           "net_issuance": "net_issuance_tokens", "net_issuance_raw": "net_issuance_tokens",
           "revenue_trend": "revenue_usd", "revenue_growth": "revenue_usd", "revenue_usd_per_day": "revenue_usd",
           "revenue_change": "revenue_usd", "fees_change": "fees_usd",
           "annualised_fees_usd": "fees_usd", "annualised_revenue_usd": "revenue_usd",
           "price_to_fees": "fees_usd", "price_to_sales": "revenue_usd",
           "busy_gpus": "gpu_hours"}  # claims_vs_evidence: GPUs busy at once = GPU-hours / 24


@dataclass(frozen=True)
class Gap:
    """Why one network's metric has no figure."""

    network: str
    metric: str
    status: Status
    reason: str
    via: str | None = None

    @property
    def label(self) -> str:
        """'not measured on-chain: <reason>', naming the measure it comes from, or 'not applicable: <reason>'."""
        if self.status == NOT_APPLICABLE:
            return f"not applicable: {self.reason}"
        computed = f" (computed from {self.via.replace('_', ' ')})" if self.via else ""
        return f"not measured on-chain{computed}: {self.reason}"


class Coverage:
    """network × metric -> the gap that stands in for its figure (none when it is measured)."""

    def __init__(self, gaps: Iterable[Gap], metrics: Iterable[str] = ()) -> None:
        self._gaps = {(g.network, g.metric): g for g in gaps}
        self.metrics = frozenset(metrics) | {g.metric for g in self._gaps.values()}

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Coverage:
        """From rows of marts.network_metric_coverage (network, metric, status, reason, via)."""
        gaps = [Gap(r.network, r.metric, r.status, r.reason, r.via if isinstance(r.via, str) else None)
                for r in frame.itertuples() if r.status in (NOT_MEASURED, NOT_APPLICABLE)]
        return cls(gaps, frame["metric"] if "metric" in frame else ())

    def with_gaps(self, extra: Iterable[Gap]) -> Coverage:
        """This coverage and `extra` gaps (they win where both name a network's metric)."""
        return Coverage([*self._gaps.values(), *extra], self.metrics)

    def gap(self, network: str, metric: str) -> Gap | None:
        """The gap of `network`'s `metric`, None when it is measured (or unknown)."""
        return self._gaps.get((network, ALIASES.get(metric, metric)))

    def metric_of(self, column: str) -> str | None:
        """The network_daily metric a column shows: its own name, or the one it stands for (`minted`)."""
        metric = ALIASES.get(column, column)
        return metric if metric in self.metrics else None

    def cells(self, frame: pd.DataFrame, columns: Sequence[str] | None = None, *,
              network_column: str = "network", metric_column: str | None = None) -> dict[tuple[int, str], Gap]:
        """{(row position, column): gap} for every cell of `frame` whose metric has no figure.

        Args:
            columns: the columns to look at (default: every column that shows a metric).
            metric_column: a column naming each row's metric (claims: `measure`); then `columns`
                are the row's figures of that metric.
        """
        if network_column not in frame:
            return {}
        chosen = list(columns) if columns is not None else [c for c in frame.columns if self.metric_of(c)]
        found: dict[tuple[int, str], Gap] = {}
        networks = frame[network_column].tolist()
        row_metrics = frame[metric_column].tolist() if metric_column else None
        for position, network in enumerate(networks):
            for column in chosen:
                metric = row_metrics[position] if row_metrics is not None else self.metric_of(column)
                gap = self.gap(network, metric) if isinstance(metric, str) else None
                if gap is not None:
                    found[(position, column)] = gap
        return found

    def masked(self, frame: pd.DataFrame, columns: Sequence[str] | None = None, **where: str | None) -> pd.DataFrame:
        """A copy of `frame` whose gap cells are empty (NA, or None for list cells): never a 0 that was not measured."""
        shown = frame.copy()
        rows_of: dict[str, list[int]] = {}
        for position, column in self.cells(frame, columns, **where):
            rows_of.setdefault(column, []).append(position)
        for column, positions in rows_of.items():
            values = shown[column].tolist()
            for position in positions:
                values[position] = None
            if shown[column].dtype.kind in "iufb":  # numbers stay numbers: the gap is NaN, not 0
                shown[column] = [float("nan") if v is None else v for v in values]
                shown[column] = shown[column].astype(float)
            else:
                shown[column] = values
        return shown

    def networks_without(self, networks: Iterable[str], metric: str) -> list[Gap]:
        """The gaps of `metric` among `networks` (each once, in order): what a total or chart leaves out."""
        return [g for n in dict.fromkeys(networks) if (g := self.gap(n, metric)) is not None]


def incomplete_marker(denoms: Sequence[str] | None, *, days: int | None = None, of_days: int | None = None) -> str | None:
    """'incomplete: payments in uact not priced' (a day), '... on 2 of 3 days' (a period); None when complete."""
    listed = [d for d in (denoms if denoms is not None else []) if isinstance(d, str)]
    if not listed:
        return None
    span = ""
    if days:
        span = f" on {days} of {of_days} days" if of_days else f" on {days} day{'s' if days > 1 else ''}"
    return f"incomplete: payments in {', '.join(listed)} not priced{span}"


def row_markers(frame: pd.DataFrame) -> list[str | None]:
    """The incomplete marker of each row: a network_daily day (`unpriced_denoms`) or a summary over a
    window (`unpriced_denoms`, `incomplete_days` of `days`); None where every payment was priced."""
    if "unpriced_denoms" not in frame:
        return [None] * len(frame)
    denoms = [list(v) if v is not None and not isinstance(v, float) else [] for v in frame["unpriced_denoms"]]
    if "incomplete_days" in frame:
        days = [int(d) if d == d else 0 for d in frame["incomplete_days"]]
        of_days = [int(d) for d in frame["days"]] if "days" in frame else [None] * len(frame)
        return [incomplete_marker(d, days=n, of_days=o) for d, n, o in zip(denoms, days, of_days, strict=True)]
    return [incomplete_marker(d) for d in denoms]


def row_notes(frame: pd.DataFrame, cells: Mapping[tuple[int, str], Gap],
              labels: Mapping[str, str] | None = None) -> list[str]:
    """Per row, one line saying why its empty cells are empty and whether its payments were all priced:
    'revenue, fees: not measured on-chain: <reason>; incomplete: payments in uact not priced'."""
    names = labels or {}
    per_row: list[dict[str, list[str]]] = [{} for _ in range(len(frame))]
    for (position, column), gap in cells.items():
        per_row[position].setdefault(gap.label, []).append(names.get(column, column))
    markers = row_markers(frame)
    notes = []
    for grouped, marker in zip(per_row, markers, strict=True):
        parts = [f"{', '.join(dict.fromkeys(columns))}: {label}" for label, columns in grouped.items()]
        notes.append("; ".join(parts + ([marker] if marker else [])))
    return notes


FDV = "fully_diluted_value_usd"
UNCAPPED = "no maximum supply: "  # how token_supply_daily starts the reason of a token that has no cap


def valuation_gaps(valuation: pd.DataFrame) -> list[Gap]:
    """Why a network of `queries.valuation` has no fully diluted value, as gaps of its `fully_diluted_value_usd`:
    not applicable to a token with no maximum supply (inflationary: the registry says why), not measured where
    no cap is verified from the token's own docs or contract (never a guessed cap), or no price or supply."""
    import pandas as pd

    if FDV not in valuation or "fully_diluted_value_gap" not in valuation:
        return []
    gaps = []
    for row in valuation.itertuples():
        reason = row.fully_diluted_value_gap
        if isinstance(reason, str) and reason and pd.isna(getattr(row, FDV)):
            uncapped = reason.startswith(UNCAPPED)
            gaps.append(Gap(row.network, FDV, NOT_APPLICABLE if uncapped else NOT_MEASURED,
                            reason[len(UNCAPPED):] if uncapped else reason))
    return gaps

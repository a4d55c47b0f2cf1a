"""UI pieces every page shares: provenance badge, empty state, chart + CSV download, tables whose
figures are written alike everywhere (thousands separators, percents, dates without times, human
column names; the CSV keeps full precision under unit-bearing headers), and figures that are not
there shown as "—" with why (not measured on-chain, not applicable, incomplete). The filters are
in dashboards/filters.py, column names and kinds in dashboards/labels.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards import data, labels
from dashboards.definitions import DEFINITIONS, METHODOLOGY_PATH
from dashboards.filters import Filters, keep_in_url, one_source, same_source, sidebar_filters
from depinlens.text_safety import inert_frame
from reports import format_value
from warehouse.queries.gaps import MISSING, PAYMENT_METRICS, Coverage, row_markers, row_notes

__all__ = ["MISSING", "SOURCE_LABELS", "Filters", "chart", "column_config", "coverage", "csv_of", "figures",
           "gaps_caption", "help_for", "incomplete_notice", "keep_in_url", "methodology_link", "no_data", "one_source",
           "provenance_badge", "require_published", "same_source", "sidebar_filters", "table", "total"]

SOURCE_LABELS = {
    "demo": "DEMO DATA: simulated activity on local chains, not real network figures.",
    "local": "Local chain: transactions sent to a local node, not mainnet.",
    "live": "Live: read from mainnet RPC endpoints.",
    "reference": "Reference: published figures, with source and as-of date.",
}


def require_published() -> None:
    """Stop the page with instructions when nothing has been published yet (no server path shown)."""
    if data.serving_version() is None:
        st.error("Nothing is published yet: run `depinlens up` to build and publish the marts, then reload.")
        st.stop()


def provenance_badge(sources: pd.Series | list[str]) -> None:
    """State where the rows on this page came from; demo data gets a warning badge."""
    labels = sorted({s for s in (list(sources) if not isinstance(sources, pd.Series) else sources.dropna()) if s})
    if "demo" in labels:
        st.warning(SOURCE_LABELS["demo"], icon=":material/science:")
    for label in labels:
        if label != "demo":
            st.info(SOURCE_LABELS.get(label, f"source: {label}"))


def no_data(what: str) -> None:
    """Explain an empty result and what to do about it."""
    st.info(f"No {what} for these filters. Widen the date range or pick other networks; "
            "if nothing is published yet, run `depinlens up`.")


def help_for(column: str) -> str | None:
    """The hover definition of a metric column."""
    return DEFINITIONS.get(column)


def csv_of(frame: pd.DataFrame) -> str:
    """A frame as a CSV to take away: full-precision figures, dates as YYYY-MM-DD, lists as 'a, b',
    "—" where a figure is missing, headers that carry the unit ('revenue [USD]'), and no text cell a
    spreadsheet would run as a formula (depinlens.text_safety)."""
    out = _flat(frame)
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(lambda v: None if pd.isna(v) else f"{v:%Y-%m-%d}")
        elif out[column].dtype == object and out[column].map(lambda v: isinstance(v, (date, datetime))).any():
            out[column] = out[column].map(lambda v: f"{v:%Y-%m-%d}" if isinstance(v, (date, datetime)) else v)
    out = inert_frame(out)  # a text cell a spreadsheet would read as a formula starts with '
    # Figures as Python's shortest exact repr, not numpy's: after a native library ran in the same
    # process (LiteSVM, in the tests), numpy wrote its next figure as 6.861463123456789e+06.
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda v: None if pd.isna(v) else repr(float(v)))
    return out.rename(columns={c: labels.csv_header(c) for c in out.columns}).to_csv(index=False, na_rep=MISSING)


def chart(figure: go.Figure, frame: pd.DataFrame, name: str) -> None:
    """A chart with the CSV of exactly the data behind it."""
    st.plotly_chart(figure, key=f"chart-{name}")
    st.download_button(f"Download {name}.csv", csv_of(frame), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv-{name}")


def coverage(networks: Sequence[str] | None = None) -> Coverage:
    """Which metrics of the networks have no figure, and why (marts.network_metric_coverage)."""
    return Coverage.from_frame(data.query("metric_coverage", networks=list(networks) if networks is not None else None))


def _listed(value: object) -> object:
    """A list cell as 'a, b' (None when empty); any other cell as it is."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(map(str, list(value))) or None
    return value


def _flat(frame: pd.DataFrame, keep: Sequence[str] = ()) -> pd.DataFrame:
    """List cells (source labels, denoms, run ids) as 'a, b', an empty one as missing, except the `keep`
    columns (sparklines)."""
    shown = frame.copy()
    for column in shown.columns:
        if column not in keep and shown[column].dtype == object \
                and shown[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
            shown[column] = shown[column].map(_listed)
    return shown


def _text(kind: str) -> Callable[[object], str]:
    return lambda value: format_value(kind, value)  # type: ignore[arg-type]


def gap_help(frame: pd.DataFrame, column: str, cov: Coverage, *, metric_column: str | None = None) -> str | None:
    """The hover text of a column: its definition, then why some networks show "—" in it."""
    cells = cov.cells(frame, [column], metric_column=metric_column)
    lines = [f"- {frame['network'].iloc[p]}: {g.label}" for (p, _c), g in cells.items()]
    why = "\n".join(dict.fromkeys(lines))
    parts = [p for p in (DEFINITIONS.get(column), f"**{MISSING}** where there is no figure:\n{why}" if why else None)
             if p]
    return "\n\n".join(parts) or None


def figures(frame: pd.DataFrame, cov: Coverage, *, show: Sequence[str] | None = None,
            metric_column: str | None = None, columns: Sequence[str] | None = None,
            keep_lists: Sequence[str] = ()) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame, list[str]]:
    """A frame of figures as pages show it: a cell whose metric is not measured on-chain (or does not
    apply) reads "—" (never None or 0) and a `notes` column says why and marks days (or windows)
    whose payments were not all priced; numbers are written as the report writes them.

    Streamlit draws an empty cell as "None" whatever a Styler says, so figures are shown as text.

    Args:
        cov: the networks' coverage (`coverage()`).
        show: the columns to show (default: all); the others still inform the notes (`unpriced_denoms`).
        metric_column: a column naming each row's metric (claims: `measure`); `columns` then hold
            its figures. Without it, every shown column that shows a network_daily metric is looked at.
        keep_lists: list columns to leave as lists (a LineChartColumn's series).

    Returns:
        (the frame to show, hover help per column, the frame to download as CSV, the figure columns).
    """
    if columns is None and show is not None:  # notes explain the cells on the page, not the hidden ones
        columns = [c for c in show if cov.metric_of(c)]
    cells = cov.cells(frame, columns, metric_column=metric_column)
    masked = cov.masked(frame, columns, metric_column=metric_column)
    notes = row_notes(frame, cells, labels={c: labels.in_text(c) for c in frame.columns})
    masked = (masked[list(show)] if show is not None else masked).reset_index(drop=True)
    if any(notes):
        masked["notes"] = notes
    shown = _flat(masked, keep_lists)
    numbers = []
    for column in shown.columns:
        if column in keep_lists:
            continue
        shown[column], is_number = _written(shown[column], labels.kind(column))
        if is_number:
            numbers.append(column)
    helps = {c: gap_help(frame, c, cov, metric_column=metric_column if c in (columns or ()) else None)
             for c in shown.columns if c in frame}
    return shown, {c: h for c, h in helps.items() if h}, _flat(masked), numbers


def _written(values: pd.Series, kind: str) -> tuple[pd.Series, bool]:
    """A column's cells as a page writes them, and whether they are figures (right-aligned): dates
    without times, numbers with separators, percents, "—" for a missing value (never None or NaN)."""
    if pd.api.types.is_datetime64_any_dtype(values) or kind == "date":
        return values.map(lambda v: format_value("date", v)), False
    if pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: "yes" if v else "no"), False
    if pd.api.types.is_numeric_dtype(values):
        return values.map(lambda v: format_value(kind if kind != "text" else "number", v)), True
    return values.map(lambda v: MISSING if v is None or (isinstance(v, float) and v != v)
                      else format_value("date", v) if isinstance(v, (date, datetime)) else v), False


def column_config(shown: pd.DataFrame, helps: dict[str, str], numbers: Sequence[str]) -> dict:
    """Human column names, their hover help and right-aligned figures, for st.dataframe."""
    return {c: st.column_config.Column(labels.label(c), help=helps.get(c) or DEFINITIONS.get(c),
                                       alignment="right" if c in numbers else None)
            for c in shown.columns}


def table(frame: pd.DataFrame, name: str, *, cov: Coverage | None = None, show: Sequence[str] | None = None,
          metric_column: str | None = None, columns: Sequence[str] | None = None) -> None:
    """A table as pages show it, with hover definitions and its CSV download (`csv_of`).

    With `cov`, a figure not measured on-chain (or not applicable) shows "—" and the row's notes
    say why; a day whose payments were not all priced says it is incomplete (`figures`).
    """
    shown, helps, raw, numbers = figures(frame, cov or Coverage([]), show=show, metric_column=metric_column,
                                         columns=columns)
    st.dataframe(shown, hide_index=True, column_config=column_config(shown, helps, numbers), key=f"table-{name}")
    st.download_button(f"Download {name}.csv", csv_of(raw), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv-{name}")


def total(container, label: str, frame: pd.DataFrame, column: str, cov: Coverage,
          write: Callable[[float], str] = lambda value: format_value("usd", value)) -> None:
    """A headline total of `column` over the networks that measure it. Those that do not are named
    in its help with the reason; a total over payments not all priced is labelled incomplete."""
    cells = cov.cells(frame, [column])
    counted = frame.drop(index=frame.index[sorted({p for p, _c in cells})]) if cells else frame
    value = counted[column].sum(min_count=1) if column in counted else float("nan")
    left_out = dict.fromkeys(f"{frame['network'].iloc[p]} ({g.label})" for (p, _c), g in cells.items())
    markers = _where_incomplete(counted) if column in PAYMENT_METRICS else []
    lines = [DEFINITIONS.get(column) or "",
             f"Leaves out {'; '.join(left_out)}." if left_out else "",
             f"Counts only the priced payments of {'; '.join(markers)}." if markers else ""]
    container.metric(label + (" (incomplete)" if markers else ""), MISSING if pd.isna(value) else write(value),
                     help="\n\n".join(line for line in lines if line) or None)


def _denoms(frame: pd.DataFrame) -> list[str]:
    if "unpriced_denoms" not in frame:
        return []
    return sorted({d for value in frame["unpriced_denoms"] if isinstance(value, (list, tuple)) or hasattr(value, "tolist")
                   for d in list(value)})


def gaps_caption(frame: pd.DataFrame, cov: Coverage, columns: Sequence[str], what: str) -> None:
    """Under a chart: which networks it leaves out because a metric is not measured on-chain (or
    does not apply), with the reason, and the days whose payments were not all priced."""
    per_network: dict[str, dict[str, list[str]]] = {}
    for (position, column), gap in cov.cells(frame, columns).items():
        by_reason = per_network.setdefault(str(frame["network"].iloc[position]), {})
        name = labels.in_text(column)
        if name not in by_reason.setdefault(gap.label, []):
            by_reason[gap.label].append(name)
    if per_network:
        parts = []
        for network, by_reason in per_network.items():
            why = "; ".join(", ".join(names) + ": " + reason for reason, names in by_reason.items())
            parts.append(f"**{network}** ({why})")
        st.caption(f"{what} leaves out " + "; ".join(parts) + ".")
    incomplete = incomplete_rows(frame) if any(c in PAYMENT_METRICS for c in columns) else frame.iloc[0:0]
    if not incomplete.empty:
        days = ", ".join(f"{r.network} {format_value('date', r.day)}" for r in incomplete.itertuples()) \
            if "day" in incomplete else ", ".join(str(n) for n in incomplete["network"])
        st.caption(f"✕ {days}: incomplete: payments in {', '.join(_denoms(incomplete))} not priced; "
                   "the figures count only the priced payments.")


def incomplete_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows (days or windows) whose job payments were not all priced."""
    markers = row_markers(frame)
    return frame[[m is not None for m in markers]]


def incomplete_notice(frame: pd.DataFrame) -> None:
    """A warning above figures that count only some of the payments: which denoms had no price, where."""
    where = _where_incomplete(frame)
    if where:
        st.warning(f"{'; '.join(where)}. Fees and revenue there count only the priced payments: register the "
                   "denom's token and price in networks.toml and the reference prices to complete them.",
                   icon=":material/error:")


def _where_incomplete(frame: pd.DataFrame) -> list[str]:
    """'akash 2026-06-01: incomplete: payments in uact not priced' per incomplete row (a window: no day)."""
    rows = incomplete_rows(frame)
    return list(dict.fromkeys(
        f"{r.network}{' ' + format_value('date', r.day) if 'day' in rows else ''}: {marker}"
        for r, marker in zip(rows.itertuples(), row_markers(rows), strict=True)))


def methodology_link() -> None:
    """Where the definitions live."""
    st.caption(f"Definitions and limits of every metric: `{METHODOLOGY_PATH}` (see *Data and methodology*).")

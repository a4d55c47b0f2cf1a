"""UI pieces every page shares: URL-kept filters, provenance badge, empty state, chart + CSV download,
and figures that are not there shown as "—" with why (not measured on-chain, not applicable, incomplete)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards import data
from dashboards.definitions import DEFINITIONS, METHODOLOGY_PATH
from depinlens.text_safety import inert_frame
from reports import format_value
from warehouse import ServingFileMissing
from warehouse.queries.gaps import MISSING, PAYMENT_METRICS, Coverage, row_markers, row_notes

# How a figure column is written (the report's kinds, so a page and a report print a figure alike);
# columns not listed: by their name (`_usd` dollars, else numbers).
KINDS = {
    "nominal_apy": "pct", "real_yield": "pct", "utilization": "pct", "revenue_growth": "pct", "gap_ratio": "pct",
    "pct_of_peak": "pct", "active_providers": "int", "active_jobs": "int", "jobs_started": "int", "days": "int",
    "incomplete_days": "int", "mint_count": "int", "burn_count": "int", "transfer_count": "int",
    "first_block": "int", "last_block": "int",
}

SOURCE_LABELS = {
    "demo": "DEMO DATA: simulated activity on local chains, not real network figures.",
    "local": "Local chain: transactions sent to a local node, not mainnet.",
    "live": "Live: read from mainnet RPC endpoints.",
    "reference": "Reference: published figures, with source and as-of date.",
}


@dataclass(frozen=True)
class Filters:
    """What the sidebar selected; mirrored in the URL so a view can be shared."""

    networks: list[str]
    start: date | None
    end: date | None
    gpu_model: str | None = None


def require_published() -> None:
    """Stop the page with instructions when nothing has been published yet."""
    if data.serving_version() is None:
        st.error(str(ServingFileMissing(f"no serving file at {data.serving_path()}: run `depinlens up` "
                                        "to build and publish the marts")))
        st.stop()


def _param_date(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params[name]) if name in st.query_params else None
    except ValueError:
        return None


def sidebar_filters(*, networks: bool = True, days: bool = True, gpu_models: list[str] | None = None,
                    default_gpu: str | None = None) -> Filters:
    """Network, date range and GPU model filters (each optional), read from and written back to the URL."""
    all_networks = data.query("networks")
    wanted = st.query_params.get("networks")
    default_networks = [n for n in wanted.split(",") if n in all_networks] if wanted is not None else all_networks
    chosen = all_networks
    start = end = None
    gpu_model = None
    with st.sidebar:
        if networks:
            chosen = st.multiselect("Networks", all_networks, default=default_networks, key="networks")
        if days:
            span = data.query("network_daily")
            if not span.empty:
                first, last = span["day"].min(), span["day"].max()
                first = first.date() if hasattr(first, "date") else first
                last = last.date() if hasattr(last, "date") else last
                start_default = _param_date("from") or max(first, last - timedelta(days=29))
                end_default = _param_date("to") or last
                picked = st.date_input("Days", value=(max(first, min(start_default, last)), min(max(end_default, first), last)),
                                       min_value=first, max_value=last, key="days")
                if isinstance(picked, tuple) and len(picked) == 2:
                    start, end = picked
                else:
                    start, end = first, last
        if gpu_models is not None:
            wanted_gpu = st.query_params.get("gpu")
            options = gpu_models or ["(none)"]
            # default: the URL's model, else the page's suggestion, else the first
            fallback = default_gpu if default_gpu in options else options[0]
            index = options.index(wanted_gpu) if wanted_gpu in options else options.index(fallback)
            gpu_model = st.selectbox("GPU model", options, index=index, key="gpu")
            gpu_model = None if gpu_model == "(none)" else gpu_model
    if networks:
        st.query_params["networks"] = ",".join(chosen)
    if start and end:
        st.query_params["from"], st.query_params["to"] = start.isoformat(), end.isoformat()
    if gpu_model:
        st.query_params["gpu"] = gpu_model
    return Filters(chosen, start, end, gpu_model)


def provenance_badge(sources: pd.Series | list[str]) -> None:
    """State where the rows on this page came from; demo data gets a warning badge."""
    labels = sorted({s for s in (list(sources) if not isinstance(sources, pd.Series) else sources.dropna()) if s})
    if "demo" in labels:
        st.warning(SOURCE_LABELS["demo"], icon=":material/science:")
    for label in labels:
        if label != "demo":
            st.info(SOURCE_LABELS.get(label, f"source: {label}"))


def one_source(*frames: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    """The rows of one source label in each frame, so demo and live figures are never added up.

    With one label in the data nothing changes; with several (a warehouse holding the demo and
    a live run) the sidebar asks which to show, live first. Call it once per page.
    """
    present = {s for frame in frames for s in frame["source"].dropna()}
    if len(present) <= 1:
        return frames
    order = [s for s in ("live", "local", "demo", "reference") if s in present] + sorted(present - set(SOURCE_LABELS))
    chosen = st.sidebar.radio("Source label", order, key="source_label",
                              help="Figures of different source labels are never summed together.")
    return tuple(frame[frame["source"] == chosen] for frame in frames)


def no_data(what: str) -> None:
    """Explain an empty result and what to do about it."""
    st.info(f"No {what} for these filters. Widen the date range or pick other networks; "
            "if nothing is published yet, run `depinlens up`.")


def help_for(column: str) -> str | None:
    """The hover definition of a metric column."""
    return DEFINITIONS.get(column)


def chart(figure: go.Figure, frame: pd.DataFrame, name: str) -> None:
    """A chart with the CSV of exactly the data behind it."""
    st.plotly_chart(figure, key=f"chart-{name}")
    st.download_button(f"Download {name}.csv", inert_frame(frame).to_csv(index=False), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv-{name}")


def coverage(networks: Sequence[str] | None = None) -> Coverage:
    """Which metrics of the networks have no figure, and why (marts.network_metric_coverage)."""
    return Coverage.from_frame(data.query("metric_coverage", networks=list(networks) if networks is not None else None))


def _flat(frame: pd.DataFrame, keep: Sequence[str] = ()) -> pd.DataFrame:
    """List cells (source labels, denoms) as 'a, b', except the `keep` columns (sparklines)."""
    shown = frame.copy()
    for column in shown.columns:
        if column not in keep and shown[column].dtype == object \
                and shown[column].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[column] = shown[column].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return shown


def kind_of(column: str) -> str:
    """How a figure column is written: usd, pct, int or number."""
    return KINDS.get(column) or ("usd" if column.endswith("_usd") or "usd_per" in column else "number")


def _text(kind: str) -> Callable[[object], str]:
    return lambda value: format_value(kind, value)  # type: ignore[arg-type]


def gap_help(frame: pd.DataFrame, column: str, cov: Coverage, *, metric_column: str | None = None) -> str | None:
    """The hover text of a column: its definition, then why some networks show "—" in it."""
    cells = cov.cells(frame, [column], metric_column=metric_column)
    lines = [f"- {frame['network'].iloc[p]}: {g.label}" for (p, _c), g in cells.items()]
    why = "\n".join(dict.fromkeys(lines))
    parts = [p for p in (DEFINITIONS.get(column), f"**—** where there is no figure:\n{why}" if why else None) if p]
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
    notes = row_notes(frame, cells, labels={c: c.removesuffix("_usd").replace("_", " ") for c in frame.columns})
    masked = (masked[list(show)] if show is not None else masked).reset_index(drop=True)
    if any(notes):
        masked["notes"] = notes
    shown = _flat(masked, keep_lists)
    numbers = []
    for column in shown.columns:
        if column in keep_lists:
            continue
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            shown[column] = shown[column].map(_text("date"))
        elif pd.api.types.is_numeric_dtype(shown[column]) and not pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map(_text(kind_of(column)))
            numbers.append(column)
        else:
            shown[column] = shown[column].map(lambda v: MISSING if v is None or (isinstance(v, float) and v != v) else v)
    helps = {c: gap_help(frame, c, cov, metric_column=metric_column if c in (columns or ()) else None)
             for c in shown.columns if c in frame}
    return shown, {c: h for c, h in helps.items() if h}, _flat(masked), numbers


def table(frame: pd.DataFrame, name: str, *, cov: Coverage | None = None, show: Sequence[str] | None = None,
          metric_column: str | None = None, columns: Sequence[str] | None = None) -> None:
    """A table with hover definitions on known metric columns and its CSV download.

    With `cov`, a figure not measured on-chain (or not applicable) shows "—" and the row's notes
    say why; a day whose payments were not all priced says it is incomplete (`figures`).
    """
    if cov is None:
        config = {c: st.column_config.Column(help=DEFINITIONS[c]) for c in frame.columns if c in DEFINITIONS}
        st.dataframe(_flat(frame), hide_index=True, column_config=config, key=f"table-{name}")
        csv = inert_frame(frame).to_csv(index=False)
    else:
        shown, helps, raw, numbers = figures(frame, cov, show=show, metric_column=metric_column, columns=columns)
        config = {c: st.column_config.Column(help=helps.get(c), alignment="right" if c in numbers else None)
                  for c in shown.columns if c in helps or c in numbers}
        st.dataframe(shown, hide_index=True, column_config=config, key=f"table-{name}")
        csv = inert_frame(raw).to_csv(index=False, na_rep=MISSING)
    st.download_button(f"Download {name}.csv", csv, file_name=f"{name}.csv", mime="text/csv", key=f"csv-{name}")


def total(container, label: str, frame: pd.DataFrame, column: str, cov: Coverage,
          write: Callable[[float], str] = lambda value: f"${value:,.0f}") -> None:
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
        labels = per_network.setdefault(str(frame["network"].iloc[position]), {})
        name = column.removesuffix("_usd").replace("_", " ")
        if name not in labels.setdefault(gap.label, []):
            labels[gap.label].append(name)
    if per_network:
        parts = []
        for network, labels in per_network.items():
            why = "; ".join(", ".join(names) + ": " + label for label, names in labels.items())
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

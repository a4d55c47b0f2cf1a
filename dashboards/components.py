"""UI pieces every page shares: URL-kept filters, provenance badge, empty state, chart + CSV download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards import data
from dashboards.definitions import DEFINITIONS, METHODOLOGY_PATH
from warehouse import ServingFileMissing

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
    st.download_button(f"Download {name}.csv", frame.to_csv(index=False), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv-{name}")


def table(frame: pd.DataFrame, name: str) -> None:
    """A table with hover definitions on known metric columns and its CSV download."""
    config = {c: st.column_config.Column(help=DEFINITIONS[c]) for c in frame.columns if c in DEFINITIONS}
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object and shown[column].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[column] = shown[column].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    st.dataframe(shown, hide_index=True, column_config=config, key=f"table-{name}")
    st.download_button(f"Download {name}.csv", frame.to_csv(index=False), file_name=f"{name}.csv",
                       mime="text/csv", key=f"csv-{name}")


def methodology_link() -> None:
    """Where the definitions live."""
    st.caption(f"Definitions and limits of every metric: `{METHODOLOGY_PATH}` (see *Data and methodology*).")

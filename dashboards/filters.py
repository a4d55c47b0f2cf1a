"""The sidebar filters every page shares, kept across pages (session) and in the URL (a link, a reload).

One set of filters per browser session: networks, the window of days, and the GPU model. Every
page shows the ones it uses and writes all of them back to the URL, so a page that has no date
filter (GPU prices, Claims) still carries the window on to the next page, and a reload or a shared
link opens the same view. A URL value is read when it differs from what this session last wrote
there (a fresh session, a pasted link); one that is malformed or out of range is replaced, and a
warning names it and what is shown instead. Never a silent rewrite.

Widget state is per page in Streamlit (a widget's identity includes its page), so the values live
in `st.session_state["filters"]` and each page's widgets are set from it before they are drawn;
their on_change callbacks write a change back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dashboards import data
from pipelines.reference.gpu_models import UnmappedGpuModel, gpu_model_info
from warehouse.queries.gpus import option_label

__all__ = ["DEFAULT_DAYS", "Filters", "keep_in_url", "one_source", "same_source", "sidebar_filters"]

STORE = "filters"  # session key: {"networks": [...], "from": date, "to": date, "gpu": str, "source": str}
PARAMS = ("networks", "from", "to", "gpu", "source")
SOURCE_ORDER = ("live", "local", "demo", "reference")  # which label a page opens on when several are published
WRITTEN = "filters_in_url"  # session key: the URL values this session wrote last
DEFAULT_DAYS = 30  # the window a fresh session opens on: the last 30 published days


@dataclass(frozen=True)
class Filters:
    """What the sidebar selected; mirrored in the URL so a view can be shared."""

    networks: list[str]
    start: date | None
    end: date | None
    gpu_model: str | None = None


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value


def _span() -> tuple[date, date] | None:
    """The first and last published day of marts.network_daily (None when it is empty)."""
    daily = data.query("day_span")
    return (_day(daily[0]), _day(daily[1])) if daily and daily[0] is not None else None


def _parse_date(name: str, raw: str, warnings: list[str]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        warnings.append(f"The link's `{name}={raw}` is not a date (YYYY-MM-DD)")
        return None


def _adopt_url(store: dict, all_networks: list[str], span: tuple[date, date] | None) -> list[str]:
    """Take the URL's values that this session did not write itself; return one warning per value
    that was malformed or out of range, saying what is used instead."""
    written = st.session_state.setdefault(WRITTEN, {})
    fresh = {k: v for k in PARAMS if (v := st.query_params.get(k)) is not None and v != written.get(k)}
    warnings: list[str] = []
    if "networks" in fresh:
        named = [n.strip() for n in fresh["networks"].split(",") if n.strip()]
        unknown = [n for n in named if n not in all_networks]
        store["networks"] = [n for n in all_networks if n in named]
        if unknown:
            shown = ", ".join(store["networks"]) or "no network"
            warnings.append(f"The link's `networks` names {', '.join(unknown)}, not a published network "
                            f"({', '.join(all_networks)}); showing {shown}.")
    if "gpu" in fresh:
        try:
            gpu_model_info(fresh["gpu"])
            store["gpu"] = fresh["gpu"]
        except UnmappedGpuModel:
            store.pop("gpu", None)
            warnings.append(f"The link's `gpu={fresh['gpu']}` is not a GPU model in the canonical list; "
                            "showing the page's default model.")
    if "source" in fresh:
        if fresh["source"] in SOURCE_ORDER:
            store["source"] = fresh["source"]
        else:
            store.pop("source", None)
            warnings.append(f"The link's `source={fresh['source']}` is not a source label ({', '.join(SOURCE_ORDER)}); "
                            "showing the first label published.")
    if ("from" in fresh or "to" in fresh) and span is not None:
        warnings += _adopt_window(store, fresh, span)
    return warnings


def _adopt_window(store: dict, fresh: dict, span: tuple[date, date]) -> list[str]:
    """The window the URL asks for, within the published days; a warning for anything replaced."""
    first, last = span
    problems: list[str] = []
    start = _parse_date("from", fresh["from"], problems) if "from" in fresh else store.get("from")
    end = _parse_date("to", fresh["to"], problems) if "to" in fresh else store.get("to")
    default_start, default_end = max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last
    start = start or default_start
    end = end or default_end
    asked = f"{start} to {end}"
    if start > end:
        problems.append(f"The link's window {asked} ends before it starts")
        start, end = end, start
    if end < first or start > last:
        problems.append(f"The link's window {start} to {end} lies outside the published days ({first} to {last})")
        start, end = default_start, default_end
    elif start < first or end > last:
        problems.append(f"The link's window {start} to {end} reaches beyond the published days ({first} to {last})")
        start, end = max(start, first), min(end, last)
    store["from"], store["to"] = start, end
    return [f"{p}; showing {start} to {end}." for p in problems]


def _keep(name: str, widget: str) -> None:
    """on_change: a widget's new value becomes the session's filter."""
    value = st.session_state.get(widget)
    if name == "days":
        if isinstance(value, (tuple, list)) and len(value) == 2:  # a range still being picked has one day
            st.session_state[STORE]["from"], st.session_state[STORE]["to"] = value
    else:
        st.session_state[STORE][name] = value


def _write_url(store: dict) -> None:
    """Every filter into the URL, whether this page shows it or not."""
    params = {
        "networks": ",".join(store["networks"]) if "networks" in store else None,
        "from": store["from"].isoformat() if store.get("from") else None,
        "to": store["to"].isoformat() if store.get("to") else None,
        "gpu": store.get("gpu"),
        "source": store.get("source"),
    }
    for name, value in params.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
    st.session_state[WRITTEN] = {k: v for k, v in params.items() if v is not None}


def sidebar_filters(*, networks: bool = True, days: bool = True, gpu_models: Sequence[str] | None = None,
                    default_gpu: str | None = None, gpu_help: str | None = None) -> Filters:
    """Draw the filters this page uses (networks, days, GPU model) from the session's values, and
    write every filter to the URL.

    Args:
        networks: show the network picker.
        days: show the window of days.
        gpu_models: the GPU models this page can show (a picker is drawn when given).
        default_gpu: the model to show when the session has none (or one this page cannot show).
        gpu_help: the GPU picker's hover text.

    Returns:
        The filters in force; `gpu_model` is one of `gpu_models` (None when the page has none).
    """
    store: dict = st.session_state.setdefault(STORE, {})
    all_networks = data.query("networks")
    span = _span()
    for warning in _adopt_url(store, all_networks, span):
        st.warning(warning, icon=":material/link_off:")
    store.setdefault("networks", list(all_networks))
    if span is not None and ("from" not in store or "to" not in store):
        store["from"], store["to"] = max(span[0], span[1] - timedelta(days=DEFAULT_DAYS - 1)), span[1]
    elif span is not None:  # a publish since may have moved the span: keep the window inside it
        store["from"], store["to"] = max(store["from"], span[0]), min(store["to"], span[1])
        if store["from"] > store["to"]:
            store["from"], store["to"] = max(span[0], span[1] - timedelta(days=DEFAULT_DAYS - 1)), span[1]

    gpu_model = None
    with st.sidebar:
        if networks:
            st.session_state["networks_picker"] = list(store["networks"])
            st.multiselect("Networks", all_networks, key="networks_picker", on_change=_keep,
                           args=("networks", "networks_picker"))
        if days and span is not None:
            current = st.session_state.get("days_picker")
            if not (isinstance(current, (tuple, list)) and len(current) == 1):  # leave a half-picked range alone
                st.session_state["days_picker"] = (store["from"], store["to"])
            st.date_input("Days", min_value=span[0], max_value=span[1], key="days_picker", on_change=_keep,
                          args=("days", "days_picker"), format="YYYY-MM-DD")
        if gpu_models is not None:
            gpu_model = _gpu_picker(store, list(gpu_models), default_gpu, gpu_help)
    _write_url(store)
    start, end = (store.get("from"), store.get("to")) if span is not None else (None, None)
    return Filters(list(store["networks"]), start, end, gpu_model)


def keep_in_url() -> None:
    """On a page that draws no filter (Submit a benchmark, Data and methodology): the session's filters stay
    in the URL, so a reload or a link copied there opens the other pages on the same view. A link's bad value
    is warned about here too. Nothing to keep before anything is published."""
    if data.serving_version() is None:
        return
    sidebar_filters(networks=False, days=False)


def _gpu_picker(store: dict, options: list[str], default_gpu: str | None, gpu_help: str | None) -> str | None:
    """The GPU model select box: the session's model when this page can show it, else the page's default
    (said so under the box); the session keeps its model for the pages that can."""
    if not options:
        st.caption("No GPU model has figures here yet.")
        return None
    fallback = default_gpu if default_gpu in options else options[0]
    wanted = store.get("gpu")
    shown = wanted if wanted in options else fallback
    st.session_state["gpu_picker"] = shown
    st.selectbox("GPU model", options, key="gpu_picker", format_func=option_label, on_change=_keep,
                 args=("gpu", "gpu_picker"), help=gpu_help)
    if wanted is None:
        store["gpu"] = shown
    elif wanted != shown:
        st.caption(f"{wanted} has no figures on this page; showing {shown}.")
    return shown


def one_source(*frames: pd.DataFrame) -> tuple[pd.DataFrame, ...]:
    """The rows of one source label in each frame, so demo and live figures are never added up.

    With one label in the data nothing changes; with several (a warehouse holding the demo and
    a live run) the sidebar asks which to show, live first, and the choice is kept across pages and
    in the URL like the other filters. Call it once per page, after `sidebar_filters`.
    """
    present = {s for frame in frames for s in frame["source"].dropna()}
    if len(present) <= 1:
        return frames
    order = [s for s in SOURCE_ORDER if s in present] + sorted(present - set(SOURCE_ORDER))
    store: dict = st.session_state.setdefault(STORE, {})
    st.session_state["source_picker"] = store.get("source") if store.get("source") in order else order[0]
    chosen = st.sidebar.radio("Source label", order, key="source_picker", on_change=_keep,
                              args=("source", "source_picker"),
                              help="Figures of different source labels are never summed together.")
    return tuple(frame[frame["source"] == chosen] for frame in frames)


def same_source(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """The rows of `frame` of the source label(s) `like` holds: a second query of a page, after one_source."""
    return frame[frame["source"].isin(set(like["source"]))]

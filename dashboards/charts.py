"""Chart builders: pure functions from a DataFrame to a Plotly figure.

Every chart names both axes with their unit, draws each network in its one colour
(reports.network_colour, the same on every page and in the report), never stacks unlike things
(one token's units, one GPU model's prices), and takes a log scale where the figures span orders
of magnitude (`spans_orders`), which pages offer as a toggle.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from reports import network_colour, venue_colour

EMISSIONS, BURNS, NET = "#2a9d8f", "#e76f51", "#264653"
DAY_MS = 86_400_000


def spans_orders(values: Iterable[float], orders: float = 2) -> bool:
    """True when the positive figures differ by more than `orders` orders of magnitude (a log scale reads better)."""
    positive = [float(v) for v in values if v is not None and v == v and float(v) > 0]
    return len(positive) > 1 and math.log10(max(positive) / min(positive)) > orders


def _layout(figure: go.Figure, *, x_title: str, y_title: str, height: int = 340, log_x: bool = False,
            log_y: bool = False) -> go.Figure:
    # the legend sits above the plot, clear of the x axis's ticks and title
    figure.update_layout(height=height, margin={"t": 50, "b": 10},
                         legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                         xaxis_title=x_title, yaxis_title=y_title,
                         xaxis_type="log" if log_x else None, yaxis_type="log" if log_y else None)
    return figure


def _days(figure: go.Figure, days: pd.Series) -> go.Figure:
    """A day axis: dates without times, one tick a day when the window is short."""
    figure.update_xaxes(type="date", tickformat="%Y-%m-%d", hoverformat="%Y-%m-%d",
                        dtick=DAY_MS if pd.Series(days).nunique() <= 14 else None)
    return figure


def issuance_chart(flows: pd.DataFrame, token: str) -> go.Figure:
    """One token's daily minted (up) against burned (down), with net issuance as a line, in that token's units."""
    daily = flows.groupby("day", as_index=False)[["minted", "burned", "net_issuance"]].sum(min_count=1)
    figure = go.Figure()
    figure.add_bar(x=daily["day"], y=daily["minted"], name="minted", marker_color=EMISSIONS)
    figure.add_bar(x=daily["day"], y=-daily["burned"], name="burned", marker_color=BURNS)
    figure.add_scatter(x=daily["day"], y=daily["net_issuance"], name="net issuance", mode="lines+markers",
                       line={"color": NET})
    figure.update_layout(barmode="relative")
    return _days(_layout(figure, x_title="Day (UTC)", y_title=f"{token} (tokens)", height=380), daily["day"])


def transfer_volume_chart(flows: pd.DataFrame, token: str) -> go.Figure:
    """One token's units transferred between holders per day, one line per network and chain."""
    figure = go.Figure()
    for (network, chain), group in flows.groupby(["network", "chain"]):
        daily = group.groupby("day", as_index=False)["transferred"].sum()
        figure.add_scatter(x=daily["day"], y=daily["transferred"], name=f"{network} ({chain})", mode="lines+markers",
                           line={"color": network_colour(network)})
    return _days(_layout(figure, x_title="Day (UTC)", y_title=f"{token} transferred (tokens)", height=300),
                 flows["day"])


def metric_lines(frame: pd.DataFrame, column: str, title: str, *, percent: bool = False,
                 log_y: bool = False, marks: str | None = None) -> go.Figure:
    """One line per network (and source label, if several) of a daily metric, in the network's colour.
    Missing values stay gaps, not zeros; a network with no figure at all (not measured on-chain) draws
    no line. `marks` names a column of per-row notes (e.g. "incomplete: payments in uact not priced"):
    those points are drawn as ✕ with the note on hover."""
    figure = go.Figure()
    several_sources = "source" in frame and frame["source"].nunique() > 1
    for (network, source), group in frame.groupby(["network", "source"] if "source" in frame else ["network", "network"]):
        if group[column].isna().all():
            continue
        name = f"{network} ({source})" if several_sources else network
        y = group[column] * (100 if percent else 1)
        notes = group[marks].fillna("") if marks and marks in group else pd.Series([""] * len(group), index=group.index)
        figure.add_scatter(x=group["day"], y=y, name=name, mode="lines+markers", text=notes,
                           line={"color": network_colour(network)},
                           marker={"symbol": ["x-open" if n else "circle" for n in notes],
                                   "size": [11 if n else 6 for n in notes], "color": network_colour(network)},
                           hovertemplate="%{x|%Y-%m-%d}: %{y:,.2f}<br>%{text}<extra>" + name + "</extra>")
    return _days(_layout(figure, x_title="Day (UTC)", y_title=title, height=320, log_y=log_y), frame["day"])


def nominal_vs_real(summary: pd.DataFrame) -> go.Figure:
    """Per network, nominal APY (light) beside real yield (solid), in percent a year, in the network's colour;
    a yield with no figure draws no bar."""
    colours = [network_colour(n) for n in summary["network"]]
    figure = go.Figure()
    figure.add_bar(x=summary["network"], y=summary["nominal_apy"] * 100, name="nominal APY",
                   marker={"color": colours, "opacity": 0.45, "pattern": {"shape": "/"}})
    figure.add_bar(x=summary["network"], y=summary["real_yield"] * 100, name="real yield", marker={"color": colours})
    figure.update_layout(barmode="group")
    return _layout(figure, x_title="Network", y_title="% a year")


def emissions_vs_burns(frame: pd.DataFrame) -> go.Figure:
    """All the networks in `frame` together, per day, in USD (one unit): emissions up, burns down, net issuance
    as a line."""
    daily = frame.groupby("day", as_index=False)[["emissions_usd", "burns_usd", "net_issuance_usd"]].sum(min_count=1)
    figure = go.Figure()
    figure.add_bar(x=daily["day"], y=daily["emissions_usd"], name="emissions", marker_color=EMISSIONS)
    figure.add_bar(x=daily["day"], y=-daily["burns_usd"], name="burns", marker_color=BURNS)
    figure.add_scatter(x=daily["day"], y=daily["net_issuance_usd"], name="net issuance", mode="lines",
                       line={"color": NET})
    figure.update_layout(barmode="relative")
    return _days(_layout(figure, x_title="Day (UTC)", y_title="USD a day", height=360), daily["day"])


def _offer_labels(rows: pd.DataFrame) -> list[str]:
    return [f"{venue} · {model}" for venue, model in zip(rows["venue"], rows["gpu_model"], strict=True)]


def price_by_venue(rows: pd.DataFrame, *, log_x: bool = False) -> go.Figure:
    """One bar per venue and GPU model of one comparison ($/GPU-hour), networks in their colour, clouds grey."""
    ordered = rows.sort_values("usd_per_gpu_hour")
    colours = [venue_colour(v, k) for v, k in zip(ordered["venue"], ordered["venue_kind"], strict=True)]
    figure = go.Figure(go.Bar(x=ordered["usd_per_gpu_hour"], y=_offer_labels(ordered), orientation="h",
                              marker_color=colours, hovertemplate="%{y}: $%{x:,.3f} per GPU-hour<extra></extra>"))
    return _layout(figure, x_title="USD per GPU-hour", y_title="Venue · GPU model", height=max(260, 30 * len(ordered)),
                   log_x=log_x)


def price_history(prices: pd.DataFrame, until: date | None = None) -> go.Figure:
    """$/GPU-hour over time per venue and model. A cloud's list price holds from its catalog day until the
    next catalog read, so it is drawn as a dashed step carried to `until` (the window's end), not as a lone dot."""
    figure = go.Figure()
    for (venue, kind, model), group in prices.groupby(["venue", "venue_kind", "gpu_model"]):
        group = group.sort_values("day")
        days, usd = list(group["day"]), list(group["usd_per_gpu_hour"])
        cloud = kind == "cloud"
        if cloud and until is not None and pd.Timestamp(until) > pd.Timestamp(days[-1]):
            days, usd = [*days, pd.Timestamp(until)], [*usd, usd[-1]]
        figure.add_scatter(x=days, y=usd, name=f"{venue} · {model}", mode="lines+markers",
                           line={"color": venue_colour(venue, kind), "dash": "dash" if cloud else "solid",
                                 "shape": "hv"},
                           hovertemplate="%{x|%Y-%m-%d}: $%{y:,.2f} per GPU-hour<extra>" + f"{venue} · {model}" +
                           (" (list price)" if cloud else "") + "</extra>")
    return _days(_layout(figure, x_title="Day (UTC)", y_title="USD per GPU-hour", height=320), prices["day"])


BASES = {"measured": "measured (median of bound runs)", "datasheet": "datasheet peak (hatched: a lower bound on cost)"}


def cost_per_pflop(rows: pd.DataFrame, *, log_x: bool = False) -> go.Figure:
    """$ per PFLOP-hour of one GPU comparison: one bar per venue and model for each basis (measured, datasheet),
    side by side, never stacked; the legend says which basis a bar is, even when only one is drawn."""
    figure = go.Figure()
    for basis, group in rows.groupby("basis", sort=False):
        ordered = group.sort_values("usd_per_pflop_hour")
        figure.add_bar(x=ordered["usd_per_pflop_hour"], y=_offer_labels(ordered), orientation="h",
                       name=BASES.get(str(basis), str(basis)),
                       marker={"color": [venue_colour(v, k) for v, k in zip(ordered["venue"], ordered["venue_kind"],
                                                                              strict=True)],
                               "pattern": {"shape": "" if basis == "measured" else "/"}},
                       hovertemplate="%{y}: $%{x:,.2f} per PFLOP-hour (" + str(basis) + ")<extra></extra>")
    figure.update_layout(barmode="group", showlegend=True)
    return _layout(figure, x_title="USD per PFLOP-hour (bf16 dense)", y_title="Venue · GPU model",
                   height=max(260, 30 * len(rows)), log_x=log_x)


def claim_gaps(claims: pd.DataFrame) -> go.Figure:
    """Measured ÷ claimed per comparable claim (1 = the claim holds), in the network's colour."""
    labels = claims["network"] + " · " + claims["metric"] + " (" + claims["period"].astype(str) + ")"
    ratio = claims["measured_value"] / claims["claimed_value"]
    figure = go.Figure(go.Bar(x=ratio, y=labels, orientation="h",
                              marker_color=[network_colour(n) for n in claims["network"]]))
    figure.add_vline(x=1.0, line_dash="dash")
    return _layout(figure, x_title="measured ÷ claimed, same period and terms (1 = the claim holds)", y_title="Claim",
                   height=max(260, 30 * len(claims)))


def periods_chart(periods: pd.DataFrame, column: str, title: str, *, log_y: bool = False) -> go.Figure:
    """One bar per period and network of a per-period figure, networks side by side in their colours."""
    figure = go.Figure()
    for network, group in periods.groupby("network"):
        if group[column].isna().all():
            continue
        figure.add_bar(x=group["period_start"], y=group[column], name=network, marker_color=network_colour(network))
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="date", tickformat="%Y-%m-%d")
    return _layout(figure, x_title="Period starting (UTC)", y_title=title, log_y=log_y)


def benchmark_history(runs: pd.DataFrame, metric: str, unit: str) -> go.Figure:
    """One benchmark metric over time, one line per operator key and GPU model, self-attested runs dashed
    (metrics of other units are never drawn on the same axis)."""
    figure = go.Figure()
    for (tier, key, provider, model), group in runs.groupby(["tier", "operator_pubkey", "provider", "gpu_model"],
                                                            dropna=False):
        figure.add_scatter(x=group["signed_at"], y=group["value"], name=f"{provider} ({str(key)[:8]}…) · {model}",
                           mode="lines+markers", line={"dash": "solid" if tier == "bound" else "dot"})
    figure.update_xaxes(type="date", tickformat="%Y-%m-%d")
    return _layout(figure, x_title="Signed (UTC)", y_title=f"{metric} ({unit})", height=320)


def yield_comparison(products: pd.DataFrame, networks: pd.DataFrame) -> go.Figure:
    """Per GPU-backed product: the yield realised from its share price (solid) beside the claimed range (an
    error bar from its low to its high claim); per compute network: real yield, in % a year, each in its colour.
    A yield with no figure draws no bar."""
    figure = go.Figure()
    if not products.empty:
        low, high = products["claimed_yield_low"] * 100, products["claimed_yield_high"] * 100
        figure.add_bar(x=products["network"], y=products["realised_yield"] * 100, name="realised from NAV",
                       marker={"color": [network_colour(n) for n in products["network"]]})
        figure.add_scatter(x=products["network"], y=(low + high) / 2, name="claimed", mode="markers",
                           marker={"symbol": "diamond-open", "size": 11, "color": "#333333"},
                           error_y={"type": "data", "symmetric": False, "array": (high - low) / 2,
                                    "arrayminus": (high - low) / 2})
    if not networks.empty:
        figure.add_bar(x=networks["network"], y=networks["real_yield"] * 100, name="compute network: real yield",
                       marker={"color": [network_colour(n) for n in networks["network"]], "opacity": 0.55,
                               "pattern": {"shape": "/"}})
    return _layout(figure, x_title="Product or network", y_title="% a year")

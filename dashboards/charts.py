"""Chart builders: pure functions from a DataFrame to a Plotly figure."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def issuance_chart(flows: pd.DataFrame) -> go.Figure:
    """Daily minted (up) against burned (down) with net issuance as a line, in token units."""
    daily = flows.groupby("day", as_index=False)[["minted", "burned", "net_issuance"]].sum()
    figure = go.Figure()
    figure.add_bar(x=daily["day"], y=daily["minted"], name="minted", marker_color="#2a9d8f")
    figure.add_bar(x=daily["day"], y=-daily["burned"], name="burned", marker_color="#e76f51")
    figure.add_scatter(x=daily["day"], y=daily["net_issuance"], name="net issuance", mode="lines+markers",
                       line={"color": "#264653"})
    figure.update_layout(barmode="relative", height=380, margin={"t": 30, "b": 10},
                         yaxis_title="tokens", legend={"orientation": "h"})
    return figure


def transfer_volume_chart(flows: pd.DataFrame) -> go.Figure:
    """Tokens transferred between holders per day, one line per network and token."""
    figure = go.Figure()
    for (network, symbol), group in flows.groupby(["network", "token_symbol"]):
        daily = group.groupby("day", as_index=False)["transferred"].sum()
        figure.add_scatter(x=daily["day"], y=daily["transferred"], name=f"{network} {symbol}", mode="lines")
    figure.update_layout(height=300, margin={"t": 30, "b": 10}, yaxis_title="tokens transferred")
    return figure


def metric_lines(frame: pd.DataFrame, column: str, title: str, *, percent: bool = False,
                 log_y: bool = False, marks: str | None = None) -> go.Figure:
    """One line per network (and source label, if several) of a daily metric; log scale when networks
    differ by orders of magnitude. Missing values stay gaps, not zeros; a network with no figure at
    all (not measured on-chain) draws no line. `marks` names a column of per-row notes (e.g.
    "incomplete: payments in uact not priced"): those points are drawn as ✕ with the note on hover."""
    figure = go.Figure()
    several_sources = "source" in frame and frame["source"].nunique() > 1
    for (network, source), group in frame.groupby(["network", "source"] if "source" in frame else ["network", "network"]):
        if group[column].isna().all():
            continue
        name = f"{network} ({source})" if several_sources else network
        y = group[column] * (100 if percent else 1)
        notes = group[marks].fillna("") if marks and marks in group else pd.Series([""] * len(group), index=group.index)
        figure.add_scatter(x=group["day"], y=y, name=name, mode="lines+markers", text=notes,
                           marker={"symbol": ["x-open" if n else "circle" for n in notes],
                                   "size": [11 if n else 6 for n in notes]},
                           hovertemplate="%{x}: %{y}<br>%{text}<extra>" + name + "</extra>")
    figure.update_layout(height=320, margin={"t": 30, "b": 10}, yaxis_title=title, legend={"orientation": "h"},
                         yaxis_type="log" if log_y else "linear")
    return figure


def nominal_vs_real(summary: pd.DataFrame) -> go.Figure:
    """Grouped bars: nominal APY beside real yield per network (percent); a yield with no figure draws no bar."""
    figure = go.Figure()
    figure.add_bar(x=summary["network"], y=summary["nominal_apy"] * 100, name="nominal APY", marker_color="#8ab17d")
    figure.add_bar(x=summary["network"], y=summary["real_yield"] * 100, name="real yield", marker_color="#264653")
    figure.update_layout(barmode="group", height=340, margin={"t": 30, "b": 10}, yaxis_title="% a year")
    return figure


def emissions_vs_burns(frame: pd.DataFrame) -> go.Figure:
    """All the networks in `frame` together, per day: emissions up, burns down (USD), net issuance as a line."""
    daily = frame.groupby("day", as_index=False)[["emissions_usd", "burns_usd", "net_issuance_usd"]].sum()
    figure = go.Figure()
    figure.add_bar(x=daily["day"], y=daily["emissions_usd"], name="emissions", marker_color="#2a9d8f")
    figure.add_bar(x=daily["day"], y=-daily["burns_usd"], name="burns", marker_color="#e76f51")
    figure.add_scatter(x=daily["day"], y=daily["net_issuance_usd"], name="net issuance", mode="lines",
                       line={"color": "#264653"})
    figure.update_layout(barmode="relative", height=360, margin={"t": 30, "b": 10}, yaxis_title="USD")
    return figure


def price_by_venue(latest: pd.DataFrame) -> go.Figure:
    """Horizontal bars of $/GPU-hour per venue for one model, networks and clouds coloured apart."""
    ordered = latest.sort_values("usd_per_gpu_hour")
    colours = ["#e76f51" if k == "network" else "#577590" for k in ordered["venue_kind"]]
    figure = go.Figure(go.Bar(x=ordered["usd_per_gpu_hour"], y=ordered["venue"], orientation="h", marker_color=colours))
    figure.update_layout(height=max(260, 28 * len(ordered)), margin={"t": 30, "b": 10}, xaxis_title="USD per GPU-hour")
    return figure


def price_history(prices: pd.DataFrame) -> go.Figure:
    """$/GPU-hour over time per venue."""
    figure = go.Figure()
    for venue, group in prices.groupby("venue"):
        figure.add_scatter(x=group["day"], y=group["usd_per_gpu_hour"], name=venue, mode="lines+markers")
    figure.update_layout(height=320, margin={"t": 30, "b": 10}, yaxis_title="USD per GPU-hour")
    return figure


def claim_gaps(claims: pd.DataFrame) -> go.Figure:
    """Measured ÷ claimed per claim (1 = the claim holds), where a measurement exists."""
    measured = claims.dropna(subset=["measured_value"])
    labels = measured["network"] + " · " + measured["metric"]
    ratio = measured["measured_value"] / measured["claimed_value"]
    figure = go.Figure(go.Bar(x=ratio, y=labels, orientation="h", marker_color="#577590"))
    figure.add_vline(x=1.0, line_dash="dash")
    figure.update_layout(height=max(260, 30 * len(measured)), margin={"t": 30, "b": 10},
                         xaxis_title="measured ÷ claimed")
    return figure

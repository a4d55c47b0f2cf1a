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

"""Charts as inline SVG (matplotlib): no browser or kaleido needed, and the PDF keeps them as vectors."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from reports._content import ReportContent

from reports._palette import CLOUD, network_colour

PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#577590", "#8ab17d"]  # series that are not networks


def _figure(width: float = 7.2, height: float = 3.0):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "depinlens", "font.size": 8,
                         "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False})
    return plt.subplots(figsize=(width, height))


def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = re.sub(r"<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    return text


def revenue_chart(networks: pd.DataFrame) -> str | None:
    """Horizontal bars of revenue in the window per network (log scale: they differ by orders of magnitude)."""
    rows = networks.dropna(subset=["revenue_usd"])
    rows = rows[rows["revenue_usd"] > 0].sort_values("revenue_usd")
    if rows.empty:
        return None
    figure, axes = _figure(height=0.35 * len(rows) + 0.9)
    axes.barh(rows["network"], rows["revenue_usd"], color=[network_colour(n) for n in rows["network"]])
    axes.set_xscale("log")
    axes.set_xlabel("protocol revenue in the window, USD (log scale)")
    axes.set_ylabel("network")
    for y, value in enumerate(rows["revenue_usd"]):
        axes.text(value, y, f" ${value:,.0f}", va="center", fontsize=7)
    return _svg(figure)


def yield_chart(networks: pd.DataFrame) -> str | None:
    """Grouped bars: nominal APY beside real yield per network, in percent a year. A yield with no
    figure (not measured on-chain, not applicable) draws no bar and is marked '—', never a 0 % bar."""
    rows = networks.dropna(subset=["nominal_apy", "real_yield"], how="all")
    if rows.empty:
        return None
    figure, axes = _figure(height=2.6)
    positions = list(range(len(rows)))
    colours = [network_colour(n) for n in rows["network"]]
    for offset, column, label, alpha, hatch in ((-0.2, "nominal_apy", "nominal APY", 0.45, "//"),
                                                (0.2, "real_yield", "real yield", 1.0, "")):
        values = rows[column]
        known = [(p + offset, v * 100, c) for p, v, c in zip(positions, values, colours, strict=True) if v == v]
        axes.bar([x for x, _, _ in known], [y for _, y, _ in known], width=0.4, label=label,
                 color=[c for _, _, c in known], alpha=alpha, hatch=hatch, edgecolor="#333333", linewidth=0.3)
        for p, v in zip(positions, values, strict=True):
            if v != v:
                axes.text(p + offset, 0, "—", ha="center", va="bottom", fontsize=8, color="#5b6770")
    axes.set_xticks(positions, rows["network"])
    axes.set_xlabel("network")
    axes.set_ylabel("% a year")
    axes.legend(frameon=False)
    return _svg(figure)


def price_chart(comparison: pd.DataFrame) -> str | None:
    """Grouped bars per GPU model: the network's $/GPU-hour beside the cheapest comparable cloud offer's (whose
    model the label names)."""
    rows = comparison.dropna(subset=["cloud_usd_per_gpu_hour"])
    if rows.empty:
        return None
    labels = [f"{r.gpu_model} ({r.network})\nvs {r.cloud_gpu_model}" for r in rows.itertuples()]
    figure, axes = _figure(height=2.8)
    positions = range(len(rows))
    axes.bar([p - 0.2 for p in positions], rows["network_usd_per_gpu_hour"], width=0.4, label="network",
             color=[network_colour(n) for n in rows["network"]])
    axes.bar([p + 0.2 for p in positions], rows["cloud_usd_per_gpu_hour"], width=0.4,
             label="cheapest comparable cloud", color=CLOUD)
    axes.set_xticks(list(positions), labels, fontsize=6.5)
    axes.set_xlabel("GPU model (network) vs the cloud's comparable model")
    axes.set_ylabel("USD per GPU-hour")
    axes.legend(frameon=False)
    return _svg(figure)


def daily_revenue_chart(daily: pd.DataFrame) -> str | None:
    """Daily revenue per network (log scale); a day whose payments were not all priced is marked ✕."""
    from warehouse.queries.gaps import row_markers

    rows = daily.assign(incomplete=[m is not None for m in row_markers(daily)]).dropna(subset=["revenue_usd"])
    rows = rows[rows["revenue_usd"] > 0]
    if rows.empty:
        return None
    figure, axes = _figure(height=2.6)
    for network, group in rows.groupby("network"):
        per_day = group.groupby("day").agg(revenue_usd=("revenue_usd", "sum"), incomplete=("incomplete", "any"))
        colour = network_colour(network)
        axes.plot(per_day.index, per_day["revenue_usd"], marker="o", markersize=3, label=network, color=colour)
        marked = per_day[per_day["incomplete"]]
        if not marked.empty:
            axes.plot(marked.index, marked["revenue_usd"], linestyle="none", marker="x", markersize=7, color=colour)
    import matplotlib.dates as mdates

    axes.set_yscale("log")
    axes.set_xlabel("day (UTC)")
    axes.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, rows["day"].nunique() // 10)))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    axes.set_ylabel("revenue per day, USD (log)")
    axes.legend(frameon=False, ncols=4, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 1.18))
    return _svg(figure)


def build_charts(content: ReportContent) -> dict[str, str]:
    """Every chart the content supports, by name; a chart without data is left out."""
    tables = content.tables
    charts = {
        "revenue": revenue_chart(tables["networks"].frame),
        "daily_revenue": daily_revenue_chart(tables["daily"].frame),
        "yield": yield_chart(tables["networks"].frame),
        "prices": price_chart(tables["gpu_prices"].frame),
    }
    return {name: svg for name, svg in charts.items() if svg}

"""One colour per network, the same on every page, chart and report: its place in the registry.

Networks keep their colour whatever a chart shows beside them (a page of two networks colours them
as the Overview does); clouds, which are many and compared as a group, share one muted colour.
"""

from __future__ import annotations

from functools import cache

# colour-blind-safe qualitative palette (Okabe-Ito, then the Tableau 10 and Tol hues least like those, so
# neighbours in the registry stay apart; Tol wine and green for the 13th and 14th); Okabe-Ito's yellow (#F0E442) is left out: a line of it can hardly be
# read on a white page
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#9C755F", "#332288",
           "#B07AA1", "#59A14F", "#F28E2B", "#76B7B2",
           "#882255", "#117733")
CLOUD = "#8C99A6"
UNKNOWN = "#555555"


@cache
def _order() -> tuple[str, ...]:
    """The registry's networks in file order (the order their colours are handed out)."""
    from depinlens.registry import load_registry
    from depinlens.settings import Settings

    return tuple(load_registry(Settings.from_env().registry_path).networks)


def network_colour(network: str) -> str:
    """The colour of `network` everywhere (grey for a name the registry does not hold)."""
    order = _order()
    return PALETTE[order.index(network) % len(PALETTE)] if network in order else UNKNOWN


def venue_colour(venue: str, venue_kind: str) -> str:
    """A network venue in its network's colour; every cloud in the one cloud colour."""
    return network_colour(venue) if venue_kind == "network" else CLOUD

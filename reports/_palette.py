"""One colour per network, the same on every page, chart and report: its place in the registry.

Networks keep their colour whatever a chart shows beside them (a page of two networks colours them
as the Overview does); clouds, which are many and compared as a group, share one muted colour.
"""

from __future__ import annotations

from functools import cache

# colour-blind-safe qualitative palette (Okabe-Ito, then Tableau 10 for more networks)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#76B7B2", "#EDC948")
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

"""GPU price comparisons on the canonical model, for every page and report: which offers compare with
a chosen model, how each enters the comparison, and the sentence that says what was compared.

Pure (pandas frames from `queries.latest_gpu_price_by_venue` in, frames and text out). The identity
rules live in `pipelines.reference.gpu_models` (`comparable`, `comparison_label`); nothing here
decides what a name means.

    rows = compared(latest, "A100 80GB SXM")   # every offer of an A100 80GB SXM, A100 80GB, A100 SXM or A100
    st.caption(compared_text(rows, "A100 80GB SXM"))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pipelines.reference.gpu_models import (
    UnmappedGpuModel,
    comparable,
    comparison_label,
    gpu_model_info,
    what_is_unstated,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cheapest_comparable", "compared", "compared_text", "default_model", "family_of", "model_options",
           "option_label"]


def family_of(name: str) -> str | None:
    """The family of a canonical name, None for a name that is not canonical."""
    try:
        return gpu_model_info(name).family
    except UnmappedGpuModel:
        return None


def _comparable(name: str, chosen: str) -> bool:
    try:
        return comparable(name, chosen)
    except UnmappedGpuModel:
        return False


def model_options(models: Iterable[str]) -> list[str]:
    """The models a picker offers: each priced canonical model and its family (every variant at once),
    the family first, then its variants by name."""
    names = {m for m in models if family_of(m)}
    every = names | {family_of(m) for m in names}
    return sorted(every, key=lambda m: (family_of(m) or m, m != family_of(m), m))


def option_label(name: str) -> str:
    """'A100 (every variant)' for a family whose variants differ, else the name."""
    try:
        return f"{name} (every variant)" if what_is_unstated(name) else name
    except UnmappedGpuModel:
        return name


def compared(offers: pd.DataFrame, chosen: str) -> pd.DataFrame:
    """The offers whose model compares with `chosen` (same family; memory and form factor equal wherever
    both state one), each with `compared_as`: 'same model', 'memory not stated', ... ."""
    rows = offers[[_comparable(m, chosen) for m in offers["gpu_model"]]].copy()
    rows["compared_as"] = [comparison_label(m, chosen) for m in rows["gpu_model"]]
    rows["form_factor"] = [gpu_model_info(m).form_factor for m in rows["gpu_model"]]
    return rows.reset_index(drop=True)


def cheapest_comparable(offers: pd.DataFrame, model: str, *, venue_kind: str = "cloud") -> pd.Series | None:
    """The cheapest offer of `venue_kind` comparable with `model` (None when there is none)."""
    rows = compared(offers[offers["venue_kind"] == venue_kind], model)
    return None if rows.empty else rows.sort_values("usd_per_gpu_hour").iloc[0]


def default_model(offers: pd.DataFrame) -> str | None:
    """The model a page opens on: a network's model that the most venues price comparably (the comparison
    people come for), else the model most venues price."""
    if offers.empty:
        return None
    network_models = sorted(set(offers.loc[offers["venue_kind"] == "network", "gpu_model"])) or \
        sorted(set(offers["gpu_model"]))

    def venues(model: str) -> int:
        return compared(offers, model)["venue"].nunique()

    return max(network_models, key=lambda m: (venues(m), m))


def compared_text(rows: pd.DataFrame, chosen: str) -> str:
    """What a comparison put side by side: each model with how it entered and its venues, and the form
    factors when they differ ('Form factors differ: SXM (aws, akash) and PCIe (cudo).')."""
    if rows.empty:
        return f"No venue prices a GPU comparable with {chosen}."
    if set(rows["compared_as"]) == {"same model"}:
        return f"Compared with {chosen}: the same model at " + ", ".join(sorted(rows["venue"].unique())) + "."
    parts = []
    for (model, how), group in rows.groupby(["gpu_model", "compared_as"], sort=False):
        venues = ", ".join(sorted(group["venue"].unique()))
        said = "" if how == "same model" or how.startswith("a variant") else f" ({how})"
        parts.append(f"{model}{said}: {venues}")
    text = f"Compared with {chosen}: " + "; ".join(parts) + "."
    forms = rows.dropna(subset=["form_factor"]).groupby("form_factor")["venue"].agg(lambda v: ", ".join(sorted(set(v))))
    if len(forms) > 1:
        text += " Form factors differ: " + " and ".join(f"{form} ({venues})" for form, venues in forms.items()) + \
            "; a PCIe card runs at lower clocks and memory bandwidth than its SXM sibling."
    return text

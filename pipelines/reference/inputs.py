"""Every reference input of a run read and checked at once, before any reference table is written.

Why all at once: the reference assets commit one by one, so a bad file read by the last of
them would fail the run after the others had replaced their tables. Each reference asset reads
all inputs (the registry, cloud prices, GPU specs, claims, token price files: small files) and
writes only when none is refused. A refused input fails its own asset with its own error, and
every other reference asset with one line naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from depinlens.registry import RegistryError, load_registry
from pipelines.reference._csv import ReferenceDataError
from pipelines.reference.claims import load_network_claims
from pipelines.reference.cloud_prices import CloudPriceReport, load_cloud_gpu_offers
from pipelines.reference.gpu_specs import load_gpu_specs
from pipelines.reference.token_prices import load_token_prices

INPUTS = ("registry", "cloud_gpu_offers", "gpu_specs", "network_claims", "token_prices")


class ReferenceInputRefused(ReferenceDataError):
    """Another reference input of the run is refused, so this table is left as it was."""


@dataclass
class ReferenceInputs:
    """What each reference input holds once read, and why any was refused.

    `cloud_offers` is None when cloud prices are switched off; `token_prices` is None when no
    token price file is configured (the prices already loaded are then kept).
    """

    cloud_offers: tuple[pa.Table, CloudPriceReport] | None = None
    gpu_specs: pa.Table | None = None
    network_claims: pa.Table | None = None
    token_prices: pa.Table | None = None
    refused: dict[str, Exception] = field(default_factory=dict)

    def require(self, name: str) -> None:
        """Raise `name`'s own error if it was refused, else ReferenceInputRefused naming the first other one."""
        if name in self.refused:
            raise self.refused[name]
        if self.refused:
            other, error = next(iter(self.refused.items()))
            text = getattr(error, "description", None) or str(error)  # a dg.Failure keeps its text in `description`
            first_line = (text.strip().splitlines() or [type(error).__name__])[0]
            raise ReferenceInputRefused(f"{name} not loaded, so that the run changes no reference table: "
                                        f"{other} is refused: {first_line}")


def read_reference_inputs(*, registry_path: Path | str, cloud_prices: Path | str | Exception | None,
                          gpu_specs: Path | str, network_claims: Path | str,
                          token_price_csvs: Sequence[Path | str]) -> ReferenceInputs:
    """Read and check every reference input; never raises for a bad one (see `ReferenceInputs.refused`).

    Args:
        registry_path: the network registry the run uses (DEPINLENS_REGISTRY).
        cloud_prices: the cloud price file, None when switched off, or the error saying why it
            cannot be found.
        gpu_specs, network_claims: the reviewed files under reference/.
        token_price_csvs: the configured token price files; none configured means "keep".
    """
    inputs = ReferenceInputs()

    def attempt(name: str, read):
        try:
            return read()
        except (ReferenceDataError, RegistryError, OSError) as exc:
            inputs.refused[name] = exc
            return None

    attempt("registry", lambda: load_registry(registry_path))
    if isinstance(cloud_prices, Exception):
        inputs.refused["cloud_gpu_offers"] = cloud_prices
    elif cloud_prices is not None:
        inputs.cloud_offers = attempt("cloud_gpu_offers", lambda: load_cloud_gpu_offers(cloud_prices))
    inputs.gpu_specs = attempt("gpu_specs", lambda: load_gpu_specs(gpu_specs))
    inputs.network_claims = attempt("network_claims", lambda: load_network_claims(network_claims))
    if token_price_csvs:
        inputs.token_prices = attempt("token_prices", lambda: load_token_prices(token_price_csvs))
    return inputs

"""Bounds on every number a person types into the project's inputs: one place, read by every loader.

Why bounds at all: a figure outside them is a slip (a unit, a decimal point, a placeholder such
as `1e308`), and it would flow straight into published revenue and yields (a price of 1e308
times any amount is `inf`). Each bound is wide enough for every real value with room to spare,
and names why it is where it is, so a refusal can say what the input should look like.

Used by the registry (`depinlens.registry`), the reference loaders (`pipelines.reference`)
and the live price adapter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """An inclusive range for one kind of figure (`low_open`: the low end itself is excluded)."""

    what: str
    unit: str
    low: float
    high: float
    why: str
    low_open: bool = False

    def describe(self) -> str:
        """`0 to 1,000,000 USD` / `more than 0, at most 1,024 GPUs`: the range in words."""
        unit = f" {self.unit}" if self.unit else ""
        if self.low_open:
            return f"more than {_number(self.low)}, at most {_number(self.high)}{unit}"
        return f"{_number(self.low)} to {_number(self.high)}{unit}"

    def problem(self, value: float) -> str | None:
        """Why `value` is refused (not finite, below, above), or None when it is within bounds."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"is not a number; the bound for {self.what} is {self.describe()}"
        if not math.isfinite(value):
            return f"is not a finite number; the bound for {self.what} is {self.describe()}"
        if value < self.low or (self.low_open and value == self.low):
            return f"is below the bound for {self.what}: {self.describe()}"
        if value > self.high:
            return f"is above the bound for {self.what}: {self.describe()} ({self.why})"
        return None


def _number(value: float) -> str:
    """A bound as people write it: 1,000,000 / 0.5 / 1e+13."""
    if float(value).is_integer() and abs(value) < 1e12:
        return f"{int(value):,}"
    return f"{value:g}"


# --- prices and money --------------------------------------------------------------------------
TOKEN_PRICE_USD = Bound(
    "a token price", "USD", 0, 1e6,
    "the dearest token ever traded, bitcoin, has stayed below 1e5 USD")
INSTANCE_PRICE_USD_PER_HOUR = Bound(
    "a cloud instance price", "USD per hour", 0, 1e4,
    "the largest 8- and 16-GPU cloud instances list below 100 USD per hour")
GPUS_PER_INSTANCE = Bound(
    "the GPU count of one instance", "GPUs", 0, 256,
    "a whole NVL72 rack holds 72 GPUs; fractions of a GPU are sold, so only 0 itself is refused",
    low_open=True)

# --- datasheet figures (reference/gpu_peak_specs.csv) ------------------------------------------
GPU_PEAK_TFLOPS = Bound(
    "the dense peak of one GPU", "TFLOP/s", 0, 1e4,
    "a B200's dense BF16 peak is about 2,250 TFLOP/s", low_open=True)
GPU_MEMORY_GB = Bound(
    "the memory of one GPU", "GB", 0, 4096, "the largest GPUs carry under 300 GB", low_open=True)
GPU_MEMORY_BANDWIDTH_GBS = Bound(
    "the memory bandwidth of one GPU", "GB/s", 0, 1e5, "a B200 reaches about 8,000 GB/s", low_open=True)

# --- published claims (reference/network_claims.csv), by unit ------------------------------------
CLAIM_USD = Bound(
    "a claimed amount", "USD", 0, 1e13, "ten trillion USD is more than any network's claim could be")
CLAIM_PERCENT = Bound(
    "a claimed percentage", "percent", -100, 1e5,
    "a fall is at most 100 percent; a rise of 1,000x is 100,000 percent")
CLAIM_COUNT = Bound(
    "a claimed count", "", 0, 1e12, "a trillion GPUs, hours or deployments is beyond any network")


def claim_bound(unit: str) -> Bound:
    """The bound for a claim's value given its unit: USD, percent, or a counted thing."""
    if unit == "USD":
        return CLAIM_USD
    if unit == "percent":
        return CLAIM_PERCENT
    return Bound(CLAIM_COUNT.what, unit, CLAIM_COUNT.low, CLAIM_COUNT.high, CLAIM_COUNT.why)


# --- the registry (networks.toml) ---------------------------------------------------------------
TOKEN_DECIMALS = Bound(
    "token decimals", "", 0, 36, "amounts are stored as DECIMAL(38,0) base units")
CONFIRMATIONS = Bound(
    "a confirmation depth", "blocks", 0, 10_000,
    "Ethereum finalizes in 64 blocks and Solana in 32; 10,000 would read nothing recent")
TAKE_RATE = Bound("a take rate (a share of the payment)", "", 0, 1, "a protocol cannot take more than the payment")
BURN_SHARE_OF_FEES = Bound(
    "the burn share of fees", "", 0, 1, "burns cannot exceed the fees they come from", low_open=True)
EVM_CHAIN_ID = Bound(
    "an EVM chain id", "", 1, 2**63 - 1, "chain ids are positive and stored as BIGINT")

"""Decode Cosmos staking state (pool, mint, distribution params, supply) into raw.staking_snapshots rows.

What a real-yield calculation needs from the chain, read at one height per UTC day: bonded and
unbonded tokens, total supply of the bond denom, inflation and annual provisions, and the
community tax and proposer rewards that come off the top of staking rewards.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import STAKING_SNAPSHOTS_SCHEMA


_INT = re.compile(r"^\d{1,38}$")
_DEC = re.compile(r"^\d+(\.\d+)?$")
OPTIONAL_DISTRIBUTION = ("base_proposer_reward", "bonus_proposer_reward")


def _dig(answer: Any, path: str, where: str) -> Any:
    value = answer
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise DecodeError(f"{where}: field {path!r} missing")
        value = value[key]
    return value


def _amount(value: Any, where: str) -> Decimal:
    if not isinstance(value, str) or not _INT.match(value):
        raise DecodeError(f"{where}: {value!r:.40} is not an integer amount of at most 38 digits")
    return Decimal(value)


def _dec(value: Any, where: str) -> float:
    """A Cosmos Dec as a float: "0.13", or the base64 of its 18-place integer some SDK versions send."""
    if isinstance(value, str) and _DEC.match(value):
        return float(value)
    if isinstance(value, str):
        try:
            digits = base64.b64decode(value, validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError):
            digits = ""
        if digits.isdigit():
            return int(digits) / 10**18
    raise DecodeError(f"{where}: {value!r:.40} is not a decimal")


def staking_rows(answers: dict[str, Any], *, network: str, chain: str, source: str, height: int,
                 block_time: datetime, day: date, fetched_at: datetime | None = None) -> pa.Table:
    """Rows of raw.staking_snapshots from one height's answers (see AkashClient.staking_state).

    Raises:
        DecodeError: naming the answer and field that is missing or malformed.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    where = f"{chain} staking state at height {height}"
    denom = _dig(answers.get("staking_params"), "params.bond_denom", f"{where} (staking params)")
    supply_denom = _dig(answers.get("supply"), "amount.denom", f"{where} (supply)")
    if supply_denom != denom:
        raise DecodeError(f"{where}: supply is of {supply_denom!r}, the bond denom is {denom!r}")
    amounts = [
        ("staking_pool", "bonded_tokens", _dig(answers.get("pool"), "pool.bonded_tokens", f"{where} (pool)")),
        ("staking_pool", "not_bonded_tokens", _dig(answers.get("pool"), "pool.not_bonded_tokens", f"{where} (pool)")),
        ("bank", "total_supply", _dig(answers.get("supply"), "amount.amount", f"{where} (supply)")),
    ]
    params = _dig(answers.get("distribution_params"), "params", f"{where} (distribution params)")
    values = [
        ("mint", "inflation", _dig(answers.get("inflation"), "inflation", f"{where} (inflation)"), "ratio_per_year"),
        ("mint", "annual_provisions", _dig(answers.get("annual_provisions"), "annual_provisions",
                                           f"{where} (annual provisions)"), f"{denom}_per_year"),
        ("distribution", "community_tax", _dig(params, "community_tax", f"{where} (distribution params)"), "ratio"),
        *[("distribution", name, params[name], "ratio") for name in OPTIONAL_DISTRIBUTION if name in params],
    ]
    base = {"network": network, "chain": chain, "source": source, "block_number": height,
            "snapshot_time": block_time, "snapshot_day": day, "fetched_at": fetched_at}
    rows = [{**base, "account": account, "metric": metric, "amount_raw": _amount(raw, f"{where} {metric}"),
             "value": None, "unit": denom} for account, metric, raw in amounts]
    rows += [{**base, "account": account, "metric": metric, "amount_raw": None,
              "value": _dec(raw, f"{where} {metric}"), "unit": unit} for account, metric, raw, unit in values]
    return pa.Table.from_pylist(rows, schema=STAKING_SNAPSHOTS_SCHEMA)

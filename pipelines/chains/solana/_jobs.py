"""Decode Nosana job and stake accounts, and Jobs-program instructions, into warehouse rows.

Pure functions. Accounts come from `getProgramAccounts` (base64); the account's Anchor
discriminator decides its type. Instructions come from `getTransaction` (jsonParsed):
a node cannot parse an Anchor program, so they arrive "partially decoded" (account keys
and base58 data) and are matched on their 8-byte instruction discriminator.

raw.jobs gets one row per job account: the account is the job's current state (market,
node, payer, price per second, state, start, end); the instructions add where the job
came from (the `list`/`assign` transaction and slot) and the slot that closed it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from construct import ConstructError

from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import JOBS_SCHEMA, STAKING_SNAPSHOTS_SCHEMA
from pipelines.chains.solana._base58 import b58decode
from pipelines.chains.solana._decode import TIMESTAMP
from pipelines.chains.solana._nosana import (
    JOB_ACCOUNT,
    JOB_ACCOUNT_DISCRIMINATOR,
    JOB_ACCOUNT_SIZE,
    JOB_INSTRUCTIONS_BY_DISCRIMINATOR,
    STAKE_ACCOUNT,
    STAKE_ACCOUNT_DISCRIMINATOR,
    STAKE_ACCOUNT_SIZE,
    SYSTEM_PROGRAM,
    job_state_name,
)

XNOS_UNIT = "xnos"
MAX_AMOUNT = 10**38 - 1
STAKE_METRICS = ("stake_amount", "xnos", "stake_duration", "unstake_time")



JOB_EVENTS_SCHEMA = pa.schema([
    ("slot", pa.int64()), ("block_time", TIMESTAMP), ("signature", pa.string()),
    ("log_index", pa.int32()), ("inner_index", pa.int32()), ("instruction", pa.string()),
    ("job", pa.string()), ("market", pa.string()), ("payer", pa.string()), ("authority", pa.string()),
    ("timeout", pa.int64()), ("closes_job", pa.bool_()),
])


def _account_data(entry: Any, position: int, program: str) -> tuple[str, bytes]:
    """(pubkey, raw bytes) of one getProgramAccounts entry in base64."""
    try:
        pubkey = entry["pubkey"]
        data, encoding = entry["account"]["data"]
        if encoding != "base64" or type(pubkey) is not str:
            raise ValueError(f"data encoding {encoding!r}")
        return pubkey, base64.b64decode(data, validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise DecodeError(f"getProgramAccounts {program} entry #{position}: expected "
                          f"{{pubkey, account: {{data: [<base64>, 'base64']}}}} ({exc})") from None


def decode_accounts(entries: Sequence[Any], *, program: str, kind: str) -> list[dict[str, Any]]:
    """Parse every `kind` ("job" or "stake") account among `entries`; others are skipped.

    Raises:
        DecodeError: an account carries the discriminator but not the layout (names its pubkey).
    """
    layout, discriminator, size = ((JOB_ACCOUNT, JOB_ACCOUNT_DISCRIMINATOR, JOB_ACCOUNT_SIZE) if kind == "job"
                                   else (STAKE_ACCOUNT, STAKE_ACCOUNT_DISCRIMINATOR, STAKE_ACCOUNT_SIZE))
    if not isinstance(entries, (list, tuple)):
        raise DecodeError(f"getProgramAccounts {program}: expected a list, got {type(entries).__name__}")
    parsed = []
    for position, entry in enumerate(entries):
        pubkey, data = _account_data(entry, position, program)
        if data[:8] != discriminator:
            continue
        if len(data) != size:
            raise DecodeError(f"{kind} account {pubkey} (program {program}): {len(data)} bytes, the layout has "
                              f"{size}")
        try:
            record = dict(layout.parse(data))
        except (ConstructError, ValueError) as exc:
            raise DecodeError(f"{kind} account {pubkey} (program {program}): {exc}") from None
        record.pop("_io", None)
        record["pubkey"] = pubkey
        if record.get("xnos", 0) > MAX_AMOUNT:
            raise DecodeError(f"{kind} account {pubkey}: xnos {record['xnos']} does not fit DECIMAL(38,0)")
        parsed.append(record)
    return parsed


def decode_job_instructions(transactions: Sequence[Any], *, program: str) -> pa.Table:
    """Every instruction of the Jobs `program` in successful `transactions` (jsonParsed).

    Instructions with a discriminator this layout does not know are skipped.

    Raises:
        DecodeError: naming the transaction and instruction index.
    """
    cols: dict[str, list] = {name: [] for name in JOB_EVENTS_SCHEMA.names}
    for position, tx in enumerate(transactions):
        try:
            meta = tx["meta"]
            if meta["err"] is not None:
                continue
            body = tx["transaction"]
            found = [(i, None, ins) for i, ins in enumerate(body["message"]["instructions"])
                     if ins.get("programId") == program]
            for group in meta.get("innerInstructions") or ():
                found += [(group["index"], j, ins) for j, ins in enumerate(group["instructions"])
                          if ins.get("programId") == program]
            signature, slot, block_time = body["signatures"][0], tx["slot"], tx["blockTime"]
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise DecodeError(f"transaction #{position}: not a getTransaction result in jsonParsed encoding "
                              f"({type(exc).__name__}: {exc})") from None
        if found and (type(slot) is not int or type(block_time) is not int):
            raise DecodeError(f"transaction #{position} (signature {signature}): slot or blockTime missing")
        for outer, inner, ins in sorted(found, key=lambda f: (f[0], -1 if f[1] is None else f[1])):
            where = f"transaction {signature} instruction {outer}" + ("" if inner is None else f".{inner}")
            try:
                data = b58decode(ins["data"])
                accounts = ins["accounts"]
            except (KeyError, TypeError, ValueError) as exc:
                raise DecodeError(f"{where}: expected partially decoded accounts and base58 data ({exc})") from None
            spec = JOB_INSTRUCTIONS_BY_DISCRIMINATOR.get(data[:8])
            if spec is None:
                continue
            if len(accounts) <= max(spec.accounts.values()):
                raise DecodeError(f"{where} ({spec.name}): {len(accounts)} accounts, the layout needs "
                                  f"{max(spec.accounts.values()) + 1}")
            try:
                args = dict(spec.args.parse(data[8:])) if spec.args is not None else {}
            except ConstructError as exc:
                raise DecodeError(f"{where} ({spec.name}): arguments do not match the layout ({exc})") from None
            role = {name: accounts[index] for name, index in spec.accounts.items()}
            cols["slot"].append(slot)
            cols["block_time"].append(block_time)
            cols["signature"].append(signature)
            cols["log_index"].append(outer)
            cols["inner_index"].append(inner)
            cols["instruction"].append(spec.name)
            cols["job"].append(role.get("job"))
            cols["market"].append(role.get("market"))
            cols["payer"].append(role.get("payer"))
            cols["authority"].append(role.get("authority"))
            cols["timeout"].append(args.get("timeout"))
            cols["closes_job"].append(spec.closes_job)
    arrays = {name: pa.array(values, JOB_EVENTS_SCHEMA.field(name).type) for name, values in cols.items()
              if name != "block_time"}
    arrays["block_time"] = pc.multiply(pa.array(cols["block_time"], pa.int64()), 1_000_000).cast(TIMESTAMP)
    return pa.table({name: arrays[name] for name in JOB_EVENTS_SCHEMA.names}, schema=JOB_EVENTS_SCHEMA)


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class JobRows:
    """raw.jobs rows of a window, and what was left out and why."""

    rows: pa.Table
    accounts: int
    outside_window: int
    undated: int


def job_rows(
    accounts: Sequence[dict[str, Any]],
    events: pa.Table,
    *,
    chain: str,
    source: str,
    network: str,
    price_denom: str,
    first_day: date,
    last_day: date,
    fetched_at: datetime | None = None,
) -> JobRows:
    """One raw.jobs row per job account active on first_day..last_day.

    A job that has started is active from that time until it ends (or now): one that started
    before the window and ran into it is observed again, under `first_day`, and the newest
    observation (its end, its state) is the one the marts use. A job that has not started
    is dated by its `list`/`assign` transaction, and left out when that transaction is not
    among `events`; so is one listed in the window that started after it (reading day by day,
    the listing day's observation is the one that carries the listing transaction).

    Args:
        accounts: `decode_accounts(..., kind="job")` output.
        events: `decode_job_instructions` output (the window's Jobs transactions).
        price_denom: the mint the price is paid in (NOS on that chain).
    """
    fetched_at = fetched_at or datetime.now(UTC)
    created: dict[str, dict] = {}
    closed: dict[str, dict] = {}
    for event in events.to_pylist():
        job = event["job"]
        if job is None:
            continue
        if event["instruction"] in ("list", "assign") and (job not in created or event["slot"] < created[job]["slot"]):
            created[job] = event
        if event["closes_job"] and (job not in closed or event["slot"] > closed[job]["slot"]):
            closed[job] = event
    rows: list[dict[str, Any]] = []
    outside = undated = 0
    for account in accounts:
        job_id = account["pubkey"]
        start, end = account["time_start"], account["time_end"]
        origin = created.get(job_id)
        if start > 0:
            ran_into_window = _utc(start).date() < first_day and (end <= 0 or _utc(end).date() >= first_day)
            day = first_day if ran_into_window else _utc(start).date()
            if not first_day <= day <= last_day and origin is not None and first_day <= origin["block_time"].date():
                day = origin["block_time"].date()  # listed in the window, started after it: seen when listed
        elif origin is not None:
            day = origin["block_time"].date()
        else:
            undated += 1
            continue
        if not first_day <= day <= last_day:
            outside += 1
            continue
        node = account["node"]
        rows.append({
            "network": network, "chain": chain, "source": source, "job_id": job_id,
            "provider": None if node == SYSTEM_PROGRAM else node, "client": account["payer"],
            "market": account["market"], "gpu_model": None, "gpu_count": None,
            "state": job_state_name(account["state"], node, start, end),
            "price": Decimal(account["price"]), "price_denom": price_denom, "price_unit": "per_second",
            "usd_per_hour": None, "started_at": _utc(start) if start > 0 else None,
            "ended_at": _utc(end) if end > 0 else None,
            "created_height": origin["slot"] if origin else None,
            "closed_height": closed[job_id]["slot"] if job_id in closed else None,
            "tx_hash": origin["signature"] if origin else None, "observed_day": day, "fetched_at": fetched_at,
        })
    table = pa.Table.from_pylist(rows, schema=JOBS_SCHEMA) if rows else JOBS_SCHEMA.empty_table()
    return JobRows(table, len(accounts), outside, undated)


def stake_rows(
    accounts: Sequence[dict[str, Any]],
    *,
    chain: str,
    source: str,
    network: str,
    unit: str,
    slot: int,
    snapshot_time: int,
    fetched_at: datetime | None = None,
) -> pa.Table:
    """raw.staking_snapshots rows: four metrics per stake account, keyed by its authority.

    stake_amount and xnos are exact base units (`unit` = the staked mint; xnos in `xnos`),
    stake_duration is seconds, unstake_time the unix time unstaking began (0 while staked).
    """
    fetched_at = fetched_at or datetime.now(UTC)
    at = _utc(snapshot_time)
    rows = []
    for account in accounts:
        base = {"network": network, "chain": chain, "source": source, "account": account["authority"],
                "block_number": slot, "snapshot_time": at, "snapshot_day": at.date(), "fetched_at": fetched_at}
        rows += [
            {**base, "metric": "stake_amount", "amount_raw": Decimal(account["amount"]), "value": None, "unit": unit},
            {**base, "metric": "xnos", "amount_raw": Decimal(account["xnos"]), "value": None, "unit": XNOS_UNIT},
            {**base, "metric": "stake_duration", "amount_raw": None, "value": float(account["duration"]),
             "unit": "seconds"},
            {**base, "metric": "unstake_time", "amount_raw": None, "value": float(account["time_unstake"]),
             "unit": "unix_time"},
        ]
    return pa.Table.from_pylist(rows, schema=STAKING_SNAPSHOTS_SCHEMA) if rows else \
        STAKING_SNAPSHOTS_SCHEMA.empty_table()

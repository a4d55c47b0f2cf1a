"""Decode SPL token movements from `getTransaction` answers (jsonParsed) into Arrow tables.

Pure functions over the wire format. Six SPL Token instructions move tokens: `transfer`,
`transferChecked`, `mintTo`, `mintToChecked`, `burn`, `burnChecked`; they are read from
top-level and inner instructions alike. A plain `transfer` does not name its mint, and no
instruction names the wallets behind token accounts: both come from the transaction's
pre/post token balances. Failed transactions (`meta.err` set) moved nothing and are skipped.

Rows carry slot, block time, signature and (outer, inner) instruction index, so the
natural key (chain, signature, outer, inner) is unique. Amounts stay exact: u64 base
units as DECIMAL(38,0).

A result comes as parsed JSON (a dict), as a `_wire.Transaction` struct decoded from the
answer's bytes, or, as the pipeline reads `getTransaction`, as a `ScannedTransaction`: its
movements, read from the answer's bytes by the compiled scanner (`_scan.py`), which applies the
rules below. All three give the same rows: the scanner declines any answer it is not certain of
(it is then read into a struct), and the struct walk hands any transaction the dict walk would
refuse (or treat its own way) to the dict walk, so each error is raised by one piece of code,
word for word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from msgspec import UNSET

from depinlens.registry import Token
from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import TOKEN_TRANSFERS_SCHEMA
from pipelines.chains.solana._scan import ScannedTransaction, movements_table
from pipelines.chains.solana._wire import Parsed, Transaction, to_dict

TOKEN_PROGRAMS = frozenset({"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
                            "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"})
ZERO_PUBKEY = "11111111111111111111111111111111"  # Solana's all-zero key: the "from" of mints, "to" of burns
MOVEMENT_KINDS = {"transfer": "transfer", "transferChecked": "transfer", "mintTo": "mint",
                  "mintToChecked": "mint", "burn": "burn", "burnChecked": "burn"}
MAX_U64_DIGITS = 20
TIMESTAMP = pa.timestamp("us", tz="UTC")

# Every SPL movement of a batch of transactions, whatever its mint.
SPL_MOVEMENTS_SCHEMA = pa.schema([
    ("slot", pa.int64()), ("block_time", TIMESTAMP), ("signature", pa.string()),
    ("log_index", pa.int32()), ("inner_index", pa.int32()),
    ("instruction", pa.string()), ("kind", pa.string()), ("program_id", pa.string()),
    ("mint", pa.string()), ("tx_decimals", pa.uint8()),
    ("source_account", pa.string()), ("destination_account", pa.string()),
    ("from_address", pa.string()), ("to_address", pa.string()), ("authority", pa.string()),
    ("amount_raw", pa.decimal128(38, 0)),
])



def _signature_of(tx: Any) -> str:
    try:
        return str(tx["transaction"]["signatures"][0])[:88]
    except (KeyError, TypeError, IndexError):
        return "unknown"


def _describe(position: int, tx: Any) -> str:
    if not isinstance(tx, dict):
        return f"transaction #{position} ({type(tx).__name__}, not an object)"
    return f"transaction #{position} (signature {_signature_of(tx)}, slot {tx.get('slot')!r:.20})"


def _label(position: int, tx: Any, outer: int, inner: int, itype: str) -> str:
    return f"{_describe(position, tx)}, instruction {outer}" + (f".{inner}" if inner >= 0 else "") + f" ({itype})"


_TEXT_OR_NONE = (str, type(None))


def block_transactions(block: Any, slot: int) -> tuple[list[dict], dict[int, str]]:
    """A `getBlock` result as `getTransaction`-shaped results, plus {slot: blockhash}.

    A block's transactions carry neither slot nor time; each gets the block's.

    Raises:
        DecodeError: the block is not an object with `blockhash`, `blockTime` and `transactions`.
    """
    if (not isinstance(block, dict) or not isinstance(block.get("blockhash"), str)
            or not isinstance(block.get("transactions"), list)):
        raise DecodeError(f"block at slot {slot}: expected an object with blockhash and transactions "
                          "(getBlock with transactionDetails=full)")
    if not isinstance(block.get("blockTime"), int):
        raise DecodeError(f"block at slot {slot}: blockTime is missing or null")
    time = block["blockTime"]
    txs = [{**tx, "slot": slot, "blockTime": time} if isinstance(tx, dict) else tx for tx in block["transactions"]]
    return txs, {slot: block["blockhash"]}


def decode_token_movements(transactions: Iterable[Any]) -> pa.Table:
    """Every SPL token movement in `transactions` (results of `getTransaction`, jsonParsed).

    `transactions` may be any iterable (a generator that parses answers one by one keeps
    memory flat). Each result is parsed JSON, a `_wire.Transaction`, or a `ScannedTransaction`
    (`SolanaClient.transactions(typed=True)`: read by the compiled scanner where it is built,
    else into structs): all give the same rows and the same errors.

    Returns:
        A table in SPL_MOVEMENTS_SCHEMA, ordered as the transactions, then by (outer, inner)
        index. `from_address`/`to_address` are the owners of the token accounts (the zero key
        for mints and burns); where a token account is missing from the balances (opened and
        closed in the same transaction) the account address stands in for its owner. `mint`
        is null only if neither the instruction nor the balances name it.

    Raises:
        DecodeError: naming the transaction (position, signature, slot) and instruction index.
    """
    if isinstance(transactions, (dict, str, bytes)) or not isinstance(transactions, Iterable):
        raise DecodeError(f"expected a list of getTransaction results, got {type(transactions).__name__}")
    movements = _Movements()
    scanned: list[ScannedTransaction] = []  # a run of the scanner's transactions, assembled together
    for position, tx in enumerate(transactions):
        if type(tx) is ScannedTransaction:
            scanned.append(tx)
            if len(scanned) == SCANNED_RUN:
                movements.add(movements_table(scanned, SPL_MOVEMENTS_SCHEMA))
                scanned = []
            continue
        if scanned:
            movements.add(movements_table(scanned, SPL_MOVEMENTS_SCHEMA))
            scanned = []
        if isinstance(tx, Transaction):  # HistoryTransaction included
            mark = len(movements.rows)
            if _walk_typed(tx, movements.rows):
                continue
            del movements.rows[mark:]  # something the dict decoder refuses or treats its own way: let it
            tx = to_dict(tx)
        _walk(position, tx, movements.rows)
    if scanned:
        movements.add(movements_table(scanned, SPL_MOVEMENTS_SCHEMA))
    return movements.table()


SCANNED_RUN = 4096  # transactions assembled in one call (a generator's memory stays bounded)


class _Movements:
    """Movements in the order of their transactions: tables assembled from the scanner's, row tuples from
    the Python walks.

    The row tuples become one table at the end, as without the scanner, so that a value Arrow refuses
    raises the same error at the same point (after every transaction is walked)."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.parts: list[tuple[int, pa.Table]] = []  # a scanner's table, and how many row tuples come before it

    def add(self, table: pa.Table) -> None:
        self.parts.append((len(self.rows), table))

    def table(self) -> pa.Table:
        walked = _table(self.rows)
        pieces, taken = [], 0
        for before, table in self.parts:
            if before > taken:
                pieces.append(walked.slice(taken, before - taken))
                taken = before
            if table.num_rows:
                pieces.append(table)
        if walked.num_rows > taken:
            pieces.append(walked.slice(taken))
        if not pieces:
            return SPL_MOVEMENTS_SCHEMA.empty_table()
        return pieces[0] if len(pieces) == 1 else pa.concat_tables(pieces).combine_chunks()


def _table(rows: list[tuple]) -> pa.Table:
    """The movements table of rows in SPL_MOVEMENTS_SCHEMA's column order."""
    if not rows:
        return SPL_MOVEMENTS_SCHEMA.empty_table()
    cols = dict(zip(SPL_MOVEMENTS_SCHEMA.names, zip(*rows), strict=True))
    seconds = pa.array(cols["block_time"], pa.int64())
    return pa.table({
        "slot": pa.array(cols["slot"], pa.int64()),
        "block_time": pc.multiply(seconds, 1_000_000).cast(TIMESTAMP),
        "signature": pa.array(cols["signature"], pa.string()),
        "log_index": pa.array(cols["log_index"], pa.int32()),
        "inner_index": pa.array(cols["inner_index"], pa.int32()),
        "instruction": pa.array(cols["instruction"], pa.string()),
        "kind": pa.array(cols["kind"], pa.string()),
        "program_id": pa.array(cols["program_id"], pa.string()),
        "mint": pa.array(cols["mint"], pa.string()),
        "tx_decimals": pa.array(cols["tx_decimals"], pa.uint8()),
        "source_account": pa.array(cols["source_account"], pa.string()),
        "destination_account": pa.array(cols["destination_account"], pa.string()),
        "from_address": pa.array(cols["from_address"], pa.string()),
        "to_address": pa.array(cols["to_address"], pa.string()),
        "authority": pa.array(cols["authority"], pa.string()),
        "amount_raw": pa.array(cols["amount_raw"], pa.decimal128(38, 0)),
    }, schema=SPL_MOVEMENTS_SCHEMA)


def _walk(position: int, tx: Any, rows: list[tuple]) -> None:
    """Append the movements of one parsed `getTransaction` result (nothing for a failed one)."""
    try:
        meta = tx["meta"]
        if meta["err"] is not None:
            return
        message = tx["transaction"]["message"]
        found = [(outer, -1, ins) for outer, ins in enumerate(message["instructions"])
                 if ins.get("programId") in TOKEN_PROGRAMS]
        for group in meta.get("innerInstructions") or ():
            outer = group["index"]
            found += [(outer, inner, ins) for inner, ins in enumerate(group["instructions"])
                      if ins.get("programId") in TOKEN_PROGRAMS]
    except (KeyError, TypeError, AttributeError) as exc:
        raise DecodeError(f"{_describe(position, tx)}: not a getTransaction result in jsonParsed encoding "
                          f"({type(exc).__name__}: {exc})") from None
    if found:
        _decode_one(position, tx, meta, message, sorted(found, key=lambda f: (f[0], f[1])), rows)


def _decode_one(position: int, tx: dict, meta: dict, message: dict, found: list, rows: list[tuple]) -> None:
    """Append the movements of one successful transaction to the rows."""
    slot, block_time = tx.get("slot"), tx.get("blockTime")
    if type(slot) is not int or slot < 0:
        raise DecodeError(f"{_describe(position, tx)}: slot missing or not a non-negative integer")
    if type(block_time) is not int:
        raise DecodeError(f"{_describe(position, tx)}: blockTime missing or null (the node has no time for this slot)")
    signature = _signature_of(tx)
    try:
        keys = [k["pubkey"] if type(k) is dict else k for k in message["accountKeys"]]
        loaded = meta.get("loadedAddresses")
        if isinstance(loaded, dict):  # json encoding: lookup-table keys follow the static ones
            keys += list(loaded.get("writable") or ()) + list(loaded.get("readonly") or ())
        owners: dict[str, str] = {}
        mints: dict[str, str] = {}
        decimals: dict[str, int] = {}
        for balance in (*(meta.get("preTokenBalances") or ()), *(meta.get("postTokenBalances") or ())):
            account = keys[balance["accountIndex"]]
            mints[account] = balance["mint"]
            decimals[account] = balance["uiTokenAmount"]["decimals"]
            if balance.get("owner"):
                owners[account] = balance["owner"]
    except (KeyError, TypeError, IndexError) as exc:
        raise DecodeError(f"{_describe(position, tx)}: accountKeys or token balances malformed "
                          f"({type(exc).__name__}: {exc})") from None

    for outer, inner, ins in found:
        parsed = ins.get("parsed")
        if type(parsed) is not dict:
            continue  # a token instruction the node could not parse: not one of the six movements
        itype = parsed.get("type")
        kind = MOVEMENT_KINDS.get(itype) if type(itype) is str else None
        if kind is None:  # not one of the six movements (a type that is not even text included)
            continue
        try:
            info = parsed["info"]
            token_amount = info.get("tokenAmount")
            if token_amount is not None:
                amount_text, tx_decimals = token_amount["amount"], token_amount["decimals"]
            else:
                amount_text, tx_decimals = info["amount"], None
            if kind == "transfer":
                source, destination = info["source"], info["destination"]
                mint = info.get("mint") or mints.get(source) or mints.get(destination)
                from_address, to_address = owners.get(source, source), owners.get(destination, destination)
                authority = info.get("authority") or info.get("multisigAuthority")
                if tx_decimals is None:
                    tx_decimals = decimals.get(source, decimals.get(destination))
            elif kind == "mint":
                source, destination, mint = None, info["account"], info["mint"]
                from_address, to_address = ZERO_PUBKEY, owners.get(destination, destination)
                authority = info.get("mintAuthority") or info.get("multisigMintAuthority")
                if tx_decimals is None:
                    tx_decimals = decimals.get(destination)
            else:
                source, destination, mint = info["account"], None, info["mint"]
                from_address, to_address = owners.get(source, source), ZERO_PUBKEY
                authority = info.get("authority") or info.get("multisigAuthority")
                if tx_decimals is None:
                    tx_decimals = decimals.get(source)
        except (KeyError, TypeError) as exc:
            where = _label(position, tx, outer, inner, itype)
            raise DecodeError(f"{where}: field {exc} missing or malformed") from None
        except AttributeError:  # `info` (or its tokenAmount) is text, null or a list, not an object
            raise DecodeError(f"{_label(position, tx, outer, inner, itype)}: parsed.info is not an object "
                              f"({str(parsed.get('info'))[:60]})") from None
        if type(amount_text) is not str or not amount_text.isdigit() or len(amount_text) > MAX_U64_DIGITS:
            raise DecodeError(f"{_label(position, tx, outer, inner, itype)}: amount {amount_text!r:.40} is not a u64 "
                              "in decimal text")
        if not (type(source) in _TEXT_OR_NONE and type(destination) in _TEXT_OR_NONE
                and type(mint) in _TEXT_OR_NONE):
            raise DecodeError(f"{_label(position, tx, outer, inner, itype)}: source, destination or mint is not a "
                              "base58 string")
        if tx_decimals is not None and (type(tx_decimals) is not int or not 0 <= tx_decimals <= 255):
            raise DecodeError(f"{_label(position, tx, outer, inner, itype)}: decimals {tx_decimals!r:.20} out of range")
        rows.append((slot, block_time, signature, outer, None if inner < 0 else inner, itype, kind, ins["programId"],
                     mint, tx_decimals, source, destination, from_address, to_address, authority, int(amount_text)))


_IN_ORDER = itemgetter(0, 1)


def _walk_typed(tx: Transaction, rows: list[tuple]) -> bool:
    """Append the movements of one typed result as `_walk` would; False (having appended rows
    the caller drops) where `_walk` would refuse something or treat it its own way.

    Every step mirrors `_walk`/`_decode_one` line for line, on struct attributes whose types
    (`_wire.py`) already rule out what those functions check for type.
    """
    meta = tx.meta
    if meta.err is not None:
        return True
    message = tx.transaction.message
    found = [(outer, -1, ins) for outer, ins in enumerate(message.instructions) if ins.program_id in TOKEN_PROGRAMS]
    groups = meta.inner_instructions
    if groups:
        for group in groups:
            outer = group.index
            found += [(outer, inner, ins) for inner, ins in enumerate(group.instructions)
                      if ins.program_id in TOKEN_PROGRAMS]
        found.sort(key=_IN_ORDER)
    if not found:
        return True
    slot, block_time = tx.slot, tx.block_time
    if slot is None or slot < 0 or block_time is None:
        return False
    signatures = tx.transaction.signatures
    signature = signatures[0][:88] if signatures else "unknown"  # UNSET is falsy
    keys = [k.pubkey for k in message.account_keys]
    loaded = meta.loaded_addresses
    if loaded is not None:
        keys += (loaded.writable or []) + (loaded.readonly or [])
    owners: dict[str, str] = {}
    mints: dict[str, str | None] = {}
    decimals: dict[str, int] = {}
    try:
        for balances in (meta.pre_token_balances, meta.post_token_balances):
            for balance in balances or ():
                account = keys[balance.account_index]
                mints[account] = balance.mint
                decimals[account] = balance.ui_token_amount.decimals
                if balance.owner:
                    owners[account] = balance.owner
    except IndexError:
        return False

    append = rows.append
    for outer, inner, ins in found:
        parsed = ins.parsed
        if type(parsed) is not Parsed:
            continue
        itype = parsed.type
        kind = MOVEMENT_KINDS.get(itype)  # type: ignore[arg-type]
        if kind is None:
            continue
        info = parsed.info
        if info is UNSET:
            return False
        token_amount = info.token_amount
        if token_amount is not None:
            amount_text, tx_decimals = token_amount.amount, token_amount.decimals
        else:
            amount_text, tx_decimals = info.amount, None
        if kind == "transfer":
            source, destination = info.source, info.destination
            if source is UNSET or destination is UNSET:
                return False
            mint = info.mint
            mint = (None if mint is UNSET else mint) or mints.get(source) or mints.get(destination)
            from_address, to_address = owners.get(source, source), owners.get(destination, destination)
            authority = info.authority or info.multisig_authority
            if tx_decimals is None:
                tx_decimals = decimals.get(source, decimals.get(destination))
        elif kind == "mint":
            source, destination, mint = None, info.account, info.mint
            if destination is UNSET or mint is UNSET:
                return False
            from_address, to_address = ZERO_PUBKEY, owners.get(destination, destination)
            authority = info.mint_authority or info.multisig_mint_authority
            if tx_decimals is None:
                tx_decimals = decimals.get(destination)
        else:
            source, destination, mint = info.account, None, info.mint
            if source is UNSET or mint is UNSET:
                return False
            from_address, to_address = owners.get(source, source), ZERO_PUBKEY
            authority = info.authority or info.multisig_authority
            if tx_decimals is None:
                tx_decimals = decimals.get(source)
        if (amount_text is UNSET or not amount_text.isdigit() or len(amount_text) > MAX_U64_DIGITS
                or (tx_decimals is not None and not 0 <= tx_decimals <= 255)):
            return False
        append((slot, block_time, signature, outer, None if inner < 0 else inner, itype, kind, ins.program_id, mint,
                tx_decimals, source, destination, from_address, to_address, authority, int(amount_text)))
    return True


def failed_signatures(transactions: Sequence[Any]) -> list[str]:
    """Signatures of the transactions whose `meta.err` is set (they moved no tokens)."""
    return [_signature_of(tx) for tx in transactions
            if isinstance(tx, dict) and isinstance(tx.get("meta"), dict) and tx["meta"].get("err") is not None]


def token_transfer_rows(
    movements: pa.Table,
    *,
    chain: str,
    source: str,
    tokens: Mapping[str, Token],
    block_hashes: Mapping[int, str] | None = None,
    fetched_at: datetime | None = None,
) -> pa.Table:
    """The movements of registry `tokens` as rows of raw.token_transfers.

    Args:
        movements: output of `decode_token_movements`.
        chain: registry chain id stamped on every row.
        source: provenance label (`live`, `local`, `demo`).
        tokens: mint address -> registry token; other mints are dropped.
        block_hashes: slot -> blockhash for every slot the kept rows touch, or None to leave block_hash
            null (finalized slots never reorg, so live reads skip the per-slot getBlock).
        fetched_at: when the answers were fetched (now by default).

    Raises:
        DecodeError: a kept movement's decimals disagree with the registry, or a slot has no hash.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    known = pc.fill_null(pc.is_in(movements["mint"], value_set=pa.array(list(tokens), pa.string())), False)
    kept = movements.filter(known)
    n = kept.num_rows
    if not n:
        return TOKEN_TRANSFERS_SCHEMA.empty_table()
    mints = kept["mint"].to_pylist()
    token_rows = [tokens[m] for m in mints]
    registry_decimals = pa.array([t.decimals for t in token_rows], pa.uint8())
    mismatch = pc.fill_null(pc.not_equal(kept["tx_decimals"], registry_decimals), False)
    if pc.any(mismatch).as_py():
        i = pc.index(mismatch, True).as_py()
        raise DecodeError(f"transaction {kept['signature'][i]} instruction {kept['log_index'][i]}: the chain says "
                          f"{mints[i]} has {kept['tx_decimals'][i]} decimals, the registry says "
                          f"{token_rows[i].decimals}; fix networks.toml")
    if block_hashes is None:
        hashes = pa.nulls(n, pa.string())
    else:
        slots = kept["slot"].to_pylist()
        missing = sorted({s for s in slots if s not in block_hashes})
        if missing:
            raise DecodeError(f"no blockhash for slots {missing[:5]}; pass block_hashes (getBlock headers)")
        hashes = pa.array([block_hashes[s] for s in slots], pa.string())
    return pa.table({
        "network": pa.array([t.network for t in token_rows], pa.string()),
        "chain": pa.array([chain] * n, pa.string()),
        "source": pa.array([source] * n, pa.string()),
        "token_symbol": pa.array([t.symbol for t in token_rows], pa.string()),
        "token_address": kept["mint"],
        "decimals": registry_decimals,
        "kind": kept["kind"],
        "from_address": kept["from_address"],
        "to_address": kept["to_address"],
        "amount_raw": kept["amount_raw"],
        "block_number": kept["slot"],
        "block_hash": hashes,
        "block_time": kept["block_time"],
        "block_day": kept["block_time"].cast(pa.date32()),
        "tx_hash": kept["signature"],
        "log_index": kept["log_index"],
        "inner_index": kept["inner_index"],
        "fetched_at": pa.array([fetched_at] * n, TIMESTAMP),
    }, schema=TOKEN_TRANSFERS_SCHEMA)

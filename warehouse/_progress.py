"""What ingestion has read: cursors that only move forward, the days each reader has finished,
and the blocks of each day. Written in the same transaction as the rows they describe, read at
the start of the next run, so a killed run resumes where it stopped and a re-run re-fetches no
finished day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Cursor:
    """How far one (network, chain, contract, record kind) has been read; `ref` is the newest
    signature read (Solana)."""

    network: str
    chain: str
    contract: str
    record_kind: str
    last_block: int
    last_day: date
    source: str
    ref: str | None = None


@dataclass(frozen=True)
class IngestDay:
    """One reader's finished (or, when not `complete`, partly read) day for one scope."""

    network: str
    chain: str
    source: str
    record_kind: str
    scope: str
    day: date
    row_count: int
    complete: bool
    first_block: int | None = None
    last_block: int | None = None
    oldest_ref: str | None = None
    newest_ref: str | None = None


@dataclass(frozen=True)
class BlockDay:
    """The blocks (or heights) of one UTC day, and their times."""

    chain: str
    source: str
    day: date
    first_block: int
    last_block: int
    first_block_time: datetime
    last_block_time: datetime
    next_block_time: datetime | None = None


@dataclass(frozen=True)
class Progress:
    """Everything a load records besides its rows, committed with them."""

    cursors: Sequence[Cursor] = ()
    days: Sequence[IngestDay] = ()
    block_days: Sequence[BlockDay] = ()


def record_progress(conn: duckdb.DuckDBPyConnection, progress: Progress) -> None:
    """Write `progress` (inside the caller's transaction)."""
    for cursor in progress.cursors:
        _advance_cursor(conn, cursor)
    now = datetime.now(UTC)
    for d in progress.days:
        conn.execute("delete from raw.ingest_days where chain = ? and source = ? and record_kind = ? and scope = ? "
                     "and day = ?", [d.chain, d.source, d.record_kind, d.scope, d.day])
        conn.execute("insert into raw.ingest_days values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [d.network, d.chain, d.source, d.record_kind, d.scope, d.day, d.row_count, d.complete,
                      d.first_block, d.last_block, d.oldest_ref, d.newest_ref, now])
    for b in progress.block_days:
        key = [b.chain, b.source, b.day]
        known = conn.execute("select first_block, last_block, first_block_time, last_block_time, next_block_time "
                             "from raw.block_days where chain = ? and source = ? and day = ?", key).fetchall()
        if known == [(b.first_block, b.last_block, b.first_block_time, b.last_block_time, b.next_block_time)]:
            continue  # already recorded (by another reader of the chain): rewriting it would only conflict
        conn.execute("delete from raw.block_days where chain = ? and source = ? and day = ?", key)
        conn.execute("insert into raw.block_days values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [*key, b.first_block, b.last_block, b.first_block_time, b.last_block_time, b.next_block_time, now])


def _advance_cursor(conn: duckdb.DuckDBPyConnection, cursor: Cursor) -> None:
    """Move one cursor forward; a cursor already further (a backfill of older days) stays where it is."""
    key = [cursor.network, cursor.chain, cursor.contract, cursor.record_kind]
    current = conn.execute("select max(last_block) from raw.ingest_state where network = ? and chain = ? and "
                           "contract = ? and record_kind = ?", key).fetchone()[0]
    if current is not None and current >= cursor.last_block:
        return
    conn.execute("delete from raw.ingest_state where network = ? and chain = ? and contract = ? and record_kind = ?",
                 key)
    conn.execute("insert into raw.ingest_state (network, chain, contract, record_kind, last_block, last_day, source, "
                 "updated_at, last_ref) values (?, ?, ?, ?, ?, ?, ?, now(), ?)",
                 [*key, cursor.last_block, cursor.last_day, cursor.source, cursor.ref])


def settle_cursors(conn: duckdb.DuckDBPyConnection) -> int:
    """Keep one row per cursor key, the furthest, in one transaction of its own; returns the rows removed.

    One writer never leaves two. Parallel workers on a DuckLake can: two that insert the same new
    key at the same moment both commit (inserts never conflict there, and a lake has no unique
    keys). Readers take the furthest row meanwhile, and the next advance of the key replaces both.
    """
    where = "network = ? and chain = ? and contract = ? and record_kind = ?"
    conn.execute("begin transaction")
    try:
        removed = 0
        for key in conn.execute("select network, chain, contract, record_kind from raw.ingest_state "
                                "group by all having count(*) > 1").fetchall():
            rows = conn.execute(f"select * from raw.ingest_state where {where} order by last_block desc, "
                                "updated_at desc", key).fetchall()
            conn.execute(f"delete from raw.ingest_state where {where}", key)
            conn.execute(f"insert into raw.ingest_state values ({', '.join('?' for _ in rows[0])})", rows[0])
            removed += len(rows) - 1
        conn.execute("commit")
    except BaseException:
        try:
            conn.execute("rollback")
        except Exception:  # noqa: BLE001 - a DuckLake commit that failed has already ended the transaction
            pass
        raise
    return removed


@dataclass
class Ledger:
    """The finished days of one reader (chain, source, record kind) over a window, per scope."""

    complete: dict[str, set[date]] = field(default_factory=lambda: defaultdict(set))
    anchors: dict[str, dict[date, tuple[str | None, str | None]]] = field(default_factory=lambda: defaultdict(dict))

    def pending(self, scopes: Iterable[str], day: date, *, refresh: bool = False) -> list[str]:
        """The scopes whose `day` is still to read (all of them when refreshing)."""
        return [s for s in scopes if refresh or day not in self.complete[s]]


def read_ledger(conn: duckdb.DuckDBPyConnection, *, chain: str, source: str, record_kind: str) -> Ledger:
    """Every finished day of one reader, with its paging anchors."""
    ledger = Ledger()
    for scope, day, complete, oldest, newest in conn.execute(
            "select scope, day, complete, oldest_ref, newest_ref from raw.ingest_days "
            "where chain = ? and source = ? and record_kind = ?", [chain, source, record_kind]).fetchall():
        if complete:
            ledger.complete[scope].add(day)
            ledger.anchors[scope][day] = (oldest, newest)
    return ledger


def read_cursor(conn: duckdb.DuckDBPyConnection, *, network: str, chain: str, contract: str,
                record_kind: str) -> Cursor | None:
    """The cursor of one (network, chain, contract, record kind), or None before the first read."""
    row = conn.execute("select last_block, last_day, source, last_ref from raw.ingest_state where network = ? and "
                       "chain = ? and contract = ? and record_kind = ? order by last_block desc limit 1",
                       [network, chain, contract, record_kind]).fetchone()
    if row is None:
        return None
    return Cursor(network, chain, contract, record_kind, row[0], row[1], row[2], row[3])


def read_block_days(conn: duckdb.DuckDBPyConnection, *, chain: str, source: str) -> list[BlockDay]:
    """Every day whose blocks are known for `chain`."""
    return [BlockDay(*row) for row in conn.execute(
        "select chain, source, day, first_block, last_block, first_block_time, last_block_time, next_block_time "
        "from raw.block_days where chain = ? and source = ? order by day", [chain, source]).fetchall()]

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
    """Write `progress` (inside the caller's transaction), in as few statements as the tables allow.

    Why so few: on a DuckLake every statement that touches a table asks the PostgreSQL catalog
    (about 5 ms of client CPU each), and a delete of rows is the dearest of all, so a load that
    wrote its progress row by row spent most of its time here (benchmarks/scale_out.py).
    Cursors are appended, never updated (`_append_cursors`); finished days and block days are
    replaced in one delete and one insert each.
    """
    now = datetime.now(UTC)
    _append_cursors(conn, progress.cursors, now)
    if progress.days:
        keys = [(d.chain, d.source, d.record_kind, d.scope, d.day) for d in progress.days]
        conn.execute(f"delete from raw.ingest_days where {_matching(('chain', 'source', 'record_kind', 'scope', 'day'), keys)}",
                     _flat(keys))
        values = [(d.network, d.chain, d.source, d.record_kind, d.scope, d.day, d.row_count, d.complete,
                   d.first_block, d.last_block, d.oldest_ref, d.newest_ref, now) for d in progress.days]
        conn.execute(f"insert into raw.ingest_days {_rows(values)}", _flat(values))
    _replace_block_days(conn, progress.block_days, now)


def _append_cursors(conn: duckdb.DuckDBPyConnection, cursors: Sequence[Cursor], now: datetime) -> None:
    """Append one row per cursor; the furthest row of a key is its cursor (`read_cursor`).

    Forward only without reading first: a backfill of older days appends a row behind the
    furthest, which readers pass over. Appending also never conflicts with another worker
    writing the same key on a DuckLake (deletes do). `settle_cursors` keeps only the furthest
    row of each key at the end of a run.
    """
    if not cursors:
        return
    values = [(c.network, c.chain, c.contract, c.record_kind, c.last_block, c.last_day, c.source, now, c.ref)
              for c in cursors]
    conn.execute("insert into raw.ingest_state (network, chain, contract, record_kind, last_block, last_day, source, "
                 f"updated_at, last_ref) {_rows(values)}", _flat(values))


def _replace_block_days(conn: duckdb.DuckDBPyConnection, block_days: Sequence[BlockDay], now: datetime) -> None:
    """Record the block days not already recorded as they are (another reader of the chain may have written the
    same day: rewriting it would only conflict with that reader on a DuckLake)."""
    if not block_days:
        return
    keys = [(b.chain, b.source, b.day) for b in block_days]
    known = set(conn.execute(
        "select chain, source, day, first_block, last_block, first_block_time, last_block_time, next_block_time "
        f"from raw.block_days where {_matching(('chain', 'source', 'day'), keys)}", _flat(keys)).fetchall())
    changed = [b for b in block_days if (b.chain, b.source, b.day, b.first_block, b.last_block, b.first_block_time,
                                         b.last_block_time, b.next_block_time) not in known]
    if not changed:
        return
    keys = [(b.chain, b.source, b.day) for b in changed]
    conn.execute(f"delete from raw.block_days where {_matching(('chain', 'source', 'day'), keys)}", _flat(keys))
    values = [(b.chain, b.source, b.day, b.first_block, b.last_block, b.first_block_time, b.last_block_time,
               b.next_block_time, now) for b in changed]
    conn.execute(f"insert into raw.block_days {_rows(values)}", _flat(values))


def _rows(rows: Sequence[tuple]) -> str:
    """`values (?, ?), (?, ?)` for `rows` (a VALUES list of placeholders; the values go in `_flat(rows)`)."""
    one = f"({', '.join('?' for _ in rows[0])})"
    return "values " + ", ".join(one for _ in rows)


def _matching(columns: Sequence[str], keys: Sequence[tuple]) -> str:
    """A WHERE condition matching any of `keys` (values in `_flat(keys)`), written as equalities: DuckLake prunes
    files with those, where a row-value `in (values ...)` reads the whole table."""
    one = "(" + " and ".join(f"{column} = ?" for column in columns) + ")"
    return " or ".join(one for _ in keys)


def _flat(rows: Sequence[tuple]) -> list:
    return [value for row in rows for value in row]


def settle_cursors(conn: duckdb.DuckDBPyConnection) -> int:
    """Keep one row per cursor key, the furthest, in one transaction of its own; returns the rows removed.

    Loads append cursor rows (`_append_cursors`), so a reader leaves one row per load of a key;
    readers take the furthest meanwhile. The pipeline's warehouse connections settle them when
    their work is done (pipelines/defs/resources.py), and the coordinator of parallel workers
    before and after they run (pipelines/parallel.py), through `settle_progress`.
    """
    return _keep_one_row_per_key(conn, "raw.ingest_state", "network, chain, contract, record_kind",
                                 "last_block desc, updated_at desc")


# The row of a day kept when it has several: one that knows the next day's first block time, then the latest.
_FULLEST_BLOCK_DAY = "next_block_time is null, fetched_at desc, last_block desc"


def settle_block_days(conn: duckdb.DuckDBPyConnection) -> int:
    """Keep one row per (chain, source, day) of raw.block_days, the fullest, in one transaction of its own;
    returns the rows removed.

    Every reader of a chain records the block days it measured (`_replace_block_days`). Workers running
    different readers of one chain at once (shares of readers, pipelines/parallel.py) may record the same
    day at the same moment: on a DuckLake neither transaction sees the other's row, both delete nothing and
    insert, and no key is unique, so the day has two rows (the same blocks, measured twice). Readers take one
    (`read_block_days`) meanwhile; dbt's primary key test on stg_onchain__block_days would refuse both.
    """
    return _keep_one_row_per_key(conn, "raw.block_days", "chain, source, day", _FULLEST_BLOCK_DAY)


def settle_progress(conn: duckdb.DuckDBPyConnection) -> int:
    """Settle what loads may leave doubled: cursors (`settle_cursors`) and block days (`settle_block_days`);
    returns the rows removed."""
    return settle_cursors(conn) + settle_block_days(conn)


def _keep_one_row_per_key(conn: duckdb.DuckDBPyConnection, table: str, key: str, first: str) -> int:
    """Keep, of each `key` with several rows in `table`, the row `first` (an ORDER BY) puts first, in one
    transaction of its own; returns the rows removed.

    Safe beside another writer: its deletes remove only the rows this transaction saw, so a row appended
    meanwhile stays. One read when no key is doubled; else the same few statements however many rows.
    """
    from warehouse._lake import retry_on_conflict
    from warehouse._load import transaction

    doubled = f"select {key} from {table} group by all having count(*) > 1"
    if not conn.execute(f"select exists ({doubled})").fetchone()[0]:
        return 0

    def settle() -> int:
        with transaction(conn):
            conn.execute(f"""
                create or replace temp table settled_rows as
                select * from {table}
                where ({key}) in ({doubled})
                qualify row_number() over (partition by {key} order by {first}) = 1""")
            kept = conn.execute("select count(*) from settled_rows").fetchone()[0]
            if not kept:
                return 0
            deleted = conn.execute(f"delete from {table} where ({key}) in "
                                   f"(select {key} from settled_rows)").fetchone()[0]
            conn.execute(f"insert into {table} by name select * from settled_rows")
            conn.execute("drop table settled_rows")
            return deleted - kept

    return retry_on_conflict(settle)


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
                       "chain = ? and contract = ? and record_kind = ? order by last_block desc, updated_at desc limit 1",
                       [network, chain, contract, record_kind]).fetchone()
    if row is None:
        return None
    return Cursor(network, chain, contract, record_kind, row[0], row[1], row[2], row[3])


def read_block_days(conn: duckdb.DuckDBPyConnection, *, chain: str, source: str) -> list[BlockDay]:
    """Every day whose blocks are known for `chain`, once (the fullest row of a day two workers recorded at
    once, until `settle_block_days` keeps only it)."""
    return [BlockDay(*row) for row in conn.execute(
        "select chain, source, day, first_block, last_block, first_block_time, last_block_time, next_block_time "
        "from raw.block_days where chain = ? and source = ? "
        f"qualify row_number() over (partition by day order by {_FULLEST_BLOCK_DAY}) = 1 order by day",
        [chain, source]).fetchall()]

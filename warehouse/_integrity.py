"""Refuse a damaged warehouse file before anything writes into it.

DuckDB 2.0 opens a file cut short (a half-copied backup, a full disk, an interrupted transfer)
as long as its header and catalog survive, and a write then grows the file again, so the steps
that still work would write into it. The probe here checks that every block in use is on disk:
at least as many blocks as `pragma database_size` counts in use, and the highest block the
catalog (`pragma_metadata_info`) or any table's stored segments (`pragma_storage_info`) point
at. It reads metadata only, so it takes milliseconds whatever the warehouse holds. Not seen
here: a bit flip inside a data block (DuckDB's block checksum reports it when a query reads
that block), and a cut that only removes index blocks while the used-block count still fits.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# DuckDB's file layout: a main header and two database headers of 4 KiB each, then the blocks
HEADER_BYTES = 3 * 4096

# what DuckDB says when it cannot open a damaged file (anything else, a lock held by another
# process included, is not damage and passes through unchanged)
_DAMAGE_MARKERS = ("could not read enough bytes", "not a valid duckdb database file", "corrupt database file",
                   "checksum")


class WarehouseCorrupt(Exception):
    """The working warehouse file is damaged; nothing was written to it."""

    def __init__(self, path: Path | str, *, cause: str) -> None:
        self.path, self.cause = Path(path), cause
        super().__init__(
            f"warehouse {self.path} is damaged ({cause}); nothing was written to it. Move it aside (or restore it "
            "from a backup) and rebuild it: `depinlens up` for the demo, or `depinlens run --from DAY --to DAY` over "
            "the days it held (the chains and the benchmark inbox are read again); the dashboards keep showing the "
            "last published marts meanwhile"
        )


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error raised while opening a file means the file itself is damaged."""
    text = str(exc).lower()
    return any(marker in text for marker in _DAMAGE_MARKERS)


def _highest_block_in_use(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest block id the catalog and every table's stored segments point at (-1 for none).

    Reads metadata only (no table data), so it costs milliseconds whatever the warehouse holds.
    """
    highest = conn.execute("select coalesce(max(block_id), -1) from pragma_metadata_info()").fetchone()[0]
    tables = conn.execute("select schema_name, table_name from duckdb_tables() "
                          "where database_name = current_database()").fetchall()
    for schema, table in tables:
        name = '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))
        stored = conn.execute("select max(block_id) from pragma_storage_info(?) where persistent and block_id >= 0",
                              [name]).fetchone()[0]
        highest = max(highest, stored if stored is not None else -1)
    return int(highest)


def check_open_warehouse(conn: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Raise WarehouseCorrupt when blocks in use lie past the end of the open file at `path`.

    The header's block count is no measure: DuckDB cuts free blocks off the end of the file
    and keeps counting them. What must be on disk is every block in use: at least as many
    blocks as are in use, and the highest block any table or the catalog points at. Call it
    right after opening, before any statement that writes.
    """
    on_disk = Path(path).stat().st_size
    try:
        used_blocks, block_size = conn.execute(
            "select used_blocks, block_size from pragma_database_size() where database_name = current_database()"
        ).fetchone()
        needed_blocks = max(int(used_blocks), _highest_block_in_use(conn) + 1)
    except duckdb.Error as exc:
        if is_damage(exc):
            raise WarehouseCorrupt(path, cause=f"DuckDB cannot read it: {str(exc).splitlines()[0]}") from exc
        raise
    needed = HEADER_BYTES + needed_blocks * int(block_size)
    if on_disk < needed:
        raise WarehouseCorrupt(path, cause=f"the file is {on_disk:,} bytes but the blocks in use need {needed:,}: "
                                           "it was cut short")

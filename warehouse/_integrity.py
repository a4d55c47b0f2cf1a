"""Refuse a damaged warehouse file before anything writes into it.

DuckDB 2.0 opens a file cut short (a half-copied backup, a full disk, an interrupted transfer)
as long as its header and catalog survive, and a write then grows the file from the header's
block count, so the steps that still work would write into it. The header says how many
blocks the file holds (`pragma database_size`); a file shorter than those blocks is damaged.
That probe reads the header and the catalog only, so it costs the same for any warehouse
size. A bit flip inside a data block is not seen here: DuckDB's block checksum reports it
when a query reads that block.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def missing_bytes(conn: duckdb.DuckDBPyConnection, path: Path | str) -> tuple[int, int]:
    """(bytes on disk, bytes the header's blocks need) of the open database file at `path`."""
    total_blocks, block_size = conn.execute(
        "select total_blocks, block_size from pragma_database_size() where database_name = current_database()"
    ).fetchone()
    return Path(path).stat().st_size, HEADER_BYTES + int(total_blocks) * int(block_size)


def check_open_warehouse(conn: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Raise WarehouseCorrupt when the open file at `path` is shorter than its header says.

    Call it right after opening, before any statement that writes.
    """
    on_disk, needed = missing_bytes(conn, path)
    if on_disk < needed:
        raise WarehouseCorrupt(path, cause=f"the file is {on_disk:,} bytes but its header describes {needed:,}: "
                                           "it was cut short")

"""Where published versions live, and the pointer that names the current one.

The serving path (`DEPINLENS_SERVING`, default `data/serving.duckdb`) is a symbolic link to
the current version, `serving.versions/serving-<UTC stamp>-<pid>.duckdb` beside it. Each
publish writes a new version under a new name and then swaps the link with `os.replace`, so:

* a reader that resolves the link gets a path it has never opened: DuckDB keeps one database
  instance per path in a process while any connection to it is open, and a replaced file at
  the same path would be answered from that old instance;
* any tool that opens the serving path (the duckdb CLI, `duckdb.connect`) opens the current
  version, because the link is followed;
* an old version is deleted only when no other process holds it (DuckDB keeps a read lock on
  every file it has open), so no reader is left holding a deleted file.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

VERSIONS_KEPT = 2  # the current version and the one before it


def versions_dir(pointer: Path | str) -> Path:
    """The folder of published versions beside the pointer: `serving.duckdb` -> `serving.versions/`."""
    pointer = Path(pointer)
    return pointer.with_name(f"{pointer.stem}.versions")


def new_version_path(pointer: Path | str, now: datetime | None = None) -> Path:
    """A name no earlier publish used: the UTC time to the microsecond and this process's id."""
    pointer = Path(pointer)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return versions_dir(pointer) / f"{pointer.stem}-{stamp}-{os.getpid()}{pointer.suffix or '.duckdb'}"


def resolve_serving(pointer: Path | str) -> Path | None:
    """The file the serving path names now (itself when it is a plain file), None when nothing is published."""
    pointer = Path(pointer)
    return pointer.resolve() if pointer.exists() else None


def switch_pointer(pointer: Path | str, version: Path | str) -> None:
    """Point the serving path at `version` in one atomic rename (a relative link, so the folder can move)."""
    pointer, version = Path(pointer), Path(version)
    link = pointer.with_name(f".{pointer.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(version, pointer.parent), link)
    os.replace(link, pointer)


def _held_elsewhere(path: Path) -> bool:
    """Whether another process has the file open through DuckDB (which read-locks every file it opens).

    Locks are per process, so a connection of this process does not count; on Linux it keeps
    reading a deleted file, and this process's own readers are expected to follow the pointer.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def prune_versions(pointer: Path | str, keep: int = VERSIONS_KEPT) -> list[Path]:
    """Delete versions older than the `keep` newest (never the current one) and leftovers of
    interrupted publishes, skipping any file another process holds; returns what was deleted."""
    folder = versions_dir(pointer)
    if not folder.is_dir():
        return []
    current = resolve_serving(pointer)
    versions = sorted((p for p in folder.iterdir() if p.suffix != ".tmp" and not p.name.endswith(".wal")),
                      key=lambda p: p.name, reverse=True)
    kept = {current, *[v for v in versions if v != current][:max(keep - 1, 0)]}
    leftovers = [p for p in folder.iterdir() if p.suffix == ".tmp"]
    deleted = []
    for path in [p for p in versions if p not in kept] + leftovers:
        if _held_elsewhere(path):
            continue
        path.unlink(missing_ok=True)
        path.with_name(f"{path.name}.wal").unlink(missing_ok=True)
        deleted.append(path)
    return deleted

"""The submissions inbox: a local directory or any fsspec URL (s3://bucket/prefix with s3fs, …).

Writers make a file appear whole: locally through a hidden temporary name and os.replace, on
object stores through one PUT. Readers list only visible `*.json` names, so a half-written
file is never picked up. Nothing here deletes a submission.

Anyone who can write to the inbox can put anything there, so the reader trusts no entry: it
lists entries without following symlinks (lstat), says what kind each one is, and opens only
regular files, with O_NOFOLLOW and O_NONBLOCK so that an entry swapped after the listing for a
symlink or a FIFO is refused instead of followed or waited on.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gpu_bench.errors import InboxError, UnreadableEntry

# What an inbox entry is, from lstat (never from its target). "unknown": lstat itself failed.
EntryKind = Literal["file", "symlink", "directory", "fifo", "socket", "device", "other", "unknown"]
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class InboxFile:
    """One inbox entry named like a submission: where it is, its size, a change marker (mtime or
    ETag), and what kind of entry it is (only a "file" is ever opened by the pipeline)."""

    path: str
    name: str
    size: int
    version: str
    kind: EntryKind = "file"


def is_local(inbox: str) -> bool:
    """A plain path or a file:// URL."""
    return "://" not in inbox or inbox.startswith("file://")


def local_path(inbox: str) -> Path:
    return Path(inbox.removeprefix("file://")).expanduser()


def submit(data: bytes, name: str, inbox: str) -> str:
    """Deliver one submission file to the inbox under `name`; returns where it went.

    An identical file already there is left as is; a different file of the same name is an error
    (names are run ids, so that is a different run under a reused name).
    """
    if "/" in name or name.startswith(".") or not name.endswith(".json"):
        raise InboxError(f"submission name {name!r} must be a plain '<run id>.json'")
    if is_local(inbox):
        folder = local_path(inbox)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        if target.exists():
            if target.read_bytes() == data:
                return str(target)
            raise InboxError(f"{target} already exists with different content; not overwriting a submission")
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return str(target)
    fs, root = _fs(inbox)
    target = f"{root.rstrip('/')}/{name}"
    try:
        if fs.exists(target):
            if fs.cat_file(target) == data:
                return _url(inbox, target)
            raise InboxError(f"{_url(inbox, target)} already exists with different content; not overwriting")
        fs.pipe_file(target, data)
    except InboxError:
        raise
    except Exception as exc:  # noqa: BLE001 - transport errors become one actionable message
        raise InboxError(f"could not write {_url(inbox, target)}: {type(exc).__name__}: {exc}; check the inbox URL "
                         "and credentials (for s3:// install s3fs and set AWS_* or an fsspec config)") from exc
    return _url(inbox, target)


def list_inbox(inbox: str) -> list[InboxFile]:
    """Visible `*.json` entries of the inbox, of any kind, sorted by name; an absent inbox is empty.

    Symlinks are described, not followed; an entry that vanishes while listed is left out.
    """
    if is_local(inbox):
        folder = local_path(inbox)
        if not folder.is_dir():
            return []
        out = []
        for entry in os.scandir(folder):
            if not entry.name.endswith(".json") or entry.name.startswith("."):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            except OSError:
                out.append(InboxFile(path=entry.path, name=entry.name, size=0, version="unknown", kind="unknown"))
                continue
            out.append(InboxFile(path=entry.path, name=entry.name, size=st.st_size,
                                 version=f"{st.st_mtime_ns}:{st.st_size}", kind=_kind(st.st_mode)))
        return sorted(out, key=lambda f: f.name)
    fs, root = _fs(inbox)
    if not fs.exists(root):
        return []
    out = []
    for info in fs.ls(root, detail=True):
        name = info["name"].rstrip("/").rsplit("/", 1)[-1]
        if name.endswith(".json") and not name.startswith("."):
            marker = info.get("ETag") or info.get("mtime") or info.get("LastModified") or info.get("created")
            kind: EntryKind = {"file": "file", "directory": "directory"}.get(info.get("type"), "other")
            out.append(InboxFile(path=_url(inbox, info["name"]), name=name, size=int(info.get("size") or 0),
                                 version=f"{marker}:{info.get('size')}", kind=kind))
    return sorted(out, key=lambda f: f.name)


def read_head(path: str, limit: int) -> tuple[bytes, str, int]:
    """(the first `limit` + 1 bytes, sha256 of the whole file, its size), reading in 1 MiB chunks.

    Holding at most limit + 1 bytes lets the verifier refuse an oversized file while its
    rejection still records the whole file's digest. A local path is opened only if it is a
    regular file and not a symlink (checked on the open descriptor, so no race can swap it).

    Raises:
        UnreadableEntry: not a regular file (its `kind` says what it is), or opening/reading failed.
        FileNotFoundError: the file is gone.
    """
    if is_local(path):
        return _read_local(local_path(path), limit)
    import fsspec

    try:
        with fsspec.open(path, "rb") as f:
            return _read_chunks(f.read, limit)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - any transport failure is this one file's problem
        raise UnreadableEntry(f"could not be read ({type(exc).__name__}: {exc})", path=printable(path)) from exc


def printable(text: str) -> str:
    """`text` as it is stored and shown: printable UTF-8 unchanged, anything else escaped.

    A byte that is not UTF-8 (os.fsdecode's surrogate escape) becomes `\\xNN`, a control or
    format character (newline, escape, a bidi override) its `\\n`/`\\x1b`/`\\u202e` form, and a
    backslash `\\\\`, so two different names never print the same.
    """
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a submission's name, or None: it must be printable UTF-8."""
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        return f"the file name {printable(name)} is not UTF-8"
    if not name.isprintable():
        return f"the file name {printable(name)} holds control or format characters"
    return None


def _kind(mode: int) -> EntryKind:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def _read_local(path: Path, limit: int) -> tuple[bytes, str, int]:
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableEntry("is a symlink", path=printable(str(path)), kind="symlink") from None
        raise UnreadableEntry(f"could not be opened ({exc.strerror})", path=printable(str(path))) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind != "file":
            raise UnreadableEntry(f"is a {kind}", path=printable(str(path)), kind=kind)
        return _read_chunks(lambda n: os.read(fd, n), limit)
    except OSError as exc:
        raise UnreadableEntry(f"could not be read ({exc.strerror})", path=printable(str(path))) from None
    finally:
        os.close(fd)


def _read_chunks(read: Any, limit: int) -> tuple[bytes, str, int]:
    sha, head, size = hashlib.sha256(), bytearray(), 0
    while chunk := read(1 << 20):
        sha.update(chunk)
        size += len(chunk)
        if len(head) <= limit:
            head += chunk[: limit + 1 - len(head)]
    return bytes(head), sha.hexdigest(), size


def _fs(inbox: str) -> tuple[Any, str]:
    import fsspec

    try:
        return fsspec.core.url_to_fs(inbox)
    except (ImportError, ValueError) as exc:
        raise InboxError(f"cannot open inbox {inbox}: {exc}") from exc


def _url(inbox: str, path: str) -> str:
    """A full URL for a path fsspec returned without its protocol."""
    fs, _root = _fs(inbox)
    return fs.unstrip_protocol(path)

"""The submissions inbox: a local directory or any fsspec URL (s3://bucket/prefix with s3fs, …).

Writers make a file appear whole: locally through a hidden temporary name and os.replace, on
object stores through one PUT. Readers list only visible `*.json` names, so a half-written
file is never picked up. Nothing here deletes a submission.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpu_bench.errors import InboxError


@dataclass(frozen=True)
class InboxFile:
    """One submission in the inbox: where it is, its size, and a change marker (mtime or ETag)."""

    path: str
    name: str
    size: int
    version: str


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
    """Visible `*.json` submissions in the inbox, sorted by name; an absent inbox is empty."""
    if is_local(inbox):
        folder = local_path(inbox)
        if not folder.is_dir():
            return []
        out = []
        for entry in os.scandir(folder):
            if entry.is_file() and entry.name.endswith(".json") and not entry.name.startswith("."):
                st = entry.stat()
                out.append(InboxFile(path=entry.path, name=entry.name, size=st.st_size,
                                     version=f"{st.st_mtime_ns}:{st.st_size}"))
        return sorted(out, key=lambda f: f.name)
    fs, root = _fs(inbox)
    if not fs.exists(root):
        return []
    out = []
    for info in fs.ls(root, detail=True):
        name = info["name"].rstrip("/").rsplit("/", 1)[-1]
        if info.get("type") == "file" and name.endswith(".json") and not name.startswith("."):
            marker = info.get("ETag") or info.get("mtime") or info.get("LastModified") or info.get("created")
            out.append(InboxFile(path=_url(inbox, info["name"]), name=name, size=int(info.get("size") or 0),
                                 version=f"{marker}:{info.get('size')}"))
    return sorted(out, key=lambda f: f.name)


def read_head(path: str, limit: int) -> tuple[bytes, str, int]:
    """(the first `limit` + 1 bytes, sha256 of the whole file, its size), reading in 1 MiB chunks.

    Holding at most limit + 1 bytes lets the verifier refuse an oversized file while its
    rejection still records the whole file's digest.
    """
    import fsspec

    sha, head, size = hashlib.sha256(), bytearray(), 0
    opener: Any = open(local_path(path), "rb") if is_local(path) else fsspec.open(path, "rb")
    with opener as f:
        while chunk := f.read(1 << 20):
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

"""Handing a cluster's files to the server user while the server runs (depinlens/postgres.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from depinlens import postgres


def test_a_file_the_running_server_removes_meanwhile_is_passed_over(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL rewrites global/pg_internal.init as it starts and stops: the chown must not fail on it."""
    (tmp_path / "global").mkdir()
    kept, removed = tmp_path / "global" / "pg_control", tmp_path / "global" / "pg_internal.init"
    kept.write_bytes(b"x")
    removed.write_bytes(b"x")
    given: list[str] = []
    real_chown = os.chown

    def chown_while_the_server_runs(path, uid, gid):
        if Path(path) == removed:
            removed.unlink()  # the server removed it after the walk listed it
        real_chown(path, uid, gid)
        given.append(str(path))

    monkeypatch.setattr(postgres.os, "chown", chown_while_the_server_runs)
    postgres._give_tree(tmp_path, os.getuid(), os.getgid())
    assert sorted(given) == sorted([str(tmp_path), str(tmp_path / "global"), str(kept)])

"""The primary_key data test (dbt/tests/generic/primary_key.sql) fails on a key held twice and on a
missing key, one failing row each, and passes every key held once.

Real dbt against a real DuckDB file: the test's own SQL, run by `dbt show` over a relation with
a key held twice, a key held once and a null key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from depinlens.settings import DBT_PROJECT_DIR
from warehouse import connect_warehouse

KEYS = "(select * from (values ('a'), ('a'), ('b'), (null)) as keys(key))"


def test_a_key_held_twice_or_missing_is_a_failing_row_and_a_key_held_once_is_not(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    connect_warehouse(warehouse).close()
    dbt = Path(sys.executable).with_name("dbt")

    done = subprocess.run([str(dbt), "show", "--quiet", "--output", "json", "--inline",
                           f"{{{{ test_primary_key(\"{KEYS}\", 'key') }}}}", "--project-dir", str(DBT_PROJECT_DIR),
                           "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target")],
                          env={**os.environ, "DEPINLENS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    failing = {(row["key_value"], row["n_records"]) for row in json.loads(done.stdout)["show"]}
    assert failing == {("a", 2), (None, 1)}

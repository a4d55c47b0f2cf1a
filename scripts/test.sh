#!/usr/bin/env bash
# README command 2: install everything plus the test extras, then run the whole test suite
# against the real parts (anvil, DuckDB, Dagster, dbt, Streamlit). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Setup must leave the checkout as it found it (README's first command runs the same setup):
# `git status --porcelain` before and after must match. Outside a git checkout, say so and skip.
checkout_status() { git status --porcelain --untracked-files=all 2>/dev/null; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  before=$(checkout_status)
  bash scripts/setup.sh --test
  after=$(checkout_status)
  if [ "$before" != "$after" ]; then
    echo "scripts/setup.sh changed the checkout (git status --porcelain, before vs after):" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    echo "commit what setup regenerates (e.g. package-lock.json) or add what it writes to .gitignore" >&2
    exit 1
  fi
  echo "==> checkout unchanged by setup"
else
  echo "==> not a git checkout: the check that setup leaves git status clean is skipped"
  bash scripts/setup.sh --test
fi

# Two worker processes (pytest-xdist), each taking whole test files (module fixtures stay shared):
# most tests wait on real child processes (anvil, dbt, Streamlit), so two overlap well on 2 cores.
# DEPINLENS_TEST_WORKERS=0 runs the suite in this process.
exec .venv/bin/python -m pytest -n "${DEPINLENS_TEST_WORKERS:-2}" --dist loadfile "$@"

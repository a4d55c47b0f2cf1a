#!/usr/bin/env bash
# README command 2: install everything plus the test extras, then run the whole test suite
# against the real parts (anvil, DuckDB, Dagster, dbt, Streamlit). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# README command 1: install everything, run the main job on the embedded default
# (local anvil chain with demo activity -> Dagster ingest -> dbt build -> publish)
# and serve the dashboards on 127.0.0.1. Extra arguments go to `depinlens up`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/depinlens up "$@"

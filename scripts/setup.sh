#!/usr/bin/env bash
# Install what depinlens needs into this checkout: a Python virtual environment (.venv)
# with the project and its dependencies, and the npm tools pinned by package-lock.json
# (the anvil EVM node). Safe to run again: pip installs only what is missing or changed, and
# `npm ci` reinstalls node_modules/ from the lock. It leaves `git status` as it found it.
#
#   bash scripts/setup.sh            runtime only
#   bash scripts/setup.sh --test     runtime + test extras + CPU benchmark suites (torch, pinned)
#   bash scripts/setup.sh --team     runtime + PostgreSQL, for `depinlens up --team` (DuckLake warehouse)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
team=""
for arg in "$@"; do
  case "$arg" in
    --test) extras="test,bench" ;;
    --team) team=1 ;;
    *) echo "setup.sh: unknown option $arg (use --test or --team)" >&2; exit 2 ;;
  esac
done

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "depinlens needs Python 3.11+; set PYTHON=/path/to/python3.11" >&2; exit 1
fi
command -v npm >/dev/null || { echo "depinlens needs Node.js 20+ with npm (apt-get install nodejs npm)" >&2; exit 1; }

quiet_pip() {  # pip, minus the noise of this machine's local-index warnings; keeps pip's exit code
  .venv/bin/pip "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

[ -x .venv/bin/python ] || "$python" -m venv .venv
echo "==> Python packages (.venv)"
# gpu_bench is its own distribution (./gpu_bench), which depinlens depends on: both in one install
quiet_pip install --quiet --disable-pip-version-check -e ./gpu_bench -e ".${extras:+[$extras]}"

echo "==> npm tools (anvil, pinned by package-lock.json)"
# `npm ci`: exactly what the lock pins, and the lock is never rewritten. The lock lists anvil's
# binary package for every platform (darwin, linux, win32; npm installs only this machine's),
# so it is complete and a fresh clone stays clean.
npm ci --no-audit --no-fund --loglevel=error

# Debian packages: WeasyPrint's libraries (PDF reports) always; Chromium (browser tests),
# poppler-utils (PDF pages to PNG) and PostgreSQL (the DuckLake backend's tests, `up --team`)
# with --test. Only what is missing is installed.
debs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
[ -n "$extras" ] && debs="$debs chromium poppler-utils postgresql"
[ -n "$team" ] && debs="$debs postgresql"
missing=$(for d in $debs; do dpkg -s "$d" >/dev/null 2>&1 || echo "$d"; done)
if [ -n "$missing" ]; then
  echo "==> Debian packages: $(echo $missing)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "   not root: run 'sudo apt-get install $(echo $missing)' (PDF reports / browser tests need them)" >&2
  fi
fi

echo "==> dbt manifest"
.venv/bin/dbt parse --quiet --project-dir dbt --profiles-dir dbt

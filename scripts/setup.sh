#!/usr/bin/env bash
# Install what depinlens needs into this checkout: a Python virtual environment (.venv)
# with the project and its dependencies, and the npm tools pinned by package-lock.json
# (the anvil EVM node). Safe to run again: it only installs what is missing or changed.
#
#   bash scripts/setup.sh            runtime only
#   bash scripts/setup.sh --test     runtime + test extras + CPU benchmark suites (torch, pinned)
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
for arg in "$@"; do
  case "$arg" in
    --test) extras="test,bench" ;;
    *) echo "setup.sh: unknown option $arg (use --test)" >&2; exit 2 ;;
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
quiet_pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"

echo "==> npm tools (anvil, pinned by package-lock.json)"
# `npm install`, not `npm ci`: the lock holds anvil and its linux-amd64 binary package with
# their integrity hashes, but the registry mirror has no darwin/win32 binary packages, so the
# lock cannot list every optional platform package and `npm ci` refuses it as out of sync.
# With the lock present, `npm install` installs exactly the locked versions.
npm install --no-audit --no-fund --loglevel=error

if [ -n "$extras" ] && ! command -v chromium >/dev/null; then
  echo "==> Debian's chromium (browser tests) and poppler-utils (PDF pages to PNG)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
  else
    echo "   not root: run 'sudo apt-get install chromium poppler-utils', or the browser tests skip" >&2
  fi
fi

echo "==> dbt manifest"
.venv/bin/dbt parse --quiet --project-dir dbt --profiles-dir dbt

"""Run the live ingestion (chain assets, no snapshots, no dbt) for a window, in this process:
`python -m tests._live_run FIRST LAST`. The kill tests start it as a child they can kill -9; the
environment (DEPINLENS_* from a `Fleet`) says which endpoints to read. Each child records its run
in an ephemeral Dagster instance: what it resumes from is the warehouse, not Dagster's history
(a killed run left STARTED in a shared instance is tests/test_cli_runs*'s subject)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import dagster as dg


def main(first: str, last: str) -> int:
    from pipelines.defs.assets.akash import build_akash_resource
    from pipelines.defs.assets.solana import solana_resource_from_env
    from pipelines.defs.resources import build_resources
    from pipelines.parallel import chain_ingestion
    from pipelines.run import run_pipeline

    ingest = chain_ingestion()  # the same readers a parallel worker runs
    resources = {**build_resources(), "solana": solana_resource_from_env(), "akash": build_akash_resource()}
    result = run_pipeline(date.fromisoformat(first), date.fromisoformat(last), resources=resources,
                          instance=dg.DagsterInstance.ephemeral(), selection=ingest, snapshots=False, raise_on_error=False,
                          log_level="WARNING")
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            print(f"step {event.step_key} failed: {(error.cause or error).message.strip()}", file=sys.stderr)
    return 0 if result.success else 1


def early_exit_report(process: subprocess.Popen) -> str:
    """What a child that ended before a kill test could kill it printed: its exit code and the end of its
    output, so a run that failed on its own says why instead of only that it ended."""
    out, err = process.communicate(timeout=30)
    return f"exit {process.returncode}: {(out + err)[-3000:]}"


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

"""What one network-day of live mode costs: RPC calls, HTTP requests, bytes and time, per network.

Each network is read alone (a registry holding only it) from mainnet-shaped providers
(harness/mainnet) serving the registry's real addresses at mainnet volumes (MAINNET_VOLUMES:
20,000 signatures a day on a mint, 2,000 burns, 1,000 Nosana job transactions, 5,000 active
Akash leases, 10,000 EVM logs) behind the limits public endpoints enforce (40 requests per window
per method, 100 overall, 429 + Retry-After). A first day is read as a warm-up (the steady state of
a daily schedule: cursors, known leases and day boundaries in place); the next day is measured.

The providers' windows are shrunk by --time-scale (10 s / scale) and the pipeline's budgets with
them, so the benchmark finishes in minutes. The time at public limits is then estimated as the
measured time plus what the busiest method's waiting grows to at full windows: measured +
rate bound x (1 - 1/scale), where the rate bound is that method's calls / 4 per second. The last line is `calls_per_network_day_max: N` over the networks
read through dedicated accounts; networks still read through a whole mint are listed apart.

With --solana-history getTransactionsForAddress, each network that reads Solana is measured a second
time with its account histories read through Helius' getTransactionsForAddress (a provider-specific,
paid method: the Solana provider is then built to offer it, and DEPINLENS_HISTORY_SOLANA asks for it),
and the output ends with a second line, `calls_per_network_day_max_with_getTransactionsForAddress: N`
(networks that read no Solana count with their one measurement). Both ways, the Solana calls are also
priced in Helius credits (HELIUS_CREDITS: 100 a getTransactionsForAddress, 10 an archival call).

    .venv/bin/python benchmarks/live_calls.py                  # every network, mainnet volumes
    .venv/bin/python benchmarks/live_calls.py --networks render,akash --time-scale 50
    .venv/bin/python benchmarks/live_calls.py --networks render --solana-history getTransactionsForAddress
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
import tomlkit  # noqa: E402

from depinlens.registry import Registry, load_registry  # noqa: E402
from depinlens.settings import PROJECT_ROOT  # noqa: E402
from harness.mainnet import MAINNET_VOLUMES, TEST_VOLUMES  # noqa: E402
from harness.mainnet.fleet import FleetLimits, mainnet_fleet  # noqa: E402

NETWORKS = ("render", "ionet", "nosana", "akash", "aethir", "nodeai", "gaib")
PUBLIC_PER_METHOD_PER_S = 40 / 10
STANDARD, HELIUS = "standard", "getTransactionsForAddress"  # DEPINLENS_HISTORY_SOLANA's values
# Helius' price of a call in credits, per method (https://www.helius.dev/docs/billing/credits): 1 for a
# standard call, 10 for getProgramAccounts and for archival calls, 100 for getTransactionsForAddress
HELIUS_CREDITS = {"getTransactionsForAddress": 100, "getProgramAccounts": 10, "getSignaturesForAddress": 10,
                  "getTransaction": 10, "getBlockTime": 10, "getBlock": 10, "getBlocks": 10,
                  "getBlocksWithLimit": 10, "getInflationReward": 10, "getSignatureStatuses": 10}


def helius_credits(calls: Counter) -> int:
    """What Solana calls cost on Helius, in credits (getSignatureStatuses counted at its archival price)."""
    return sum(n * HELIUS_CREDITS.get(method, 1) for method, n in calls.items())


def registry_of(network: str, folder: Path) -> Path:
    """networks.toml with only `network` (and every chain), written to `folder`."""
    document = tomlkit.parse((PROJECT_ROOT / "networks.toml").read_text())
    for other in [n for n in document["networks"] if n != network]:
        del document["networks"][other]
    path = folder / f"{network}.toml"
    path.write_text(tomlkit.dumps(document))
    return path


def reads_through(registry: Registry, network: str) -> tuple[str, bool]:
    """How the network is read on its real chains, and whether a token is read through its whole mint."""
    parts, whole_mint = [], False
    for chain in ("ethereum", "solana", "akash"):
        for signal in registry.signals_on(chain):
            mint = any(t.address == signal.account for t in registry.tokens_on(chain))
            whole_mint |= mint
            parts.append(f"{signal.metric} via {'the whole ' + signal.token + ' mint' if mint else signal.account}")
        tokens = [t.symbol for t in registry.tokens_on("ethereum") if t.verified]
        if chain == "ethereum" and tokens:
            parts.append(f"logs of {', '.join(tokens)}")
    return "; ".join(parts) or "-", whole_mint


_INSTANCE: dg.DagsterInstance | None = None


def run_day(day: date) -> float:
    """Ingest one day (chain assets and state snapshots, no dbt) in this process; its wall time."""
    from pipelines.defs.assets.akash import build_akash_resource
    from pipelines.defs.assets.solana import solana_resource_from_env
    from pipelines.defs.jobs import STATE_SNAPSHOTS
    from pipelines.defs.resources import build_resources
    from pipelines.run import run_pipeline

    ingest = dg.AssetSelection.groups("evm", "solana", "akash") - STATE_SNAPSHOTS
    resources = {**build_resources(), "solana": solana_resource_from_env(), "akash": build_akash_resource()}
    global _INSTANCE
    _INSTANCE = _INSTANCE or dg.DagsterInstance.ephemeral()  # one for the whole benchmark: runs are not the point
    started = time.monotonic()
    result = run_pipeline(day, day, resources=resources, instance=_INSTANCE, selection=ingest,
                          snapshots=True, raise_on_error=False, quiet=True)
    if not result.success:
        failures = [e.step_failure_data.error for e in result.all_events if e.is_step_failure]
        raise SystemExit(f"the run for {day} failed: " + "; ".join((f.cause or f).message for f in failures))
    return time.monotonic() - started


def reads_solana(network: str, folder: Path) -> bool:
    """Whether the network reads anything on Solana (so its history method matters)."""
    registry = load_registry(registry_of(network, folder))
    return bool(registry.tokens_on("solana") or registry.programs_on("solana") or registry.signals_on("solana"))


def measure(network: str, day: date, scale: float, volumes, folder: Path, history: str = STANDARD) -> dict:
    """One network-day's cost, its Solana account histories read through `history`."""
    path = registry_of(network, folder)
    registry = load_registry(path)
    limits = FleetLimits(window_s=10 / scale)
    with mainnet_fleet(registry, day - timedelta(days=1), day, volumes=volumes, limits=limits,
                       solana={"get_transactions_for_address": history == HELIUS}) as fleet:
        used = {chain: bool(registry.tokens_on(chain) or registry.programs_on(chain) or registry.signals_on(chain))
                for chain in ("ethereum", "solana", "akash")}
        data_dir = folder / f"{network}-{history}"  # a warehouse of its own: nothing read before counts as done
        os.environ.update({**fleet.env(), "DEPINLENS_REGISTRY": str(path), "DEPINLENS_DATA_DIR": str(data_dir),
                           "DEPINLENS_WAREHOUSE": str(data_dir / "warehouse.duckdb"),
                           "DEPINLENS_SERVING": str(data_dir / "serving.duckdb"),
                           "DEPINLENS_HISTORY_SOLANA": history, "DEPINLENS_AKASH_SCAN_CLOSED": "",
                           "DEPINLENS_EVM_CHAINS": "ethereum" if used["ethereum"] else "",
                           "DEPINLENS_SOLANA_CHAINS": "solana" if used["solana"] else "",
                           "DEPINLENS_AKASH_CHAINS": "akash" if used["akash"] else ""})
        run_day(day - timedelta(days=1))
        before = {chain: stats.copy() for chain, stats in fleet.stats().items()}
        wall = run_day(day)
        after = fleet.stats()
    calls = Counter()
    row = {"network": network, "wall_s": wall, "requests": 0, "bytes_in": 0, "bytes_out": 0, "throttled": 0}
    for chain, stats in after.items():
        calls.update({f"{chain} {m}": n - before[chain].calls.get(m, 0) for m, n in stats.calls.items()})
        row["requests"] += stats.requests - before[chain].requests
        row["bytes_in"] += stats.bytes_in - before[chain].bytes_in
        row["bytes_out"] += stats.bytes_out - before[chain].bytes_out
        row["throttled"] += stats.throttled - before[chain].throttled
    calls = +calls
    solana_calls = Counter({m.split(" ", 1)[1]: n for m, n in calls.items() if m.startswith("solana ")})
    row.update(calls=sum(calls.values()), per_method=dict(calls.most_common(4)), history=history,
               solana_calls=sum(solana_calls.values()), helius_credits=helius_credits(solana_calls))
    row["rate_bound_s"] = max(calls.values(), default=0) / PUBLIC_PER_METHOD_PER_S
    row["reads"], row["whole_mint"] = reads_through(registry, network)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--networks", default=",".join(NETWORKS), help="comma-separated registry network ids")
    parser.add_argument("--day", default="2025-06-02", help="the measured UTC day (the day before is the warm-up)")
    parser.add_argument("--time-scale", type=float, default=20.0,
                        help="shrink the providers' 10 s windows (and the budgets) this many times (default 20)")
    parser.add_argument("--volumes", choices=("mainnet", "test"), default="mainnet")
    parser.add_argument("--solana-history", choices=(STANDARD, HELIUS), default=STANDARD,
                        help=f"{HELIUS}: also measure each Solana-reading network with its account histories read "
                             "through Helius' getTransactionsForAddress (paid plans; 100 credits a call)")
    args = parser.parse_args()
    volumes = MAINNET_VOLUMES if args.volumes == "mainnet" else TEST_VOLUMES
    day = date.fromisoformat(args.day)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for network in [n.strip() for n in args.networks.split(",") if n.strip()]:
            ways = [STANDARD] + ([HELIUS] if args.solana_history == HELIUS and reads_solana(network, Path(tmp)) else [])
            for history in ways:
                print(f"-- {network}: warm-up {day - timedelta(days=1)}, measuring {day}"
                      + (f", Solana histories through {HELIUS}" if history == HELIUS else "") + " ...", flush=True)
                rows.append(measure(network, day, args.time_scale, volumes, Path(tmp), history))
                r = rows[-1]
                print(f"   {r['calls']:>7,} calls  {r['requests']:>6,} HTTP requests  {r['bytes_out'] / 1e6:8.1f} MB "
                      f"in  {r['bytes_in'] / 1e6:6.2f} MB out  {r['wall_s']:6.1f} s at 1/{args.time_scale:g} windows  "
                      f"429s: {r['throttled']}", flush=True)
                print(f"   busiest: {r['per_method']}", flush=True)
    print(f"\none network-day at {args.volumes} volumes; public limits: 40 calls per 10 s per method, 100 overall")
    print(f"{'network':<8} {'calls':>7} {'requests':>8} {'MB':>7} {'min at public limits':>21}  reads through")
    for r in rows:
        estimate = (r["wall_s"] + r["rate_bound_s"] * (1 - 1 / args.time_scale)) / 60
        reads = r["reads"] + (f" (Solana histories through {HELIUS})" if r["history"] == HELIUS else "")
        print(f"{r['network']:<8} {r['calls']:>7,} {r['requests']:>8,} {r['bytes_out'] / 1e6:>7.1f} {estimate:>21.1f}  "
              f"{reads}")
    for r in rows:
        if r["solana_calls"]:
            print(f"{r['network']} through {'standard methods' if r['history'] == STANDARD else HELIUS}: "
                  f"{r['solana_calls']:,} Solana calls a day = {r['helius_credits']:,} Helius credits a day "
                  f"(about {30 * r['helius_credits']:,} a month)")
    standard = [r for r in rows if r["history"] == STANDARD]
    dedicated = [r for r in standard if not r["whole_mint"]]
    for r in standard:
        if r["whole_mint"]:
            print(f"read through a whole mint (not dedicated accounts): {r['network']}, {r['calls']:,} calls a day")
    print(f"calls_per_network_day_max: {max((r['calls'] for r in dedicated), default=0)}")
    if args.solana_history == HELIUS:
        best = {r["network"]: r for r in rows if not r["whole_mint"]}  # the Helius measurement where there is one
        print(f"calls_per_network_day_max_with_{HELIUS}: {max((r['calls'] for r in best.values()), default=0)}")


if __name__ == "__main__":
    main()

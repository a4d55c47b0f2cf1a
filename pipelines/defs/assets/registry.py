"""The network registry copied into the warehouse, so marts join names, roles and decimals from one place.

The registry is validated whole when it is read (depinlens.registry: identifiers per chain
family, duplicates, bounds), so a bad one fails this step before anything is written; the
run keeps a copy of the registry tables before replacing them (pipelines/reference/snapshots.py).
"""

from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

from depinlens.registry import Registry
from pipelines.defs.partitions import daily, single_run
from pipelines.defs.resources import EvmResource, WarehouseResource
from pipelines.reference.snapshots import REGISTRY_TABLES, keep_before_write, run_outcome_from
from warehouse import insert_rows, transaction

_FETCHED_AT = ("fetched_at", pa.timestamp("us", tz="UTC"))
TAKE_RATES_SCHEMA = pa.schema([("network", pa.string()), ("token", pa.string()), ("take_rate", pa.float64()),
                               _FETCHED_AT])
NOT_MEASURED_SCHEMA = pa.schema([("network", pa.string()), ("metric", pa.string()), ("reason", pa.string()),
                                 _FETCHED_AT])
MAX_SUPPLIES_SCHEMA = pa.schema([("network", pa.string()), ("token", pa.string()),
                                 ("max_supply_tokens", pa.decimal128(38, 8)), ("uncapped_reason", pa.string()),
                                 ("source", pa.string()), ("as_of", pa.date32()), _FETCHED_AT])
SIGNALS_SCHEMA = pa.schema([("network", pa.string()), ("metric", pa.string()), ("chain", pa.string()),
                            ("chain_family", pa.string()), ("local_chain", pa.bool_()), ("account", pa.string()),
                            ("token", pa.string()), ("method", pa.string()), ("cost", pa.string()),
                            ("verified", pa.bool_()), ("reference", pa.string()), _FETCHED_AT])


def registry_rows(registry: Registry, now: datetime) -> dict[str, pa.Table]:
    """The registry as the raw tables it fills, keyed by table name in REGISTRY_TABLES order (pure)."""
    networks = registry.networks.values()
    tables = {
        "raw.registry_networks": pa.Table.from_pylist([
            {"network": n.id, "name": n.name, "revenue_definition": n.revenue_definition,
             "revenue_model": n.revenue_model, "burn_share_of_fees": n.burn_share_of_fees,
             "rewards_source": n.rewards_source, "primary_token": n.primary_token, "fetched_at": now}
            for n in networks]),
        "raw.registry_contracts": pa.Table.from_pylist([
            {"network": n.id, "chain": item.chain, "chain_family": registry.chains[item.chain].family,
             "local_chain": registry.chains[item.chain].local, "role": getattr(item, "kind", "token"),
             "label": getattr(item, "symbol", None) or item.name, "address": item.address,
             "decimals": getattr(item, "decimals", None), "verified": item.verified, "reference": item.reference,
             "bridged": getattr(item, "bridged", False), "fetched_at": now}
            for n in networks for item in (*n.tokens, *n.programs)]),
        "raw.registry_take_rates": pa.Table.from_pylist(
            [{"network": n.id, "token": token, "take_rate": rate, "fetched_at": now}
             for n in networks for token, rate in n.take_rates.items()], schema=TAKE_RATES_SCHEMA),
        "raw.registry_not_measured": pa.Table.from_pylist(
            [{"network": n.id, "metric": metric, "reason": reason, "fetched_at": now}
             for n in networks for metric, reason in n.not_measured.items()], schema=NOT_MEASURED_SCHEMA),
        "raw.registry_signals": pa.Table.from_pylist(
            [{"network": n.id, "metric": s.metric, "chain": s.chain, "chain_family": registry.chains[s.chain].family,
              "local_chain": registry.chains[s.chain].local, "account": s.account, "token": s.token,
              "method": s.method, "cost": s.cost, "verified": s.verified, "reference": s.reference, "fetched_at": now}
             for n in networks for s in n.signals], schema=SIGNALS_SCHEMA),
        "raw.registry_max_supplies": pa.Table.from_pylist(
            [{"network": n.id, "token": n.primary_token, "max_supply_tokens": n.max_supply.tokens,
              "uncapped_reason": n.max_supply.uncapped, "source": n.max_supply.source, "as_of": n.max_supply.as_of,
              "fetched_at": now}
             for n in networks if n.max_supply is not None], schema=MAX_SUPPLIES_SCHEMA),
    }
    return {table: tables[table] for table in REGISTRY_TABLES}


@dg.asset(key=["raw", "registry"], partitions_def=daily, backfill_policy=single_run, group_name="reference",
          kinds={"duckdb"}, pool="warehouse")
def registry_tables(context: dg.AssetExecutionContext, evm: EvmResource,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    """networks.toml as raw.registry_networks, _contracts, _take_rates, _not_measured, _signals and _max_supplies
    (replaced whole)."""
    rows = registry_rows(evm.registry(), datetime.now(UTC))
    with warehouse.get_connection() as conn:
        keep_before_write(conn, context.run_id, REGISTRY_TABLES, run_outcome=run_outcome_from(context.instance))
        with transaction(conn):
            for table, table_rows in rows.items():
                conn.execute(f"delete from {table}")
                insert_rows(conn, table, table_rows)
    return dg.MaterializeResult(metadata={
        "networks": rows["raw.registry_networks"].num_rows, "contracts": rows["raw.registry_contracts"].num_rows,
        "metrics_not_measured": rows["raw.registry_not_measured"].num_rows,
        "signals": rows["raw.registry_signals"].num_rows,
        "max_supplies": rows["raw.registry_max_supplies"].num_rows})

"""The network registry copied into the warehouse, so marts join names, roles and decimals from one place.

The registry is validated whole when it is read (depinlens.registry: identifiers per chain
family, duplicates, bounds), so a bad one fails this step before anything is written; the
run keeps a copy of the three tables before replacing them (pipelines/reference/snapshots.py).
"""

from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

from pipelines.defs.partitions import daily, single_run
from pipelines.defs.resources import EvmResource, WarehouseResource
from pipelines.reference.snapshots import REGISTRY_TABLES, keep_before_write, run_outcome_from
from warehouse import insert_rows, transaction


@dg.asset(key=["raw", "registry"], partitions_def=daily, backfill_policy=single_run, group_name="reference",
          kinds={"duckdb"}, pool="warehouse")
def registry_tables(context: dg.AssetExecutionContext, evm: EvmResource,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    """networks.toml as raw.registry_networks, _contracts and _take_rates (replaced whole each run)."""
    registry = evm.registry()
    now = datetime.now(UTC)
    networks = pa.Table.from_pylist([
        {"network": n.id, "name": n.name, "revenue_definition": n.revenue_definition, "revenue_model": n.revenue_model,
         "burn_share_of_fees": n.burn_share_of_fees, "rewards_source": n.rewards_source,
         "primary_token": n.primary_token, "fetched_at": now}
        for n in registry.networks.values()])
    take_rates = pa.Table.from_pylist(
        [{"network": n.id, "token": token, "take_rate": rate, "fetched_at": now}
         for n in registry.networks.values() for token, rate in n.take_rates.items()],
        schema=pa.schema([("network", pa.string()), ("token", pa.string()), ("take_rate", pa.float64()),
                          ("fetched_at", pa.timestamp("us", tz="UTC"))]))
    contracts = pa.Table.from_pylist([
        {"network": n.id, "chain": item.chain, "chain_family": registry.chains[item.chain].family,
         "local_chain": registry.chains[item.chain].local, "role": getattr(item, "kind", "token"),
         "label": getattr(item, "symbol", None) or item.name, "address": item.address,
         "decimals": getattr(item, "decimals", None), "verified": item.verified, "reference": item.reference,
         "fetched_at": now}
        for n in registry.networks.values() for item in (*n.tokens, *n.programs)])
    with warehouse.get_connection() as conn:
        keep_before_write(conn, context.run_id, REGISTRY_TABLES, run_outcome=run_outcome_from(context.instance))
        with transaction(conn):
            for table, rows in zip(REGISTRY_TABLES, (networks, contracts, take_rates), strict=True):
                conn.execute(f"delete from {table}")
                insert_rows(conn, table, rows)
    return dg.MaterializeResult(metadata={"networks": networks.num_rows, "contracts": contracts.num_rows})

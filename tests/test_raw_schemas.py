"""The adapters' Arrow schemas and the warehouse's raw tables describe the same columns."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from pipelines.chains import raw_schemas
from warehouse import connect_warehouse

TABLES = {
    "raw.token_transfers": raw_schemas.TOKEN_TRANSFERS_SCHEMA,
    "raw.staking_events": raw_schemas.STAKING_EVENTS_SCHEMA,
    "raw.vault_snapshots": raw_schemas.VAULT_SNAPSHOTS_SCHEMA,
    "raw.jobs": raw_schemas.JOBS_SCHEMA,
    "raw.staking_snapshots": raw_schemas.STAKING_SNAPSHOTS_SCHEMA,
    "raw.supply_snapshots": raw_schemas.SUPPLY_SNAPSHOTS_SCHEMA,
    "raw.loan_events": raw_schemas.LOAN_EVENTS_SCHEMA,
    "raw.vault_prices": raw_schemas.VAULT_PRICES_SCHEMA,
    "raw.provider_audits": raw_schemas.PROVIDER_AUDITS_SCHEMA,
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_raw_schema_has_the_tables_columns_in_order_and_loads_without_a_cast(table: str, tmp_path: Path) -> None:
    schema = TABLES[table]
    conn = connect_warehouse(tmp_path / "w.duckdb")
    try:
        columns = [name for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_schema || '.' || table_name = ? "
            "order by ordinal_position", [table]).fetchall()]
        assert columns == schema.names
        empty = schema.empty_table()
        conn.register("arrow_rows", empty)
        conn.execute(f"insert into {table} select * from arrow_rows")  # types line up, no cast needed
        described = dict(conn.execute("select column_name, data_type from information_schema.columns "
                                      "where table_schema || '.' || table_name = ?", [table]).fetchall())
    finally:
        conn.close()
    for field in schema:
        if pa.types.is_decimal(field.type):
            assert described[field.name] == f"DECIMAL({field.type.precision},{field.type.scale})"

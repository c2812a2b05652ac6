"""Warehouses: one protocol (base.py), two adapters (duckdb.py, bigquery.py and its bigquery_* parts).

Adapters are imported here lazily, on first use: importing DuckDB or the
BigQuery client costs a third of a second each, which start-up must not pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataset_tui.config import Profile
    from dataset_tui.warehouse.base import TableWriter, Warehouse


def open_warehouse(profile: Profile, path: Path | None = None) -> Warehouse:
    """Open the warehouse a profile names (a DuckDB file at `path`, or BigQuery)."""
    if profile.backend == "bigquery":
        from dataset_tui.warehouse.bigquery import BigQueryWarehouse

        return BigQueryWarehouse.from_profile(profile)
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    if path is None:
        raise ValueError("a DuckDB warehouse needs a file path")
    return DuckDBWarehouse(path, price_per_tib=profile.price_per_tib)


def table_writer(warehouse: Warehouse) -> TableWriter:
    """What writes tables from queries on this warehouse (materialize)."""
    if warehouse.backend == "bigquery":
        from dataset_tui.warehouse.bigquery_materialize import BigQueryTableWriter

        return BigQueryTableWriter(warehouse)
    from dataset_tui.warehouse.duckdb_materialize import DuckDBTableWriter

    return DuckDBTableWriter(warehouse)

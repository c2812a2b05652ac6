"""Run generated BigQuery SQL on DuckDB, the way the embedded warehouse does."""

from __future__ import annotations

from typing import Any

from dataset_tui.warehouse.transpile import prepare_connection, to_duckdb


def connect() -> Any:
    """An in-memory DuckDB connection in UTC with FARM_FINGERPRINT registered."""
    import duckdb

    con = duckdb.connect()
    prepare_connection(con)
    return con


def run(con: Any, bigquery_sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Transpile one BigQuery query, run it, return (column names, rows)."""
    cursor = con.execute(to_duckdb(bigquery_sql))
    names = [d[0] for d in cursor.description]
    return names, cursor.fetchall()


def column_types(con: Any, bigquery_sql: str) -> dict[str, str]:
    """DuckDB result type of each column of a query, by name."""
    cursor = con.execute(to_duckdb(bigquery_sql))
    return {d[0]: str(d[1]) for d in cursor.description}

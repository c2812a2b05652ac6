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


def warehouse_sql(con: Any, bigquery_sql: str) -> str:
    """The DuckDB text the warehouse runs: transpiled, date windows on stored timestamps as ranges,
    LEFT JOINs that only multiply rows joining their duplicate keys."""
    from dataset_tui.warehouse.day_ranges import ranged_day_filters, stored_type
    from dataset_tui.warehouse.unread_joins import stored_duckdb_type, unread_left_joins

    def rows(sql: str, params: list[str]) -> list[tuple[Any, ...]]:
        return list(con.execute(sql, params).fetchall())

    def column_type(dataset: str, table: str, column: str) -> str | None:
        return stored_type(rows, dataset, table, column)

    def duckdb_type(dataset: str, table: str, column: str) -> str | None:
        return stored_duckdb_type(rows, dataset, table, column)

    return unread_left_joins(ranged_day_filters(to_duckdb(bigquery_sql), column_type), duckdb_type)


def run(con: Any, bigquery_sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Transpile one BigQuery query as the warehouse does, run it, return (column names, rows)."""
    cursor = con.execute(warehouse_sql(con, bigquery_sql))
    names = [d[0] for d in cursor.description]
    return names, cursor.fetchall()


def column_types(con: Any, bigquery_sql: str) -> dict[str, str]:
    """DuckDB result type of each column of a query, by name."""
    cursor = con.execute(to_duckdb(bigquery_sql))
    return {d[0]: str(d[1]) for d in cursor.description}

"""Materialized tables in the embedded warehouse, and Parquet copies of a query.

Tables go into a schema of the local DuckDB file (``ml_datasets`` by
default), written the way imports are (warehouse/importer.py): through the
warehouse's one read-write connection, in one transaction. DuckDB keeps an
uncommitted transaction out of the file, so a process killed mid-way leaves
no partial table behind. Labels are kept as the table's comment (JSON);
DuckDB has no expiration, so `expire_days` is refused rather than ignored.

Parquet files are written to a temporary name in the target folder and
renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from dataset_tui.warehouse.base import BadQueryError, CreatedTable, table_exists_error
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from dataset_tui.warehouse.duckdb_types import dq


def _check_name(kind: str, name: str) -> str:
    from dataset_tui.domain.definition import IDENT_RE, TABLE_RE

    pattern = IDENT_RE if kind == "dataset" else TABLE_RE
    if not pattern.match(name) or len(name) > 1024:
        raise BadQueryError(f"{name!r} is not a {kind} name (letters, digits and underscores)")
    return name


class DuckDBTableWriter:
    """TableWriter over a DuckDBWarehouse (the protocol is in warehouse/base.py)."""

    def __init__(self, warehouse: Any) -> None:
        if not isinstance(warehouse, DuckDBWarehouse):
            raise TypeError(f"a DuckDB table writer needs a DuckDBWarehouse, not {type(warehouse).__name__}")
        self.warehouse = warehouse

    def table_ref(self, dataset: str, table: str) -> str:
        return f"`{_check_name('dataset', dataset)}.{_check_name('table', table)}`"

    def create_table_as(
        self,
        dataset: str,
        table: str,
        sql: str,
        *,
        labels: dict[str, str],
        expire_days: int | None = None,
        max_bytes_billed: int | None = None,
    ) -> CreatedTable:
        import duckdb

        from dataset_tui.domain import clock
        from dataset_tui.warehouse.demo import record_changes

        if expire_days is not None:
            raise BadQueryError(
                "tables in the local DuckDB warehouse do not expire; leave out --expire-days "
                "(drop the table yourself when it is no longer needed)"
            )
        wh = self.warehouse
        target = f"{dq(_check_name('dataset', dataset))}.{dq(_check_name('table', table))}"
        duck_sql = wh._transpile(sql)
        with wh.writable() as con:
            # Registered so that warehouse.cancel() interrupts the copy too.
            with wh._lock:
                wh._running.add(con)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    if _exists(con, dataset, table):
                        raise table_exists_error(dataset, table)
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {dq(dataset)}")
                    con.execute(f"CREATE TABLE {target} AS {duck_sql}")
                    comment = json.dumps({"labels": labels}, sort_keys=True).replace("'", "''")
                    con.execute(f"COMMENT ON TABLE {target} IS '{comment}'")
                    record_changes(con, dataset, [table], clock.now())
                    con.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    raise
            except duckdb.Error as exc:
                raise wh._query_error(exc) from None
            finally:
                with wh._lock:
                    wh._running.discard(con)
        return CreatedTable(ref=f"{dataset}.{table}")

    def table_exists(self, dataset: str, table: str) -> bool:
        _, _, rows = self.warehouse._fetch(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND lower(table_name) = lower(?)",
            [dataset, table],
        )
        return bool(rows[0][0])

    def drop_table(self, dataset: str, table: str) -> None:
        target = f"{dq(_check_name('dataset', dataset))}.{dq(_check_name('table', table))}"
        with self.warehouse.writable() as con:
            con.execute(f"DROP TABLE IF EXISTS {target}")


def _exists(con: Any, dataset: str, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND lower(table_name) = lower(?)",
        [dataset, table],
    ).fetchone()
    return bool(found and found[0])


def write_parquet(warehouse: DuckDBWarehouse, sql: str, path: Path) -> Path:
    """Write the rows of BigQuery `sql` to `path` as Parquet, flushed to disk.

    `path` is the caller's temp file: services place it under its final name
    through the one safe-write path (warehouse code does not decide overwrites).
    """
    path = Path(path)
    duck_sql = warehouse._transpile(sql)
    literal = "'" + str(path).replace("'", "''") + "'"
    warehouse._fetch(f"COPY ({duck_sql}) TO {literal} (FORMAT PARQUET)")
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    return path

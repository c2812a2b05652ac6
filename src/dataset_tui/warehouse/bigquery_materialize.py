"""Materialized tables on BigQuery: one CREATE TABLE … AS job per table.

The DDL carries the table's labels and expiration in its OPTIONS, so the
table never exists without them, and runs like every other job (the
adapter's `_run_job`): `maximum_bytes_billed`, the job timeout, polling that
`cancel()` interrupts. A CTAS job either creates the whole table or nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dataset_tui.warehouse.base import CreatedTable, NotFoundError, table_exists_error
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.bigquery_errors import translating
from dataset_tui.warehouse.bigquery_schema import table_id, table_sql

# BigQuery label keys and values: lowercase letters, digits, `_` and `-`, up to 63 characters.
_LABEL_BAD = re.compile(r"[^a-z0-9_-]")


def label_value(text: str) -> str:
    """A BigQuery label value for any text: lowercase, other characters as `_`, at most 63."""
    return _LABEL_BAD.sub("_", text.lower())[:63]


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def options_sql(labels: dict[str, str], expires_at: dt.datetime | None) -> str:
    """The OPTIONS(...) clause of the DDL (labels as a list of pairs, expiration as a literal)."""
    pairs = ", ".join(f"({_string(label_value(k))}, {_string(label_value(v))})" for k, v in sorted(labels.items()))
    parts = [f"labels = [{pairs}]"] if labels else []
    if expires_at is not None:
        stamp = expires_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00")
        parts.append(f"expiration_timestamp = TIMESTAMP {_string(stamp)}")
    return f"OPTIONS ({', '.join(parts)})" if parts else ""


class BigQueryTableWriter:
    """TableWriter over a BigQueryWarehouse (the protocol is in warehouse/base.py)."""

    def __init__(self, warehouse: Any) -> None:
        if not isinstance(warehouse, BigQueryWarehouse):
            raise TypeError(f"a BigQuery table writer needs a BigQueryWarehouse, not {type(warehouse).__name__}")
        self.warehouse = warehouse

    def table_ref(self, dataset: str, table: str) -> str:
        return table_sql(self.warehouse.project, dataset, table)

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
        from dataset_tui.domain import clock

        self._check_dataset(dataset)
        if self.table_exists(dataset, table):
            raise table_exists_error(dataset, table)
        # Whole seconds: what the DDL literal says is exactly what the record keeps.
        expires_at = clock.now().replace(microsecond=0) + dt.timedelta(days=expire_days) if expire_days else None
        options = options_sql(labels, expires_at)
        ddl = f"CREATE TABLE {self.table_ref(dataset, table)}\n{options}\nAS\n{sql}"
        jobs: list[Any] = []
        _, _, processed = self.warehouse._run_job(
            ddl,
            max_rows=0,
            max_bytes_billed=max_bytes_billed,
            action=f"create table {dataset}.{table}",
            dataset=dataset,
            table=table,
            on_job=jobs.append,
        )
        job_id = getattr(jobs[0], "job_id", None) if jobs else None
        return CreatedTable(
            ref=table_id(self.warehouse.project, dataset, table),
            bytes_processed=processed,
            job_id=job_id,
            expires_at=expires_at,
        )

    def _check_dataset(self, dataset: str) -> None:
        """A missing target dataset is named up front (creating one means choosing its location)."""
        from google.api_core.exceptions import NotFound

        wh = self.warehouse
        client = wh.client()
        ref = f"{wh.project}.{dataset}" if wh.project else dataset
        try:
            with translating(wh._where(f"read dataset {dataset}", dataset)):
                client.get_dataset(ref, retry=wh._retry(), timeout=wh.profile.request_timeout_s)
        except (NotFound, NotFoundError):
            raise NotFoundError(
                f"the target dataset {ref} does not exist; create it in the location of the source data "
                f"(`bq mk --dataset --location=LOCATION {ref}`) or choose another with --to"
            ) from None

    def table_exists(self, dataset: str, table: str) -> bool:
        try:
            self.warehouse._get_table(dataset, table, fresh=True)
        except NotFoundError:
            return False
        return True

    def drop_table(self, dataset: str, table: str) -> None:
        wh = self.warehouse
        client = wh.client()
        with translating(wh._where(f"drop table {dataset}.{table}", dataset, table)):
            client.delete_table(
                table_id(wh.project, dataset, table),
                not_found_ok=True,
                retry=wh._retry(),
                timeout=wh.profile.request_timeout_s,
            )

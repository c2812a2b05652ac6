"""Metadata BigQuery gives only through a query: a table's latest partitions, shard families' sizes.

(Shard families' rows and bytes: `family_sizes_sql`, one `__TABLES__` query.)

The latest partitions are for a preview that must carry a partition filter.

A table with `require_partition_filter` refuses any query without a filter on
its partitioning column. When a preview's date window gives none (the
timestamp role is another column, or there is no timestamp), the preview reads
the table's newest partitions instead: the start of the N-th newest is the
lower bound (services/partition_floors.py writes it into the SQL).

Which partitions exist comes from ONE query on the dataset's
INFORMATION_SCHEMA.PARTITIONS view, chosen because it costs least and works for
every kind of partitioning: it reads metadata only (billed as BigQuery's
minimum, 10 MB, whatever the table's size), where `MAX(partition column)`
would scan the whole column of a table that may hold terabytes, and it lists
hourly, monthly, yearly, ingestion-time and integer-range partitions alike.
Empty partitions, rows not yet partitioned (`__UNPARTITIONED__`) and the NULL
partition are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dataset_tui.warehouse.base import BadQueryError
from dataset_tui.warehouse.bigquery_schema import check_dataset, check_table, table_id

# How many of the newest partitions a preview reads.
PREVIEW_PARTITIONS = 3


@dataclass(frozen=True)
class LatestPartitions:
    """The lower bound of a table's newest partitions on its partitioning column."""

    column: str  # the partitioning column, or _PARTITIONTIME for ingestion-time tables
    kind: str  # DATE, TIMESTAMP, DATETIME or INT64: the column's type, the bound's literal
    low: dt.date | dt.datetime | int
    count: int  # how many partitions the bound keeps (fewer when the table has fewer)


def family_sizes_sql(project: str | None, dataset: str, prefixes: list[str]) -> str:
    """Rows and bytes of each shard family `prefix` + YYYYMMDD, summed in ONE query on `__TABLES__`.

    `__TABLES__` is the dataset's table metadata (no table data is read): the
    alternative, a tables.get per shard, is 1,100 calls for three years of GA4.
    """
    view = f"`{table_id(project, check_dataset(dataset), '__TABLES__')}`"
    names = ", ".join(f"'{check_table(p)}'" for p in sorted(set(prefixes)))
    prefix = r"REGEXP_EXTRACT(table_id, r'^(.*)[0-9]{8}$')"
    return (
        f"SELECT {prefix} AS prefix, COUNT(*) AS shards, SUM(row_count) AS row_count, "
        f"SUM(size_bytes) AS size_bytes FROM {view} WHERE {prefix} IN ({names}) GROUP BY prefix"
    )


def partitions_sql(project: str | None, dataset: str, table: str, count: int, *, integer_range: bool) -> str:
    """The newest `count` non-empty partition ids of `table` (range ids sorted as numbers)."""
    view = f"`{table_id(project, check_dataset(dataset), 'INFORMATION_SCHEMA')}.PARTITIONS`"
    order = "SAFE_CAST(partition_id AS INT64)" if integer_range else "partition_id"
    return (
        f"SELECT partition_id FROM {view} "
        f"WHERE table_name = '{check_table(table)}' AND total_rows > 0 "
        "AND partition_id NOT IN ('__NULL__', '__UNPARTITIONED__') "
        f"ORDER BY {order} DESC LIMIT {max(1, int(count))}"
    )


def partition_start(partition_id: str) -> dt.datetime:
    """The first moment of a time partition: YYYY, YYYYMM, YYYYMMDD or YYYYMMDDHH."""
    formats = {4: "%Y", 6: "%Y%m", 8: "%Y%m%d", 10: "%Y%m%d%H"}
    if not partition_id.isdigit() or len(partition_id) not in formats:
        raise BadQueryError(f"BigQuery listed a partition {partition_id!r} that is not a time partition")
    return dt.datetime.strptime(partition_id, formats[len(partition_id)])


def partitioning_of(table: Any) -> tuple[str, str, bool] | None:
    """(column, its type, integer range?) of a table's partitioning; None when it has none."""
    tp = getattr(table, "time_partitioning", None)
    rp = getattr(table, "range_partitioning", None)
    if tp is not None:
        column = tp.field or "_PARTITIONTIME"
        return column, _time_type(table, column), False
    if rp is not None and getattr(rp, "field", None):
        return str(rp.field), "INT64", True
    return None


def latest_bound(partitioning: tuple[str, str, bool], ids: list[str]) -> LatestPartitions | None:
    """The bound keeping the partitions `ids` (newest first); None when the table has none."""
    if not ids:
        return None
    column, kind, integer_range = partitioning
    oldest = ids[-1]
    if integer_range:
        try:
            return LatestPartitions(column, "INT64", int(oldest), len(ids))
        except ValueError:
            raise BadQueryError(f"BigQuery listed a range partition {oldest!r} that is not an integer") from None
    start = partition_start(oldest)
    low: dt.date | dt.datetime = start.date() if kind == "DATE" else start
    return LatestPartitions(column, kind, low, len(ids))


def _time_type(table: Any, column: str) -> str:
    if column == "_PARTITIONTIME":
        return "TIMESTAMP"
    for field in getattr(table, "schema", None) or ():
        if field.name == column:
            kind = str(field.field_type).upper()
            return kind if kind in ("DATE", "DATETIME") else "TIMESTAMP"
    return "TIMESTAMP"

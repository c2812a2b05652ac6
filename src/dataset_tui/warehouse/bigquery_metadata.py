"""Reading google-cloud-bigquery objects: table metadata, dry-run accuracy, column choice, nested values.

Pure functions over the library's objects (no calls), split from bigquery.py
so the adapter keeps to the calls themselves.
"""

from __future__ import annotations

from typing import Any

from dataset_tui.warehouse.base import PRECISE, NotFoundError, TableInfo
from dataset_tui.warehouse.bigquery_schema import FlatColumn


def table_info(table: Any) -> TableInfo:
    partitioning = None
    if table.time_partitioning is not None:
        tp = table.time_partitioning
        partitioning = f"{tp.type_} on {tp.field or '_PARTITIONTIME'}"
    elif getattr(table, "range_partitioning", None) is not None:
        partitioning = f"RANGE on {table.range_partitioning.field}"
    return TableInfo(
        name=table.table_id,
        rows=table.num_rows,
        bytes=table.num_bytes,
        # Top-level columns, as the BigQuery console counts them.
        columns=len(table.schema or ()),
        modified=table.modified,
        partitioning=partitioning,
        clustering=tuple(table.clustering_fields or ()),
        table_type=table.table_type or "TABLE",
        # Set on the table, or (older tables) on its time partitioning.
        require_partition_filter=bool(
            getattr(table, "require_partition_filter", None)
            or getattr(table.time_partitioning, "require_partition_filter", None)
        ),
    )


def dry_run_accuracy(job: Any) -> str:
    """BigQuery's totalBytesProcessedAccuracy of a dry run (the library has no property for it)."""
    properties = getattr(job, "_properties", None) or {}
    query = (properties.get("statistics") or {}).get("query") or {}
    value = query.get("totalBytesProcessedAccuracy") or getattr(job, "total_bytes_processed_accuracy", None)
    return str(value) if value else PRECISE


def choose_columns(
    flat: list[FlatColumn], wanted: list[str] | None, table: str, *, allow_nested_arrays: bool = False
) -> list[Any]:
    """The ColumnSchemas to compute statistics of (all selectable ones when None)."""
    if wanted is None:
        return [c.column for c in flat if c.selectable]
    by_name = {c.column.name.lower(): c for c in flat}
    chosen = []
    for name in wanted:
        found = by_name.get(name.lower())
        if found is None:
            known = ", ".join(c.column.name for c in flat if c.selectable)
            raise NotFoundError(f"column {name!r} is not in table {table}; its columns are: {known}")
        if not found.selectable and not allow_nested_arrays:
            raise NotFoundError(
                f"column {name!r} of {table} is inside a repeated field: a query must UNNEST it, "
                "so it has no statistics of its own; pick the repeated field itself"
            )
        chosen.append(found.column)
    return chosen


def extract_path(value: Any, path: list[str]) -> list[Any]:
    """The values at a dotted path inside a row's STRUCT/ARRAY value."""
    if not path:
        return [value]
    if isinstance(value, list):
        return [v for item in value for v in extract_path(item, path)]
    if isinstance(value, dict):
        return extract_path(value.get(path[0]), path[1:])
    return [None]

"""What a table-level scan (statistics) reads on BigQuery when the whole table cannot or must not be read.

- A wildcard table (`events_*`): its schema is the newest shard's, and the
  scan reads the newest :data:`SCAN_SHARDS` shards through a bounded
  `_TABLE_SUFFIX` (a GA4 export holds years of daily shards).
- A table with `require_partition_filter`: BigQuery refuses any query without
  a filter on the partitioning column, so the scan reads the last
  :data:`SCAN_DAYS` days of partitions, ending on the day the table last
  changed, written as a direct predicate on the column (what BigQuery prunes by).

Each scope says what it reads (`note`), and the adapter says it on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dataset_tui.warehouse.bigquery_schema import quote_identifier

SCAN_SHARDS = 7
SCAN_DAYS = 7


@dataclass(frozen=True)
class Scope:
    """The FROM expression of a scan (a quoted table, or a bounded subquery) and what it reads."""

    source: str
    note: str | None = None


def shard_scope(table_sql: str, family: str, suffixes: list[str]) -> Scope:
    """The newest shards of a family: `` (SELECT * FROM `p.d.events_*` WHERE _TABLE_SUFFIX BETWEEN …) ``."""
    chosen = sorted(suffixes)[-SCAN_SHARDS:]
    low, high = chosen[0], chosen[-1]
    for suffix in (low, high):  # shard suffixes are YYYYMMDD (domain.shards): no quoting to get wrong
        if not (len(suffix) == 8 and suffix.isdigit()):
            raise ValueError(f"{suffix!r} is not a shard date")
    source = f"(SELECT * FROM {table_sql} WHERE _TABLE_SUFFIX BETWEEN '{low}' AND '{high}')"
    note = (
        f"{family}: the newest {len(chosen)} of {len(suffixes)} shards ({low} to {high}); "
        "a wildcard table is scanned through a bounded _TABLE_SUFFIX"
    )
    return Scope(source, note)


def partition_scope(table_sql: str, table: Any, name: str) -> Scope:
    """The last days of a `require_partition_filter` table; the whole table when it needs no filter."""
    tp = getattr(table, "time_partitioning", None)
    required = bool(getattr(table, "require_partition_filter", None) or getattr(tp, "require_partition_filter", None))
    if not required:
        return Scope(table_sql)
    if tp is None:
        raise ValueError(
            f"{name} requires a partition filter on an integer range; statistics of such tables "
            "are not supported yet (query it with a filter on its partitioning column)"
        )
    column = tp.field or "_PARTITIONTIME"
    kind = _column_type(table, column)
    changed = getattr(table, "modified", None)
    last = changed.astimezone(dt.UTC).date() if isinstance(changed, dt.datetime) else dt.datetime.now(dt.UTC).date()
    start = last - dt.timedelta(days=SCAN_DAYS - 1)
    literal = f"DATE '{start.isoformat()}'" if kind == "DATE" else f"{kind} '{start.isoformat()} 00:00:00'"
    ref = column if column.startswith("_PARTITION") else quote_identifier(column)
    source = f"(SELECT * FROM {table_sql} WHERE {ref} >= {literal})"
    note = (
        f"{name} requires a partition filter: the last {SCAN_DAYS} days of partitions "
        f"({column} from {start.isoformat()}, the table last changed {last.isoformat()})"
    )
    return Scope(source, note)


def _column_type(table: Any, column: str) -> str:
    if column == "_PARTITIONTIME":
        return "TIMESTAMP"
    if column == "_PARTITIONDATE":
        return "DATE"
    for field in table.schema or ():
        if field.name == column:
            kind = str(field.field_type).upper()
            return {"DATE": "DATE", "DATETIME": "DATETIME"}.get(kind, "TIMESTAMP")
    return "TIMESTAMP"

"""Previews of tables that require a partition filter the date window does not give.

BigQuery refuses a query on a `require_partition_filter` table without a
filter on its partitioning column. The date window is that filter when the
timestamp role is the partitioning column (domain/sqlbase.py); otherwise a
preview reads the table's latest partitions (PREVIEW_PARTITIONS of them,
found by the warehouse, which says so on screen and in the CLI's output) and
its SQL carries `partition column >= start of the oldest of them`.

Only previews are bounded this way: a preview shows some rows. Analyze,
export and materialize keep the definition's exact rows, so on such a table
they need the timestamp role on the partitioning column.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.domain.sql_context import PartitionFloor, SqlContext
    from dataset_tui.services.context import AppContext


@runtime_checkable
class _FindsPartitions(Protocol):
    def latest_partitions(
        self, dataset: str, table: str, *, project: str | None = None, count: int = ..., purpose: str = ...
    ) -> Any: ...


def window_prunes(definition: Definition, table: str) -> bool:
    """Whether the date window is written as a direct predicate on `table`'s partitioning column."""
    from dataset_tui.domain.sqlbase import partition_predicate, window

    ts = definition.role_column("timestamp")
    if ts is None or ts.table.lower() != table.lower():
        return False
    win = window(definition, "CURRENT_DATE()", None)
    return win is not None and partition_predicate(definition, ts, win) is not None


def partition_floors(ctx: AppContext, definition: Definition, *, purpose: str = "preview") -> list[PartitionFloor]:
    """A floor for each source table that requires a partition filter the window does not give."""
    from dataset_tui.domain.sql_context import PartitionFloor
    from dataset_tui.domain.table_refs import split_table_ref

    warehouse: object = ctx.warehouse()
    if not isinstance(warehouse, _FindsPartitions):
        return []  # only BigQuery has partitions to require
    finder = warehouse
    floors = []
    for table in definition.source.tables:
        project, dataset, name = split_table_ref(table)
        if name.endswith("*") or window_prunes(definition, table):
            continue
        found = finder.latest_partitions(
            dataset or definition.source.dataset, name, project=project, purpose=purpose
        )
        if found is not None:
            floors.append(PartitionFloor(table, found.column, found.kind, found.low, found.count))
    return floors


def bounded_context(ctx: AppContext, definition: Definition, context: SqlContext) -> SqlContext:
    """`context` with the partition floors a preview of `definition` needs (none: unchanged)."""
    floors = partition_floors(ctx, definition)
    return replace(context, partition_floors=tuple(floors)) if floors else context

"""Column statistics (cached while a table's content is unchanged) and sample values.

Queries that scan data go through the cost guard, which on a billed
warehouse dry-runs first and asks `confirm` above the profile's threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataset_tui.services.errors import ServiceError
from dataset_tui.services.schemas import _dataset, _table_info
from dataset_tui.services.values import plain

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.cost import Confirm
    from dataset_tui.warehouse.base import ColumnStats, TableInfo, TableStats


def stats_key(ctx: AppContext, info: TableInfo) -> str:
    """What identifies a table's content for the statistics cache: where, rows, modified."""
    where = str(ctx.warehouse_file) if ctx.profile.backend == "duckdb" else (ctx.warehouse().project or "")
    modified = plain(info.modified) or "-"
    return f"{ctx.profile.backend}:{where}|rows={info.rows}|modified={modified}"


@dataclass(frozen=True)
class TableStatsResult:
    """A table's column statistics, and whether they came from the store's cache.

    Values are plain data (services.values.plain), the same whether computed
    now or read back from the cache: dates and times as ISO text, NUMERIC as
    text, NaN as None.
    """

    table: str
    row_count: int
    table_modified: str | None
    columns: tuple[ColumnStats, ...]
    complete: bool  # every column of the table was computed, not only some
    cached: bool  # served from the store
    computed_at: str | None


def stats_record(stats: TableStats) -> dict[str, Any]:
    """What the store keeps of a table's statistics: counts, histograms, whether distinct is approximate."""
    return {
        "table": stats.table,
        "row_count": stats.row_count,
        "table_modified": plain(stats.table_modified),
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "count": c.count,
                "null_count": c.null_count,
                "distinct_count": c.distinct_count,
                "min": plain(c.min),
                "max": plain(c.max),
                "mean": plain(c.mean),
                "stddev": plain(c.stddev),
                "range_days": c.range_days,
                "approximate_distinct": c.approximate_distinct,
                "histogram": [{"label": b.label, "count": b.count} for b in c.histogram],
            }
            for c in stats.columns
        ],
    }


def _column_from_record(column: dict[str, Any], row_count: int) -> ColumnStats:
    """A column of a stored record (older records may lack `count`, taken as the table's rows)."""
    from dataset_tui.warehouse.base import ColumnStats, HistogramBin

    return ColumnStats(
        name=column["name"],
        type=column["type"],
        count=column.get("count", row_count),
        null_count=column["null_count"],
        distinct_count=column.get("distinct_count"),
        min=column.get("min"),
        max=column.get("max"),
        mean=column.get("mean"),
        stddev=column.get("stddev"),
        range_days=column.get("range_days"),
        histogram=tuple(HistogramBin(b["label"], b["count"]) for b in column.get("histogram", ())),
        approximate_distinct=bool(column.get("approximate_distinct")),
    )


def _result(
    record: dict[str, Any], columns: list[dict[str, Any]], *, cached: bool, computed_at: str | None
) -> TableStatsResult:
    row_count = record["row_count"]
    return TableStatsResult(
        table=record["table"],
        row_count=row_count,
        table_modified=record.get("table_modified"),
        columns=tuple(_column_from_record(c, row_count) for c in columns),
        complete=bool(record.get("complete", False)),
        cached=cached,
        computed_at=computed_at,
    )


def table_stats(
    ctx: AppContext,
    table: str,
    columns: Sequence[str] | None = None,
    *,
    refresh: bool = False,
    confirm: Confirm | None = None,
    dataset: str | None = None,
) -> TableStatsResult:
    """Column statistics (all columns when None), from the cache while the table is unchanged.

    Freshly computed columns are merged into the cached ones of the same
    table content, so the wizard's column-by-column requests build up one
    entry.
    """
    from dataset_tui.domain import clock
    from dataset_tui.services.cost import stats_guarded

    dataset = _dataset(ctx, dataset)
    # The key needs rows and modified time only: no byte count (on DuckDB a full extra scan).
    info = _table_info(ctx, table, dataset, sizes=False)
    key = stats_key(ctx, info)
    wanted = list(dict.fromkeys(columns)) if columns else None
    cached = ctx.store.cached_stats(dataset, table)
    fresh = cached is not None and not cached.stale_for(key)
    if fresh and not refresh:
        assert cached is not None
        by_name = {c["name"]: c for c in cached.result.get("columns", [])}
        complete = cached.result.get("complete", False)
        if (wanted is None and complete) or (wanted is not None and all(n in by_name for n in wanted)):
            chosen = [by_name[n] for n in wanted] if wanted is not None else list(by_name.values())
            return _result(cached.result, chosen, cached=True, computed_at=plain(cached.computed_at))
    stats = stats_guarded(ctx, dataset, table, wanted, confirm=confirm)
    result = stats_record(stats)
    result["complete"] = wanted is None
    stored = result
    if fresh and cached is not None and wanted is not None:
        merged = {c["name"]: c for c in cached.result.get("columns", [])}
        merged.update({c["name"]: c for c in result["columns"]})
        stored = {**result, "columns": list(merged.values()), "complete": cached.result.get("complete", False)}
    ctx.store.save_stats(dataset, table, key, stored)
    return _result(result, result["columns"], cached=False, computed_at=plain(clock.now()))


def samples(
    ctx: AppContext,
    table: str,
    column: str,
    limit: int = 20,
    *,
    dataset: str | None = None,
    confirm: Confirm | None = None,
) -> list[Any]:
    """Distinct non-NULL values of a column (as the warehouse gives them), the most frequent first.

    Free on a BigQuery table (rows are listed); a view or an external table
    needs a query, which goes through the cost guard like any other scan.
    """
    from dataset_tui.services.cost import samples_guarded

    if limit < 1:
        raise ServiceError("--limit must be at least 1")
    return list(samples_guarded(ctx, _dataset(ctx, dataset), table, column, limit, confirm=confirm))

"""The Warehouse protocol, its result types and its error hierarchy (DESIGN §6).

Two adapters implement it: ``duckdb.py`` (embedded, default, demo data) and
``bigquery.py``. Everything above the adapters (services, CLI, TUI) speaks
only this protocol, so the same screens and commands work on both. All SQL
handed to :meth:`Warehouse.query` and :meth:`Warehouse.dry_run` is BigQuery
GoogleSQL; an adapter for another engine transpiles it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

# -- errors ---------------------------------------------------------------


class WarehouseError(Exception):
    """Something the warehouse could not do; the message says what to do about it."""

    kind = "warehouse"


class AuthError(WarehouseError):
    kind = "auth"


class PermissionDeniedError(WarehouseError):
    kind = "permission"


class NotFoundError(WarehouseError):
    kind = "not found"


class BadQueryError(WarehouseError):
    kind = "bad query"


class CostLimitError(WarehouseError):
    """A query refused because it would scan more than allowed (it cost nothing)."""

    kind = "cost limit"


class QueryTimeoutError(WarehouseError):
    kind = "timeout"


class UnavailableError(WarehouseError):
    """The warehouse cannot be reached, or its file is locked or corrupt."""

    kind = "unavailable"


class CancelledError(WarehouseError):
    """The user abandoned the query and it was stopped."""

    kind = "cancelled"


def table_exists_error(dataset: str, table: str) -> WarehouseError:
    """A table writer never replaces a table: what to do instead (both engines say the same)."""
    return WarehouseError(
        f"table {dataset}.{table} already exists; verify it with `dataset-tui verify`, "
        "or drop it first, or materialize into another dataset with --to"
    )


# -- result types -----------------------------------------------------------


@dataclass(frozen=True)
class TableInfo:
    name: str
    rows: int | None
    bytes: int | None
    columns: int
    modified: dt.datetime | None = None
    partitioning: str | None = None
    clustering: tuple[str, ...] = ()
    # BigQuery's table type: TABLE, VIEW, MATERIALIZED_VIEW, EXTERNAL, SNAPSHOT, ...
    table_type: str = "TABLE"
    # Queries must filter on the partitioning column (BigQuery refuses them otherwise).
    require_partition_filter: bool = False


@dataclass(frozen=True)
class ColumnSchema:
    """One column; STRUCT fields appear as their own rows with dotted names."""

    name: str
    type: str  # BigQuery type name: STRING, INT64, FLOAT64, NUMERIC, TIMESTAMP, ...
    mode: str = "NULLABLE"  # NULLABLE | REQUIRED | REPEATED
    description: str | None = None


@dataclass(frozen=True)
class TableSchema:
    table: str
    columns: tuple[ColumnSchema, ...]

    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}


@dataclass(frozen=True)
class HistogramBin:
    label: str  # a value (top values) or a range "lo – hi" (numbers, dates)
    count: int


@dataclass(frozen=True)
class ColumnStats:
    name: str
    type: str
    count: int  # rows in the table
    null_count: int
    distinct_count: int | None
    min: Any = None  # numbers as int/float/Decimal; dates/timestamps as date/datetime
    max: Any = None
    mean: float | None = None
    stddev: float | None = None  # sample stddev (BigQuery's STDDEV)
    range_days: int | None = None
    histogram: tuple[HistogramBin, ...] = ()
    approximate_distinct: bool = False


@dataclass(frozen=True)
class TableStats:
    table: str
    row_count: int
    columns: tuple[ColumnStats, ...]
    # What the stats were computed for, so a cache can tell when they are stale.
    table_modified: dt.datetime | None = None


# How far a dry run's byte count can be trusted (BigQuery's totalBytesProcessedAccuracy).
PRECISE = "PRECISE"
UPPER_BOUND = "UPPER_BOUND"
LOWER_BOUND = "LOWER_BOUND"  # the query may scan more: external tables, some federated reads
UNKNOWN = "UNKNOWN"  # no idea: external/federated tables often report 0 bytes with this


@dataclass(frozen=True)
class DryRun:
    bytes_processed: int
    cost_usd: float
    # Only estimates on engines that cannot know (DuckDB); exact on BigQuery.
    estimated: bool = False
    # PRECISE | UPPER_BOUND | LOWER_BOUND | UNKNOWN; the last two always need a yes.
    accuracy: str = PRECISE

    @property
    def open_ended(self) -> bool:
        """True when the real scan may be larger than bytes_processed (or is unknown)."""
        return self.accuracy in (LOWER_BOUND, UNKNOWN)


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool = False  # more rows existed than the limit
    bytes_processed: int | None = None


ProgressCallback = Any  # Callable[[float, str], None]: fraction done (0–1), what is happening


@runtime_checkable
class Warehouse(Protocol):
    """What the product needs from a warehouse. Every method may raise WarehouseError."""

    #: "duckdb" or "bigquery"
    backend: str
    #: shown in the header: "DuckDB demo", "BigQuery my-project"
    label: str
    #: Default BigQuery project for fully qualified table names, or None.
    project: str | None
    #: Whether queries cost money (BigQuery): then the cost guard dry-runs first.
    billed: bool
    #: Whether table and dataset names compare ignoring case (DuckDB) or exactly (BigQuery).
    names_fold_case: bool
    #: Told what a waiting call is doing (BigQuery: a retry after a rate limit,
    #: the batch of a wide table's statistics); None: nobody listens.
    on_status: Callable[[str], None] | None

    def list_tables(self, dataset: str) -> list[TableInfo]:
        """Every table with its details (the CLI's full listing); see list_table_names for a quick one."""
        ...

    def list_table_names(self, dataset: str, *, project: str | None = None) -> list[str]:
        """The dataset's table names, sorted, reading nothing about each table (paged on BigQuery).

        What a screen shows first: thousands of names cost one listing, not a
        lookup per table. NotFoundError if the dataset does not exist.
        """
        ...

    def table_details(self, dataset: str, names: Sequence[str]) -> list[TableInfo]:
        """The entries of :meth:`list_tables` for `names` only, in name order; unknown names are left out.

        Costs in proportion to len(names) (a screen asks for the rows it
        shows); an adapter may serve unchanged tables from a cache.
        """
        ...

    def table_info(self, dataset: str, table: str, *, sizes: bool = True) -> TableInfo:
        """One table's entry of :meth:`list_tables`, reading only that table (NotFoundError if absent).

        sizes=False: the caller needs no byte count (statistics key on rows and
        modified time), so an engine that must scan for bytes may leave them None.
        """
        ...

    def schema(self, dataset: str, table: str) -> TableSchema: ...

    def column_stats(
        self, dataset: str, table: str, columns: list[str] | None = None
    ) -> TableStats:
        """Statistics for many columns (all when None) in ONE query."""
        ...

    def column_stats_sql(self, dataset: str, table: str, columns: list[str] | None = None) -> str:
        """The statistics query, so the cost guard can dry-run it first."""
        ...

    def sample_values_sql(self, dataset: str, table: str, column: str, limit: int = 20) -> str | None:
        """The query sample_values would run, so the cost guard can dry-run it; None when it runs none."""
        ...

    def sample_values(self, dataset: str, table: str, column: str, limit: int = 20) -> list[Any]: ...

    def dry_run(self, sql: str) -> DryRun: ...

    def query(self, sql: str, *, limit: int | None = None, max_bytes_billed: int | None = None) -> QueryResult: ...

    def cancel(self) -> None:
        """Stop whatever query is running (from another thread); it raises CancelledError."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class LocalWarehouse(Warehouse, Protocol):
    """A warehouse in a file on this machine (DuckDB): the demo is built into it and files are imported into it.

    What the demo build and `warehouse import` need beyond :class:`Warehouse`.
    """

    #: The warehouse file (it may not exist yet: the demo build creates it).
    path: Path

    def all_tables(self) -> list[tuple[str, str]]:
        """(dataset, table) of every table in the file."""
        ...

    def writable(self) -> AbstractContextManager[Any]:
        """A read-write connection of the engine, for the demo build or an import."""
        ...


# -- materialized tables (warehouse/duckdb_materialize.py, bigquery_materialize.py) --


@dataclass(frozen=True)
class CreatedTable:
    """A table made by CREATE TABLE AS: its full name, and what the job did."""

    ref: str  # `project.dataset.table` on BigQuery, `dataset.table` on DuckDB
    bytes_processed: int | None = None
    job_id: str | None = None
    expires_at: dt.datetime | None = None


@runtime_checkable
class TableWriter(Protocol):
    """Writing tables from queries; `warehouse.table_writer(wh)` gives the one for a warehouse."""

    def table_ref(self, dataset: str, table: str) -> str:
        """How SQL names the table (backtick-quoted)."""
        ...

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
        """All or nothing: the table exists with every row, or not at all. Refuses an existing table."""
        ...

    def table_exists(self, dataset: str, table: str) -> bool: ...

    def drop_table(self, dataset: str, table: str) -> None:
        """Drop the table if it exists."""
        ...

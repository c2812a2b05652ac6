"""The BigQuery warehouse: google-cloud-bigquery behind the Warehouse protocol.

Cheap by construction:
- metadata (tables, schemas, sample values) comes from the free REST calls
  (tables.list / tables.get / tabledata.list), never from a query;
- statistics for many columns are ONE query (bigquery_stats.py);
- every job is capped, labelled and cancellable (bigquery_jobs.py), and the
  dry run and confirmation happen one level up, in services/cost.py.

Bounded waits: the client's default retry deadline is 600 s, so every call
passes the profile's own ``request_timeout_s`` and ``retry_deadline_s``
(bigquery_connection.py). The library is imported on first use only: the CLI
and the TUI start without it.

The adapter is a chain of three classes, one job each: the connection
(client, retries, error context), the jobs (queries), and this module's
metadata, statistics and sample values.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from dataset_tui.warehouse.base import (
    BadQueryError,
    NotFoundError,
    TableInfo,
    TableSchema,
    TableStats,
)
from dataset_tui.warehouse.bigquery_jobs import JOB_LABELS, BigQueryJobs
from dataset_tui.warehouse.bigquery_metadata import (
    choose_columns,
    extract_path,
    table_info,
)
from dataset_tui.warehouse.bigquery_partitions import (
    PREVIEW_PARTITIONS,
    LatestPartitions,
    family_sizes_sql,
    latest_bound,
    partitioning_of,
    partitions_sql,
)
from dataset_tui.warehouse.bigquery_schema import (
    check_dataset,
    check_project,
    flatten,
    quote_path,
    table_id,
    table_sql,
)
from dataset_tui.warehouse.bigquery_scope import Scope, partition_scope, shard_scope
from dataset_tui.warehouse.bigquery_stats import (
    StatsPlan,
    plan_stats_batches,
    read_stats,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dataset_tui.config import Profile

__all__ = ["JOB_LABELS", "BigQueryWarehouse"]

# Metadata calls run in parallel, but politely: BigQuery rate-limits tables.get.
METADATA_WORKERS = 8
# How long a table's metadata is reused between the statistics SQL (dry run)
# and the statistics query, so one user action reads it once.
METADATA_TTL_S = 30.0
# Sample values come from tabledata.list (free): read this many rows per value wanted.
SAMPLE_ROWS_PER_VALUE = 20
SAMPLE_ROWS_MAX = 2000


class BigQueryWarehouse(BigQueryJobs):
    """Warehouse protocol over google-cloud-bigquery (see the module docstring)."""

    backend = "bigquery"
    billed = True
    # BigQuery's dataset and table names are case-sensitive (column names are not).
    names_fold_case = False

    def __init__(self, profile: Profile, *, client: Any = None) -> None:
        super().__init__(profile, client=client)
        self._metadata: dict[tuple[str, str], tuple[float, Any]] = {}
        self._family_sizes: dict[tuple[str, str], tuple[float, tuple[int, int]]] = {}

    @classmethod
    def from_profile(cls, profile: Profile) -> BigQueryWarehouse:
        return cls(profile)

    # -- metadata (free API calls) --------------------------------------------

    def list_tables(self, dataset: str) -> list[TableInfo]:
        check_dataset(dataset)
        client = self.client()
        where = self._where(f"list the tables of dataset {dataset}", dataset, permission="bigquery.tables.list")
        ref = f"{self.project}.{dataset}" if self.project else dataset
        with self._translating(where):
            items = list(client.list_tables(ref, retry=self._retry(), timeout=self.profile.request_timeout_s))
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=min(METADATA_WORKERS, len(items))) as pool:
            tables = list(pool.map(lambda item: self._get_table(dataset, item.table_id, fresh=True), items))
        return sorted((table_info(t) for t in tables), key=lambda info: info.name)

    def list_table_names(self, dataset: str, *, project: str | None = None) -> list[str]:
        """Names only, as BigQuery spells them: the paged tables.list call, no tables.get per table
        (5,000 tables = 5 pages); `project`: a dataset of another project."""
        check_dataset(dataset)
        where = self._where(f"list the tables of dataset {dataset}", dataset, permission="bigquery.tables.list")
        owner = check_project(project) if project else self.project
        ref = f"{owner}.{dataset}" if owner else dataset
        with self._translating(where):
            items = self.client().list_tables(
                ref, page_size=1000, retry=self._retry(), timeout=self.profile.request_timeout_s
            )
            return sorted(item.table_id for item in items)

    def table_details(self, dataset: str, names: Sequence[str]) -> list[TableInfo]:
        """get_table for `names` only, in a bounded pool, from the metadata cache while it is fresh."""
        check_dataset(dataset)
        if not names:
            return []

        def one(name: str) -> TableInfo | None:
            try:
                return table_info(self._get_table(dataset, name))
            except NotFoundError:
                return None  # dropped since the listing

        with ThreadPoolExecutor(max_workers=min(METADATA_WORKERS, len(names))) as pool:
            found = [info for info in pool.map(one, dict.fromkeys(names)) if info is not None]
        return sorted(found, key=lambda info: info.name)

    def table_info(
        self, dataset: str, table: str, *, project: str | None = None, sizes: bool = True
    ) -> TableInfo:
        """The table's metadata (`sizes` is free here: BigQuery keeps the byte count)."""
        check_dataset(dataset)
        return table_info(self._get_table(dataset, table, fresh=True, project=project))

    def dataset_names(self, *, project: str | None = None) -> list[str]:
        """The project's datasets as BigQuery spells them (one datasets.list call)."""
        owner = check_project(project) if project else self.project
        where = self._where("list the datasets of the project", permission="bigquery.datasets.get")
        with self._translating(where):
            items = self.client().list_datasets(owner, retry=self._retry(), timeout=self.profile.request_timeout_s)
            return sorted(item.dataset_id for item in items)

    def _get_table(self, dataset: str, table: str, *, fresh: bool = False, project: str | None = None) -> Any:
        key = (f"{project}:{dataset}" if project else dataset, table)
        now = time.monotonic()
        if not fresh:
            with self._lock:
                cached = self._metadata.get(key)
            if cached is not None and now - cached[0] < METADATA_TTL_S:
                return cached[1]
        client = self.client()
        where = self._where(f"read table {dataset}.{table}", dataset, table, permission="bigquery.tables.get")
        with self._translating(where):
            result = client.get_table(
                table_id(project or self.project, dataset, table),
                retry=self._retry(),
                timeout=self.profile.request_timeout_s,
            )
        with self._lock:
            self._metadata[key] = (now, result)
        return result

    def schema(self, dataset: str, table: str, *, project: str | None = None) -> TableSchema:
        """A table's columns; a wildcard table (`events_*`) has its newest shard's, as BigQuery reads it.

        `project`: the table's own project (`other-project.sales.orders`), else the profile's.
        """
        name = self._newest_shard(dataset, table, project) if table.endswith("*") else table
        bq_table = self._get_table(dataset, name, fresh=True, project=project)
        return TableSchema(table=table, columns=tuple(c.column for c in flatten(bq_table.schema)))

    def _newest_shard(self, dataset: str, family: str, project: str | None = None) -> str:
        return str(self._family(dataset, family, project).newest_table)

    def _family(self, dataset: str, family: str, project: str | None = None) -> Any:
        """The shard family `prefix*` of a dataset (its shards' dates), from one tables.list."""
        from dataset_tui.domain.shards import group_shards

        names = [n for n in self.list_table_names(dataset, project=project) if n.startswith(family[:-1])]
        found = [f for f in group_shards(names)[1] if f.name == family]
        if not found:
            raise NotFoundError(f"no table in {dataset} matches {family} (no tables {family[:-1]}YYYYMMDD)")
        return found[0]

    def _scan_scope(self, dataset: str, table: str) -> tuple[Scope, Any]:
        """(what a statistics scan reads, the table whose schema it has): bounded for shards and
        require_partition_filter tables (bigquery_scope.py), said through on_status."""
        if table.endswith("*"):
            family = self._family(dataset, table)
            bq_table = self._get_table(dataset, family.newest_table)
            scope = shard_scope(f"`{table_id(self.project, dataset, table[:-1])}*`", table, list(family.suffixes))
        else:
            bq_table = self._get_table(dataset, table)
            try:
                scope = partition_scope(table_sql(self.project, dataset, table), bq_table, f"{dataset}.{table}")
            except ValueError as exc:
                raise BadQueryError(str(exc)) from None
        if scope.note and self.on_status is not None:
            self.on_status(f"statistics of {scope.note}")
        return scope, bq_table

    # -- statistics (one query) ------------------------------------------------

    def _stats_plans(self, dataset: str, table: str, columns: list[str] | None) -> tuple[list[StatsPlan], Any]:
        scope, bq_table = self._scan_scope(dataset, table)
        flat = flatten(bq_table.schema)
        chosen = choose_columns(flat, columns, f"{dataset}.{table}")
        plans = plan_stats_batches(scope.source, chosen, approx_distinct=self.profile.approx_distinct)
        return plans, bq_table

    def column_stats_batches(self, dataset: str, table: str, columns: list[str] | None = None) -> list[str]:
        """The statistics queries, one per batch under BigQuery's result-column limit."""
        return [plan.sql for plan in self._stats_plans(dataset, table, columns)[0]]

    def column_stats_sql(self, dataset: str, table: str, columns: list[str] | None = None) -> str:
        """The first batch's query (the whole thing for up to ~1,000 columns)."""
        return self.column_stats_batches(dataset, table, columns)[0]

    def column_stats(self, dataset: str, table: str, columns: list[str] | None = None) -> TableStats:
        plans, bq_table = self._stats_plans(dataset, table, columns)
        total = 0
        stats: list[Any] = []
        for number, plan in enumerate(plans, start=1):
            if len(plans) > 1 and self.on_status is not None:
                self.on_status(f"statistics: batch {number} of {len(plans)} ({len(plan.columns)} columns)")
            _schema, rows, _bytes = self._run_job(
                plan.sql, max_rows=1, max_bytes_billed=None, action=f"compute statistics of {dataset}.{table}",
                dataset=dataset, table=table,
            )
            row = dict(rows[0].items()) if rows else {"row_count": 0}
            total, batch = read_stats(plan, row)
            stats.extend(batch)
        return TableStats(table=table, row_count=total, columns=tuple(stats), table_modified=bq_table.modified)

    # -- the newest partitions (bigquery_partitions.py) -------------------------------

    def latest_partitions(
        self, dataset: str, table: str, *, project: str | None = None, count: int = PREVIEW_PARTITIONS,
        purpose: str = "preview",
    ) -> LatestPartitions | None:
        """The bound on `table`'s partitioning column that keeps its newest `count` partitions,
        when it requires a partition filter (None otherwise); said through on_status."""
        bq_table = self._get_table(dataset, table, project=project)
        partitioning = partitioning_of(bq_table)
        if partitioning is None or not table_info(bq_table).require_partition_filter:
            return None
        owner = project or self.project
        sql = partitions_sql(owner, dataset, table, count, integer_range=partitioning[2])
        _schema, rows, _ = self._run_job(
            sql, max_rows=count, max_bytes_billed=None, action=f"list the partitions of {dataset}.{table}",
            dataset=dataset, table=table,
        )
        found = latest_bound(partitioning, [str(row[0]) for row in rows if row[0] is not None])
        if found is not None and self.on_status is not None:
            self.on_status(
                f"{purpose} of {dataset}.{table} covers its latest {found.count} partitions "
                f"({found.column} from {found.low}): the table requires a partition filter"
            )
        return found

    def family_sizes(self, dataset: str, prefixes: Sequence[str]) -> dict[str, tuple[int, int]]:
        """{prefix: (rows, bytes)} of the shard families `prefix*`, summed over their shards by one
        metadata query (bigquery_partitions.family_sizes_sql)."""
        now = time.monotonic()
        with self._lock:  # reused while fresh, as tables' metadata is: a face asks again on each scroll
            cached = {p: self._family_sizes.get((dataset, p)) for p in prefixes}
        known = {p: c for p, c in cached.items() if c is not None and now - c[0] < METADATA_TTL_S}
        missing = [p for p in dict.fromkeys(prefixes) if p not in known]
        found: dict[str, tuple[int, int]] = {p: c[1] for p, c in known.items()}
        if missing:
            sql = family_sizes_sql(self.project, check_dataset(dataset), missing)
            _schema, rows, _ = self._run_job(
                sql, max_rows=None, max_bytes_billed=None, action=f"sum the shards of dataset {dataset}",
                dataset=dataset,
            )
            fresh = {str(r["prefix"]): (int(r["row_count"] or 0), int(r["size_bytes"] or 0)) for r in rows}
            with self._lock:
                self._family_sizes.update({(dataset, p): (now, v) for p, v in fresh.items()})
            found.update(fresh)
        return found

    # -- sample values (free: tabledata.list) ------------------------------------

    def _sample_table(self, dataset: str, table: str) -> str:
        # A wildcard table's samples are its newest shard's rows: listed for free, no query.
        if table.endswith("*"):
            newest = self._newest_shard(dataset, table)
            if self.on_status is not None:
                self.on_status(f"sample values of {table} come from its newest shard, {newest}")
            return newest
        return table

    def sample_values_sql(self, dataset: str, table: str, column: str, limit: int = 20) -> str | None:
        """The query sample values need (views, external tables), or None when they are free."""
        table = self._sample_table(dataset, table)
        bq_table = self._get_table(dataset, table)
        if (bq_table.table_type or "TABLE") == "TABLE":
            return None
        flat = flatten(bq_table.schema)
        column = choose_columns(flat, [column], f"{dataset}.{table}", allow_nested_arrays=True)[0].name
        return self._sample_sql(dataset, table, column, limit)

    def _sample_sql(self, dataset: str, table: str, column: str, limit: int) -> str:
        expr = quote_path(column)
        return (
            f"SELECT {expr} AS value FROM {table_sql(self.project, dataset, table)} "
            f"WHERE {expr} IS NOT NULL LIMIT {max(1, int(limit))}"
        )

    def sample_values(self, dataset: str, table: str, column: str, limit: int = 20) -> list[Any]:
        table = self._sample_table(dataset, table)
        bq_table = self._get_table(dataset, table)
        flat = flatten(bq_table.schema)
        column = choose_columns(flat, [column], f"{dataset}.{table}", allow_nested_arrays=True)[0].name
        top = column.split(".")[0]
        field_ = next(f for f in bq_table.schema if f.name == top)
        if (bq_table.table_type or "TABLE") != "TABLE":
            # Views and external tables have no rows to list: a query, which
            # the cost guard has dry-run and confirmed (services/cost.py).
            return self._sample_by_query(dataset, table, column, limit)
        client = self.client()
        where = self._where(f"read rows of {dataset}.{table}", dataset, table, permission="bigquery.tables.getData")
        wanted = max(1, limit)
        values: list[Any] = []
        seen: set[str] = set()
        with self._translating(where):
            rows = client.list_rows(
                bq_table,
                selected_fields=[field_],
                max_results=min(SAMPLE_ROWS_MAX, wanted * SAMPLE_ROWS_PER_VALUE),
                retry=self._retry(),
                timeout=self.profile.request_timeout_s,
            )
            for row in rows:
                for value in extract_path(row[0], column.split(".")[1:]):
                    key = repr(value)
                    if value is None or value == [] or key in seen:
                        continue
                    seen.add(key)
                    values.append(value)
                    if len(values) >= wanted:
                        return values
        return values

    def _sample_by_query(self, dataset: str, table: str, column: str, limit: int) -> list[Any]:
        # Views have no rows to list; this reads them through a (capped) query.
        sql = self._sample_sql(dataset, table, column, limit)
        action = f"read sample values of {dataset}.{table}"
        _schema, rows, _ = self._run_job(
            sql, max_rows=limit, max_bytes_billed=None, action=action, dataset=dataset, table=table
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        super().close()
        with self._lock:
            self._metadata.clear()
            self._family_sizes.clear()

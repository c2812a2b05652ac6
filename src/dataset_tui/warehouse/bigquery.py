"""The BigQuery warehouse: google-cloud-bigquery behind the Warehouse protocol.

Cheap by construction:
- metadata (tables, schemas, sample values) comes from the free REST calls
  (tables.list / tables.get / tabledata.list), never from a query;
- statistics for many columns are ONE query (bigquery_stats.py);
- every job carries ``maximum_bytes_billed`` (BigQuery refuses, at no cost,
  a query that would bill more), a job timeout, and the label
  ``tool=dataset-tui`` so the bill can be traced;
- the dry run and confirmation happen one level up, in services/cost.py.

Bounded waits: the client's default retry deadline is 600 s, so every call
passes the profile's own ``request_timeout_s`` and ``retry_deadline_s``, and a
query is polled (not waited on blindly) so that ``cancel()`` from another
thread and the profile's ``timeout_s`` both stop it promptly. The library is
imported on first use only: the CLI and the TUI start without it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataset_tui.warehouse.base import (
    AuthError,
    BadQueryError,
    CancelledError,
    DryRun,
    NotFoundError,
    QueryResult,
    QueryTimeoutError,
    TableInfo,
    TableSchema,
    TableStats,
)
from dataset_tui.warehouse.bigquery_errors import (
    LocationMismatchError,
    Where,
    translating,
)
from dataset_tui.warehouse.bigquery_metadata import (
    choose_columns,
    dry_run_accuracy,
    extract_path,
    table_info,
)
from dataset_tui.warehouse.bigquery_retry import StatusCallback, api_retry, retry_job
from dataset_tui.warehouse.bigquery_schema import (
    check_dataset,
    check_project,
    field_type,
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

JOB_LABELS = {"tool": "dataset-tui"}
# BigQuery bills at least 10 MB for each table a query references.
MIN_BILLED_BYTES_PER_TABLE = 10 * 1024**2
# Metadata calls run in parallel, but politely: BigQuery rate-limits tables.get.
METADATA_WORKERS = 8
# How long a table's metadata is reused between the statistics SQL (dry run)
# and the statistics query, so one user action reads it once.
METADATA_TTL_S = 30.0
# Sample values come from tabledata.list (free): read this many rows per value wanted.
SAMPLE_ROWS_PER_VALUE = 20
SAMPLE_ROWS_MAX = 2000


@dataclass(eq=False)  # identity, so runs can live in a set
class _Run:
    """One running query, so cancel() can reach it from another thread."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    job: Any = None
    cancel_sent: bool = False


class BigQueryWarehouse:
    """Warehouse protocol over google-cloud-bigquery (see the module docstring)."""

    backend = "bigquery"
    billed = True
    # BigQuery's dataset and table names are case-sensitive (column names are not).
    names_fold_case = False

    def __init__(self, profile: Profile, *, client: Any = None) -> None:
        self.profile = profile
        self.project: str | None = check_project(profile.project) if profile.project else None
        self.label = profile.label
        self._client = client
        self._lock = threading.Lock()
        self._runs: set[_Run] = set()
        self._metadata: dict[tuple[str, str], tuple[float, Any]] = {}
        # Told about retries and waits ("BigQuery answered rateLimitExceeded; retrying in 2 s"):
        # the CLI prints it, the TUI shows it in the status line.
        self.on_status: StatusCallback | None = None

    @classmethod
    def from_profile(cls, profile: Profile) -> BigQueryWarehouse:
        return cls(profile)

    # -- the client --------------------------------------------------------------

    def client(self) -> Any:
        """The google-cloud-bigquery Client, created on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        from google.cloud import bigquery

        profile = self.profile
        where = self._where("connect to BigQuery")
        with self._translating(where):
            credentials, found_project = self._credentials()
            project = profile.project or found_project
            if not project:
                raise AuthError(
                    f"profile {profile.name!r} names no BigQuery project and the credentials carry none: "
                    "set `project` in the profile (or DATASET_TUI_BQ_PROJECT)"
                )
            options = {"api_endpoint": profile.api_endpoint} if profile.api_endpoint else None
            return bigquery.Client(
                project=project,
                credentials=credentials,
                location=profile.location,
                client_options=options,
            )

    def _credentials(self) -> tuple[Any, str | None]:
        """(credentials, their project): a service-account key file, else
        anonymous for an emulator endpoint, else Application Default Credentials."""
        profile = self.profile
        if profile.credentials:
            from google.oauth2 import service_account

            path = profile.credentials
            try:
                key = service_account.Credentials.from_service_account_file(
                    path, scopes=["https://www.googleapis.com/auth/cloud-platform"]
                )
                return key, key.project_id
            except FileNotFoundError:
                raise AuthError(
                    f"the credentials file {path} of profile {profile.name!r} does not exist; "
                    "fix `credentials` in the profile, or remove it to use `gcloud auth application-default login`"
                ) from None
            except (ValueError, KeyError, OSError) as exc:
                raise AuthError(
                    f"the credentials file {path} of profile {profile.name!r} is not a service-account key ({exc}); "
                    "download a JSON key for the service account, or remove `credentials` to use "
                    "`gcloud auth application-default login`"
                ) from None
        if profile.api_endpoint:
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials(), None
        import google.auth

        return google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])

    def _retry(self) -> Any:
        # Not the library's DEFAULT_RETRY: that one also retries an endpoint
        # that refuses connections or a name that does not resolve, for its
        # whole deadline; ours fails those at once (bigquery_retry.py).
        return api_retry(self.profile.retry_deadline_s, self.on_status)

    @contextlib.contextmanager
    def _translating(self, where: Where) -> Iterator[None]:
        """translating(), plus the dataset's real location when BigQuery looked in the wrong one."""
        try:
            with translating(where):
                yield
        except LocationMismatchError as exc:
            raise LocationMismatchError(self._location_message(exc), ref=exc.ref, searched=exc.searched) from exc

    def _location_message(self, exc: LocationMismatchError) -> str:
        actual = None
        try:  # a free metadata call, best effort and short: the error is what matters
            actual = getattr(self.client().get_dataset(exc.ref, retry=None, timeout=min(
                10.0, self.profile.request_timeout_s)), "location", None)
        except Exception:
            actual = None
        name = self.profile.name
        if actual:
            return (
                f"the dataset {exc.ref} is in {actual}, but BigQuery looked for it in {exc.searched}; "
                f'set `location = "{actual}"` in profile {name!r}'
            )
        return (
            f"dataset {exc.ref} was not found in location {exc.searched}, where BigQuery looked; "
            f"if it exists in another location, set `location` in profile {name!r} to that location"
        )

    def _where(self, action: str, dataset: str | None = None, table: str | None = None,
               permission: str | None = None) -> Where:
        return Where(
            action=action,
            profile=self.profile.name,
            project=self.project or (self._client.project if self._client is not None else None),
            location=self.profile.location,
            dataset=dataset,
            table=table,
            endpoint=self.profile.api_endpoint,
            permission=permission,
            retry_deadline_s=self.profile.retry_deadline_s,
        )

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

    def table_info(self, dataset: str, table: str, *, project: str | None = None) -> TableInfo:
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

    # -- queries ------------------------------------------------------------

    def dry_run(self, sql: str) -> DryRun:
        from google.cloud import bigquery

        client = self.client()
        config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False, labels=dict(JOB_LABELS))
        with self._translating(self._where("estimate the query's cost (dry run)")):
            job = client.query(
                sql,
                job_config=config,
                location=self.profile.location,
                retry=self._retry(),
                timeout=self.profile.request_timeout_s,
                job_retry=None,
            )
        processed = int(job.total_bytes_processed or 0)
        tables = len(getattr(job, "referenced_tables", None) or [])
        billed = max(processed, MIN_BILLED_BYTES_PER_TABLE * tables) if processed or tables else 0
        return DryRun(
            bytes_processed=processed,
            cost_usd=billed / 1024**4 * self.profile.price_per_tib,
            accuracy=dry_run_accuracy(job),
        )

    def query(self, sql: str, *, limit: int | None = None, max_bytes_billed: int | None = None) -> QueryResult:
        max_rows = None if limit is None else limit + 1  # one more tells whether it was cut
        schema, rows, processed = self._run_job(sql, max_rows=max_rows, max_bytes_billed=max_bytes_billed,
                                                action="run the query")
        truncated = limit is not None and len(rows) > limit
        kept = rows[:limit] if limit is not None else rows
        return QueryResult(
            columns=tuple(f.name for f in schema),
            types=tuple(field_type(f) for f in schema),
            rows=tuple(tuple(row.values()) for row in kept),
            truncated=truncated,
            bytes_processed=processed,
        )

    def _run_job(
        self,
        sql: str,
        *,
        max_rows: int | None,
        max_bytes_billed: int | None,
        action: str,
        dataset: str | None = None,
        table: str | None = None,
        on_job: Any = None,  # called with the job once created (materialize records its id)
    ) -> tuple[list[Any], list[Any], int | None]:
        """Run one query job to the end: (schema, rows, bytes processed)."""
        from google.cloud import bigquery

        client = self.client()
        profile = self.profile
        cap = profile.max_bytes_billed if max_bytes_billed is None else max_bytes_billed
        config = bigquery.QueryJobConfig(
            labels=dict(JOB_LABELS),
            maximum_bytes_billed=int(cap),
            job_timeout_ms=int(profile.timeout_s * 1000),
            use_legacy_sql=False,
        )
        run = _Run()
        with self._lock:
            self._runs.add(run)
        where = self._where(action, dataset, table, permission="bigquery.tables.getData")

        def once() -> tuple[list[Any], list[Any], int | None]:
            if run.cancelled.is_set():
                raise CancelledError("the query was cancelled")
            job = client.query(
                    sql,
                    job_config=config,
                    location=profile.location,
                    retry=self._retry(),
                    timeout=profile.request_timeout_s,
                # No library job retry: it would wrap the insert in its own
                # 600 s retry that outlives ours; retry_job below resubmits a
                # job that failed for a transient reason, within retry_deadline_s.
                job_retry=None,
            )
            with self._lock:
                run.job, run.cancel_sent = job, False
            if on_job is not None:
                on_job(job)
            self._wait(job, run)
            iterator = job.result(
                max_results=max_rows,
                retry=self._retry(),
                timeout=profile.request_timeout_s,
                job_retry=None,
            )
            rows = list(iterator)
            return list(iterator.schema or []), rows, job.total_bytes_processed

        try:
            with self._translating(where):
                return retry_job(once, deadline_s=profile.retry_deadline_s, on_status=self.on_status,
                                 sleep=run.cancelled.wait)
        finally:
            with self._lock:
                self._runs.discard(run)

    def _wait(self, job: Any, run: _Run) -> None:
        """Poll the job until it is done, the user cancels, or timeout_s passes."""
        deadline = time.monotonic() + self.profile.timeout_s
        pause = 0.05
        while True:
            if run.cancelled.is_set():
                self._send_cancel(run)
                raise CancelledError("the query was cancelled")
            if job.done(retry=self._retry(), timeout=self.profile.request_timeout_s):
                return
            if time.monotonic() >= deadline:
                self._send_cancel(run)
                raise QueryTimeoutError(
                    f"the query ran longer than timeout_s = {self.profile.timeout_s:g} s of profile "
                    f"{self.profile.name!r} and was cancelled; narrow it, or raise timeout_s"
                )
            run.cancelled.wait(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 1.0)

    def cancel(self) -> None:
        """Stop every running query; the thread waiting on it raises CancelledError.

        Safe to call from any thread (the TUI's); the cancel request itself
        runs in a background thread so the caller never waits on the network.
        """
        with self._lock:
            runs = list(self._runs)
        for run in runs:
            run.cancelled.set()
            if run.job is not None:
                threading.Thread(target=self._send_cancel, args=(run,), daemon=True).start()

    def _send_cancel(self, run: _Run) -> None:
        with self._lock:
            # No client means the warehouse was closed: nothing left to cancel with.
            if run.cancel_sent or run.job is None or self._client is None:
                return
            run.cancel_sent = True
            job, client = run.job, self._client
        # Best effort: the job also has job_timeout_ms, and the caller
        # already has its CancelledError / QueryTimeoutError.
        with contextlib.suppress(Exception):
            client.cancel_job(
                job.job_id, location=job.location, retry=None, timeout=self.profile.request_timeout_s
            )

    def close(self) -> None:
        self.cancel()
        with self._lock:
            client, self._client = self._client, None
            self._metadata.clear()
        if client is not None and hasattr(client, "close"):
            client.close()

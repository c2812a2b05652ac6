"""BigQuery query jobs: dry runs, capped and labelled queries, polling, cancellation.

Every job carries ``maximum_bytes_billed`` (BigQuery refuses, at no cost, a
query that would bill more), a job timeout, and the label
``tool=dataset-tui`` so the bill can be traced; the dry run and confirmation
happen one level up, in services/cost.py. A query is polled (not waited on
blindly) so that ``cancel()`` from another thread and the profile's
``timeout_s`` both stop it promptly.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dataset_tui.warehouse.base import (
    CancelledError,
    DryRun,
    QueryResult,
    QueryTimeoutError,
    WarehouseError,
)
from dataset_tui.warehouse.bigquery_connection import BigQueryConnection
from dataset_tui.warehouse.bigquery_errors import translating
from dataset_tui.warehouse.bigquery_location import DatasetRef, job_location, referenced_datasets
from dataset_tui.warehouse.bigquery_metadata import dry_run_accuracy
from dataset_tui.warehouse.bigquery_retry import retry_job
from dataset_tui.warehouse.bigquery_schema import field_type

if TYPE_CHECKING:
    from dataset_tui.config import Profile

JOB_LABELS = {"tool": "dataset-tui"}
# BigQuery bills at least 10 MB for each table a query references.
MIN_BILLED_BYTES_PER_TABLE = 10 * 1024**2


@dataclass(eq=False)  # identity, so runs can live in a set
class _Run:
    """One running query, so cancel() can reach it from another thread."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    job: Any = None
    cancel_sent: bool = False


class BigQueryJobs(BigQueryConnection):
    """Query jobs over the connection (see the module docstring)."""

    def __init__(self, profile: Profile, *, client: Any = None) -> None:
        super().__init__(profile, client=client)
        self._runs: set[_Run] = set()
        # Dataset -> its location (None: unknown), read once per dataset (bigquery_location.py).
        self._locations: dict[DatasetRef, str | None] = {}

    # -- where a job runs ------------------------------------------------------------

    def job_location(self, sql: str) -> str | None:
        """The location `sql`'s job must run in: its datasets' (one get_dataset each, cached),
        else the profile's; BadQueryError when they lie in two locations."""
        default_project = self.project or getattr(self._client, "project", None)
        refs = referenced_datasets(sql, default_project)
        return job_location({ref: self._dataset_location(ref) for ref in refs}, self.profile.location)

    def _dataset_location(self, ref: DatasetRef) -> str | None:
        with self._lock:
            if ref in self._locations:
                return self._locations[ref]
        location = None
        try:  # a free metadata call; when it fails the job says what is wrong, in the profile's location
            where = self._where(f"read dataset {ref}", ref.dataset, permission="bigquery.datasets.get")
            with translating(where):
                found = self.client().get_dataset(
                    str(ref), retry=self._retry(), timeout=self.profile.request_timeout_s
                )
            location = getattr(found, "location", None) or None
        except WarehouseError:
            location = None
        with self._lock:
            self._locations[ref] = location
        return location

    # -- queries ------------------------------------------------------------

    def dry_run(self, sql: str) -> DryRun:
        from google.cloud import bigquery

        client = self.client()
        location = self.job_location(sql)
        config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False, labels=dict(JOB_LABELS))
        where = replace(self._where("estimate the query's cost (dry run)"), location=location)
        with self._translating(where):
            job = client.query(
                sql,
                job_config=config,
                location=location,
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
        location = self.job_location(sql)
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
        where = replace(self._where(action, dataset, table, permission="bigquery.tables.getData"), location=location)

        def once() -> tuple[list[Any], list[Any], int | None]:
            if run.cancelled.is_set():
                raise CancelledError("the query was cancelled")
            job = client.query(
                    sql,
                    job_config=config,
                    location=location,
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
            self._locations.clear()
        if client is not None and hasattr(client, "close"):
            client.close()

"""A recording fake of google.cloud.bigquery.Client, for what the emulator cannot do.

The emulator reports 0 bytes for every dry run, ignores maximum_bytes_billed
and finishes every job before answering, so the cost guard, the byte cap,
cancellation and the error mapping are tested against this instead. It records
every call with the real QueryJobConfig the adapter built, and answers with
real SchemaField / Row objects so the adapter's reading code runs unchanged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from google.cloud.bigquery import SchemaField
from google.cloud.bigquery.table import Row

from dataset_tui.config import Profile
from dataset_tui.warehouse.base import DryRun


@dataclass
class Ctx:
    """The two things the cost guard reads from services.context.AppContext."""

    profile: Profile
    wh: Any

    def warehouse(self) -> Any:
        return self.wh


class Recorder:
    """A cost confirmation that answers `answer` and keeps every dry run it was asked about."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[DryRun] = []

    def __call__(self, dry: DryRun) -> bool:
        self.asked.append(dry)
        return self.answer


@dataclass
class Call:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    @property
    def config(self) -> Any:
        return self.kwargs.get("job_config")


class FakeRows(list):
    """What QueryJob.result() returns: an iterable of Rows with a schema."""

    def __init__(self, schema: list[SchemaField], rows: list[Row]) -> None:
        super().__init__(rows)
        self.schema = schema


def make_rows(schema: list[SchemaField], values: list[tuple[Any, ...]]) -> FakeRows:
    index = {f.name: i for i, f in enumerate(schema)}
    return FakeRows(schema, [Row(v, index) for v in values])


@dataclass
class FakeJob:
    job_id: str
    sql: str
    rows: FakeRows
    total_bytes_processed: int | None
    location: str | None = "EU"
    referenced_tables: list[Any] = field(default_factory=list)
    error: BaseException | None = None  # raised by result(), as a failed job does
    finished: threading.Event = field(default_factory=threading.Event)
    cancelled: bool = False
    accuracy: str | None = None  # totalBytesProcessedAccuracy of a dry run

    @property
    def _properties(self) -> dict[str, Any]:
        # Where the real QueryJob keeps the REST resource (the accuracy has no property).
        query = {"totalBytesProcessedAccuracy": self.accuracy} if self.accuracy else {}
        return {"statistics": {"query": query}}

    def done(self, retry: Any = None, timeout: Any = None) -> bool:
        return self.finished.is_set()

    def result(self, max_results: int | None = None, **_: Any) -> FakeRows:
        if self.error is not None:
            raise self.error
        rows = self.rows if max_results is None else self.rows[:max_results]
        return FakeRows(self.rows.schema, list(rows))


class FakeClient:
    """Answers queries from a script; records everything asked of it."""

    def __init__(self, project: str = "acme") -> None:
        self.project = project
        self.calls: list[Call] = []
        self.dry_run_bytes = 0
        self.referenced_tables = 1
        self.result_rows = make_rows([SchemaField("x", "INTEGER")], [(1,)])
        self.tables: dict[str, Any] = {}
        self.fail_on: dict[str, BaseException] = {}  # method -> exception to raise
        self.fail_result: BaseException | None = None  # a job that fails when read
        self.hold_jobs = False  # jobs stay running until released
        self.jobs: list[FakeJob] = []
        self.job_started = threading.Event()
        self.dry_run_accuracy: str | None = None
        # Errors the next jobs fail with, one each, in order (then they succeed).
        self.job_errors: list[BaseException] = []
        # dataset id -> its location, for get_dataset.
        self.datasets: dict[str, str] = {}
        # As BigQuery: refuse a result wider than 10,000 columns or a query text
        # over 1,024K characters; the width of every query is recorded here.
        self.check_limits = False
        self.result_widths: list[int] = []
        # Answer each query with one row holding every output column (row_count = this).
        self.echo_columns_rows: int | None = None
        # The dry run's bytes from the SQL (e.g. by the partitions it reads); else dry_run_bytes.
        self.dry_run_bytes_of: Any = None
        # The rows of a query from its SQL (FakeRows), or None for result_rows (e.g. metadata views).
        self.answer_of: Any = None

    # -- what the adapter calls -------------------------------------------------

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append(Call(method, args, kwargs))
        if method in self.fail_on:
            raise self.fail_on[method]

    def query(self, sql: str, job_config: Any = None, **kwargs: Any) -> FakeJob:
        dry = bool(job_config is not None and job_config.dry_run)
        self._record("dry_run" if dry else "query", sql, job_config=job_config, **kwargs)
        rows = self.result_rows
        if self.check_limits or self.echo_columns_rows is not None:
            names = _output_names(sql)
            self.result_widths.append(len(names))
            if self.check_limits:
                from google.api_core import exceptions as api

                if len(sql) > 1024 * 1024:
                    too_large = [{"reason": "invalid", "message": "too large"}]
                    raise api.BadRequest("The query is too large.", errors=too_large)
                if len(names) > 10_000:
                    message = f"Result has {len(names)} columns, more than the 10000 allowed"
                    raise api.BadRequest(message, errors=[{"reason": "invalidQuery", "message": message}])
            if self.echo_columns_rows is not None:
                schema = [SchemaField(n, "INTEGER") for n in names]
                rows = make_rows(schema, [tuple(self.echo_columns_rows if n == "row_count" else None for n in names)])
        answer = self.answer_of(sql) if self.answer_of is not None else None
        if answer is not None:
            rows = answer
        error = None if dry else self.fail_result
        if not dry and self.job_errors:
            error = self.job_errors.pop(0)
        job = FakeJob(
            job_id=f"job_{len(self.calls)}",
            sql=sql,
            rows=rows,
            total_bytes_processed=self.dry_run_bytes_of(sql) if self.dry_run_bytes_of else self.dry_run_bytes,
            referenced_tables=[object()] * self.referenced_tables,
            error=error,
            accuracy=self.dry_run_accuracy if dry else None,
        )
        if dry or not self.hold_jobs:
            job.finished.set()
        self.jobs.append(job)
        self.job_started.set()
        return job

    def cancel_job(self, job_id: str, **kwargs: Any) -> None:
        self._record("cancel_job", job_id, **kwargs)
        for job in self.jobs:
            if job.job_id == job_id:
                job.cancelled = True

    def get_dataset(self, ref: str, **kwargs: Any) -> Any:
        self._record("get_dataset", ref, **kwargs)
        from google.api_core import exceptions as api

        name = ref.split(".")[-1]
        if name not in self.datasets:
            raise api.NotFound(f"Not found: Dataset {ref}")
        return _Dataset(ref, self.datasets[name])

    def get_table(self, ref: str, **kwargs: Any) -> Any:
        """A table by `project.dataset.table`, `dataset.table` or its name: as BigQuery, the case must match."""
        self._record("get_table", ref, **kwargs)
        from google.api_core import exceptions as api

        parts = ref.split(".")
        if ref in self.tables:
            return self.tables[ref]
        if self.datasets and len(parts) >= 2 and parts[-2] not in self.datasets:
            raise api.NotFound(f"Not found: Dataset {'.'.join(parts[:-1])}")
        for key in (".".join(parts[-2:]), parts[-1]):
            if key in self.tables:
                return self.tables[key]
        raise api.NotFound(f"Not found: Table {ref}")

    def list_tables(self, ref: str, **kwargs: Any) -> list[Any]:
        """The tables of a dataset; an unknown dataset (when `datasets` is set) is NotFound, case-sensitive."""
        self._record("list_tables", ref, **kwargs)
        from google.api_core import exceptions as api

        parts = ref.split(".")
        if self.datasets and parts[-1] not in self.datasets:
            raise api.NotFound(f"Not found: Dataset {ref}")
        # Tables keyed by name only are in every dataset; qualified keys only in theirs.
        def in_dataset(key: str) -> bool:
            owner = key.split(".")[:-1]
            return not owner or owner == parts[-len(owner) :]

        return [t for k, t in self.tables.items() if in_dataset(k)]

    def list_datasets(self, project: str | None = None, **kwargs: Any) -> list[Any]:
        self._record("list_datasets", project, **kwargs)
        return [_Dataset(name, location) for name, location in self.datasets.items()]

    def list_rows(self, table: Any, **kwargs: Any) -> list[Any]:
        self._record("list_rows", table, **kwargs)
        return []

    def close(self) -> None:
        self._record("close")

    # -- what tests read ----------------------------------------------------------

    def count(self, method: str) -> int:
        return sum(1 for c in self.calls if c.method == method)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


@dataclass
class _Dataset:
    dataset_id: str
    location: str


def _output_names(sql: str) -> list[str]:
    """The output column names of the outermost SELECT, parsed as BigQuery SQL (sqlglot)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read="bigquery")
    return [e.alias_or_name for e in tree.selects]


@dataclass
class FakeTable:
    """Enough of google.cloud.bigquery.Table for the adapter."""

    table_id: str
    schema: list[SchemaField]
    num_rows: int | None = 100
    num_bytes: int | None = 4096
    modified: Any = None
    table_type: str = "TABLE"
    time_partitioning: Any = None
    range_partitioning: Any = None
    clustering_fields: list[str] | None = None
    require_partition_filter: bool | None = None

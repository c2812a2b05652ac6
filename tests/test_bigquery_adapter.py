"""The BigQuery adapter over a recording fake client: errors, cancellation,
timeouts, credentials, schema flattening and statistics parsing.

Everything here is what the emulator cannot show (it never fails like
BigQuery, finishes jobs before answering, and returns top values without
counts); test_bigquery_emulator.py runs the same adapter on a real REST server.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from google.api_core import exceptions as api
from google.api_core.exceptions import RetryError
from google.auth import exceptions as auth
from google.cloud.bigquery import RangePartitioning, SchemaField, TimePartitioning
from google.cloud.bigquery.table import PartitionRange

from bq_fake import FakeClient, FakeTable, make_rows
from dataset_tui.config import Profile
from dataset_tui.warehouse.base import (
    AuthError,
    BadQueryError,
    CancelledError,
    CostLimitError,
    HistogramBin,
    LocalWarehouse,
    NotFoundError,
    PermissionDeniedError,
    QueryTimeoutError,
    UnavailableError,
    Warehouse,
    WarehouseError,
)
from dataset_tui.warehouse.bigquery import JOB_LABELS, BigQueryWarehouse
from dataset_tui.warehouse.bigquery_stats import histogram_from_quantiles, histogram_from_top

NESTED = [
    SchemaField("user_id", "STRING", mode="REQUIRED", description="who"),
    SchemaField("n", "INTEGER"),
    SchemaField(
        "device",
        "RECORD",
        fields=[SchemaField("category", "STRING"), SchemaField("screen", "RECORD", fields=[SchemaField("w", "INT64")])],
    ),
    SchemaField("tags", "STRING", mode="REPEATED"),
    SchemaField("items", "RECORD", mode="REPEATED", fields=[SchemaField("sku", "STRING"), SchemaField("qty", "FLOAT")]),
    SchemaField("ok", "BOOLEAN"),
]


def make(**overrides: object) -> tuple[BigQueryWarehouse, FakeClient]:
    settings = {"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU", **overrides}
    profile = Profile.model_validate(settings)
    client = FakeClient()
    client.tables["events"] = FakeTable("events", NESTED)
    return BigQueryWarehouse(profile, client=client), client


def test_satisfies_the_protocol() -> None:
    wh, _ = make()
    assert isinstance(wh, Warehouse)
    assert (wh.backend, wh.billed, wh.project, wh.label) == ("bigquery", True, "acme", "BigQuery acme")


def test_importing_the_adapter_does_not_import_the_client_library() -> None:
    code = "import sys, dataset_tui.warehouse.bigquery; print('google.cloud.bigquery' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_schema_flattens_structs_and_arrays() -> None:
    wh, _ = make()
    columns = {c.name: c for c in wh.schema("raw_data", "events").columns}
    assert list(columns) == [
        "user_id", "n", "device", "device.category", "device.screen", "device.screen.w",
        "tags", "items", "items.sku", "items.qty", "ok",
    ]
    user_id = columns["user_id"]
    assert (user_id.type, user_id.mode, user_id.description) == ("STRING", "REQUIRED", "who")
    assert columns["n"].type == "INT64" and columns["ok"].type == "BOOL"
    assert columns["device"].type == "STRUCT<category STRING, screen STRUCT<w INT64>>"
    assert columns["device.screen.w"].type == "INT64"
    assert (columns["tags"].type, columns["tags"].mode) == ("ARRAY<STRING>", "REPEATED")
    assert columns["items"].type == "ARRAY<STRUCT<sku STRING, qty FLOAT64>>"
    # A field inside an array is, per row, an array of values.
    assert (columns["items.qty"].type, columns["items.qty"].mode) == ("ARRAY<FLOAT64>", "REPEATED")


def test_list_tables_reads_metadata_in_parallel_with_partitioning() -> None:
    wh, client = make()
    modified = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    client.tables = {
        "b_events": FakeTable("b_events", NESTED, num_rows=5, num_bytes=900, modified=modified,
                              time_partitioning=TimePartitioning(field="ts"), clustering_fields=["user_id"]),
        "a_ranges": FakeTable("a_ranges", NESTED[:2], range_partitioning=RangePartitioning(
            range_=PartitionRange(start=0, end=100, interval=10), field="n")),
        "c_view": FakeTable("c_view", NESTED[:1], num_rows=None, num_bytes=None, table_type="VIEW"),
    }
    tables = wh.list_tables("raw_data")
    assert [t.name for t in tables] == ["a_ranges", "b_events", "c_view"]
    a, b, c = tables
    assert (b.rows, b.bytes, b.columns, b.modified) == (5, 900, 6, modified)
    assert b.partitioning == "DAY on ts" and b.clustering == ("user_id",)
    assert a.partitioning == "RANGE on n" and a.columns == 2
    assert c.rows is None and c.partitioning is None
    assert client.count("get_table") == 3 and client.count("query") == 0  # metadata is free
    assert client.of("list_tables")[0].args == ("acme.raw_data",)


def test_table_info_reads_only_that_table() -> None:
    wh, client = make()
    client.tables = {
        "events": FakeTable("events", NESTED, num_rows=5, num_bytes=900, clustering_fields=["user_id"]),
        "other": FakeTable("other", NESTED[:1]),
    }
    info = wh.table_info("raw_data", "events")
    assert info == next(t for t in wh.list_tables("raw_data") if t.name == "events")
    assert (info.rows, info.bytes, info.columns, info.clustering) == (5, 900, 6, ("user_id",))
    assert client.of("get_table")[0].args == ("acme.raw_data.events",)
    assert isinstance(wh, Warehouse) and not isinstance(wh, LocalWarehouse)


def test_stats_are_one_capped_labelled_query_and_parse_bigquery_shapes() -> None:
    wh, client = make(approx_distinct=True, max_bytes_billed=12345)
    schema = [SchemaField(n, t, mode=m) for n, t, m in [
        ("row_count", "INTEGER", "NULLABLE"), ("c0_nulls", "INTEGER", "NULLABLE"),
        ("c0_distinct", "INTEGER", "NULLABLE"),
        ("c0_min", "INTEGER", "NULLABLE"), ("c0_max", "INTEGER", "NULLABLE"), ("c0_mean", "FLOAT", "NULLABLE"),
        ("c0_stddev", "FLOAT", "NULLABLE"), ("c0_quantiles", "INTEGER", "REPEATED"),
        ("c1_nulls", "INTEGER", "NULLABLE"), ("c1_distinct", "INTEGER", "NULLABLE"), ("c1_min", "BOOLEAN", "NULLABLE"),
        ("c1_max", "BOOLEAN", "NULLABLE"), ("c1_top", "RECORD", "REPEATED"),
    ]]
    top = [{"value": True, "count": 60}, {"value": None, "count": 30}, {"value": False, "count": 10}]
    client.result_rows = make_rows(schema, [(100, 0, 90, 0, 20, 10.0, 5.5, list(range(21)), 30, 2, False, True, top)])
    stats = wh.column_stats("raw_data", "events", ["n", "ok"])
    (job,) = client.of("query")
    sql = job.args[0]
    assert sql.count("FROM `acme.raw_data.events`") == 1
    assert "APPROX_COUNT_DISTINCT(`n`)" in sql and "APPROX_TOP_COUNT(`ok`, 10)" in sql
    assert job.config.maximum_bytes_billed == 12345 and job.config.labels == JOB_LABELS
    assert job.kwargs["location"] == "EU"
    n, ok = stats.columns
    assert stats.row_count == 100
    assert (n.null_count, n.distinct_count, n.min, n.max, n.mean, n.stddev) == (0, 90, 0, 20, 10.0, 5.5)
    assert n.approximate_distinct is True
    assert sum(b.count for b in n.histogram) == 100 and len(n.histogram) == 10
    assert (ok.null_count, ok.min, ok.max) == (30, False, True)
    assert [(b.label, b.count) for b in ok.histogram] == [("true", 60), ("false", 10)]


def test_stats_of_unknown_or_unreachable_columns_say_so() -> None:
    wh, client = make()
    with pytest.raises(NotFoundError, match=re.escape("'nope' is not in table raw_data.events")):
        wh.column_stats("raw_data", "events", ["nope"])
    with pytest.raises(NotFoundError, match="inside a repeated field"):
        wh.column_stats("raw_data", "events", ["items.sku"])
    assert client.count("query") == 0


def test_default_stats_skip_fields_inside_arrays_and_reuse_metadata() -> None:
    wh, client = make()
    sql = wh.column_stats_sql("raw_data", "events")
    assert "`items`.`sku`" not in sql
    assert "COUNTIF(ARRAY_LENGTH(`items`) = 0)" in sql
    assert "`device`.`screen`.`w`" in sql
    wh.column_stats_sql("raw_data", "events")
    assert client.count("get_table") == 1  # the dry run and the query share one metadata read


def test_histogram_from_top_without_counts_is_empty_not_invented() -> None:
    assert histogram_from_top(["a", "b"]) == ()
    assert histogram_from_top([{"value": "a", "count": 3}, {"value": None, "count": 9}]) == (HistogramBin("a", 3),)


def test_histogram_from_quantiles_keeps_totals_and_shape() -> None:
    # Skewed data: most quantiles near 0, a long tail.
    quantiles = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 7, 10, 20, 100]
    bins = histogram_from_quantiles(quantiles, 2000, "INT64")
    assert sum(b.count for b in bins) == 2000
    # 18 of the 20 intervals lie in 0–10, one in 10–20, the last spreads over 20–100.
    assert [b.count for b in bins[:2]] == [1800, 100]
    assert {b.count for b in bins[2:]} <= {12, 13}
    assert bins[0].label == "0 – 10" and bins[-1].label == "90 – 100"
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=3 * i) for i in range(21)]
    date_bins = histogram_from_quantiles(days, 21, "DATE")
    assert date_bins[0].label.startswith("2024-01-01 – ")
    assert sum(b.count for b in date_bins) == 21
    assert histogram_from_quantiles([5, 5, 5], 7, "INT64")[0].count == 7
    assert histogram_from_quantiles(None, 0, "INT64") == ()


def test_query_limit_truncation_and_types() -> None:
    wh, client = make()
    client.result_rows = make_rows(
        [SchemaField("a", "INTEGER"), SchemaField("t", "STRING", mode="REPEATED"),
         SchemaField("s", "RECORD", fields=[SchemaField("x", "FLOAT")])],
        [(i, ["x"], {"x": 1.0}) for i in range(5)],
    )
    result = wh.query("SELECT 1", limit=3)
    assert result.columns == ("a", "t", "s")
    assert result.types == ("INT64", "ARRAY<STRING>", "STRUCT<x FLOAT64>")
    assert [r[0] for r in result.rows] == [0, 1, 2] and result.truncated
    assert not wh.query("SELECT 1", limit=5).truncated
    for call in client.of("query"):
        assert call.config.maximum_bytes_billed == wh.profile.max_bytes_billed
        assert int(call.config.job_timeout_ms) == int(wh.profile.timeout_s * 1000)
        assert call.kwargs["timeout"] == wh.profile.request_timeout_s
        assert call.kwargs["retry"].timeout == wh.profile.retry_deadline_s  # not the client's 600 s


def test_dry_run_asks_for_an_uncached_estimate() -> None:
    wh, client = make(price_per_tib=5.0)
    client.dry_run_bytes = 2 * 1024**4
    dry = wh.dry_run("SELECT 1")
    assert dry.bytes_processed == 2 * 1024**4 and dry.cost_usd == pytest.approx(10.0) and not dry.estimated
    (call,) = client.of("dry_run")
    assert call.config.dry_run is True and call.config.use_query_cache is False


def _bq_error(cls: type, message: str, reason: str) -> Exception:
    return cls(message, errors=[{"reason": reason, "message": message}])


CASES = [
    (_bq_error(api.Forbidden, "Access Denied: Project acme: User does not have bigquery.jobs.create permission "
               "in project acme.", "accessDenied"),
     PermissionDeniedError, "bigquery.jobs.create on project acme"),
    (_bq_error(api.Forbidden, "Access Denied: Table acme:raw_data.events: User does not have permission to query "
               "table acme:raw_data.events.", "accessDenied"),
     PermissionDeniedError, "bigquery.tables.getData on dataset acme.raw_data"),
    (_bq_error(api.NotFound, "Not found: Table acme:raw_data.nope was not found in location EU", "notFound"),
     NotFoundError, "table acme.raw_data.nope not found"),
    (_bq_error(api.BadRequest, "Unrecognized name: custmer_id at [1:8]", "invalidQuery"),
     BadQueryError, "custmer_id at [1:8]"),
    (_bq_error(api.BadRequest, "Query exceeded limit for bytes billed: 1000. 10485760 or higher required.",
               "bytesBilledLimitExceeded"),
     CostLimitError, "max_bytes_billed"),
    (_bq_error(api.BadRequest, "Job execution was cancelled: User requested cancellation", "stopped"),
     CancelledError, "cancelled"),
    (_bq_error(api.Forbidden, "Quota exceeded: Your project exceeded quota for free query bytes scanned",
               "quotaExceeded"),
     UnavailableError, "quota"),
    (api.TooManyRequests("slow down"), UnavailableError, "rate limit"),
    (api.Unauthorized("Request had invalid authentication credentials."),
     AuthError, "gcloud auth application-default login"),
    (api.DeadlineExceeded("deadline"), QueryTimeoutError, "waiting"),
    (api.InternalServerError("backend error"), UnavailableError, "internal error"),
    (api.ServiceUnavailable("try later"), UnavailableError, "internal error"),
    (requests.exceptions.ConnectionError("[Errno 111] Connection refused"), UnavailableError, "Connection refused"),
    (requests.exceptions.ReadTimeout("read timed out"), QueryTimeoutError, "request_timeout_s"),
    (RetryError("Timeout of 60.0s exceeded",
                cause=requests.exceptions.ConnectionError("[Errno 111] Connection refused")),
     UnavailableError, "gave up after retrying for 0.0 s"),
    (auth.RefreshError("invalid_grant: Token has been expired or revoked."), AuthError, "expired"),
]


CASE_IDS = [type(c[0]).__name__ + str(i) for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("exc", "expected", "text"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("where", ["query", "result"])
def test_client_errors_map_to_the_hierarchy(exc: Exception, expected: type, text: str, where: str) -> None:
    wh, client = make()
    if where == "query":
        client.fail_on["query"] = exc
    else:
        client.fail_result = exc
    with pytest.raises(expected) as info:
        wh.query("SELECT 1")
    assert text in str(info.value)


def test_metadata_errors_name_the_permission_and_table() -> None:
    wh, client = make()
    denied = "Access Denied: Dataset acme:raw_data: Permission bigquery.tables.get denied"
    client.fail_on["get_table"] = _bq_error(api.Forbidden, denied, "accessDenied")
    with pytest.raises(PermissionDeniedError, match=re.escape("bigquery.tables.get on dataset acme.raw_data")):
        wh.schema("raw_data", "events")
    client.fail_on["get_table"] = api.NotFound("nothing here")
    with pytest.raises(NotFoundError, match=re.escape("table acme.raw_data.events not found in location EU")):
        wh.schema("raw_data", "events")
    client.fail_on["list_tables"] = _bq_error(api.NotFound, "Not found: Dataset acme:raw_dta", "notFound")
    with pytest.raises(NotFoundError, match=re.escape("dataset acme.raw_dta not found")):
        wh.list_tables("raw_dta")


def test_bad_names_never_reach_sql() -> None:
    wh, client = make()
    with pytest.raises(BadQueryError):
        wh.column_stats_sql("raw_data", "events`; DROP TABLE x; --")
    with pytest.raises(BadQueryError):
        wh.list_tables("raw data")
    assert client.calls == []


def test_cancel_from_another_thread_stops_the_job() -> None:
    wh, client = make(timeout_s=30)
    client.hold_jobs = True
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            wh.query("SELECT slow")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    assert client.job_started.wait(5)
    time.sleep(0.1)
    started = time.monotonic()
    wh.cancel()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - started < 2
    assert isinstance(outcome[0], CancelledError)
    deadline = time.monotonic() + 2
    while client.count("cancel_job") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    (call,) = client.of("cancel_job")
    assert call.args == (client.jobs[0].job_id,) and call.kwargs["location"] == "EU"
    # A later query is not affected by the earlier cancel.
    client.hold_jobs = False
    assert wh.query("SELECT 1").rows == ((1,),)


def test_cancel_with_nothing_running_is_harmless() -> None:
    wh, client = make()
    wh.cancel()
    assert wh.query("SELECT 1").rows == ((1,),)
    assert client.count("cancel_job") == 0


def test_query_running_past_timeout_is_cancelled() -> None:
    wh, client = make(timeout_s=0.3)
    client.hold_jobs = True
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match="timeout_s"):
        wh.query("SELECT slow")
    assert time.monotonic() - started < 3
    assert client.count("cancel_job") == 1


def test_no_default_credentials_says_how_to_log_in(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth

    def no_adc(*args: object, **kwargs: object) -> None:
        raise auth.DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google.auth, "default", no_adc)
    wh = BigQueryWarehouse(Profile(name="prod", backend="bigquery", project="acme"))
    with pytest.raises(AuthError) as info:
        wh.list_tables("raw_data")
    assert "gcloud auth application-default login" in str(info.value)
    assert "credentials" in str(info.value)


def test_credentials_file_problems_are_auth_errors(tmp_path: Path) -> None:
    missing = BigQueryWarehouse(Profile(name="prod", backend="bigquery", project="acme",
                                        credentials=str(tmp_path / "missing.json")))
    with pytest.raises(AuthError, match="does not exist"):
        missing.client()
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "authorized_user"}')
    wrong = BigQueryWarehouse(Profile(name="prod", backend="bigquery", project="acme", credentials=str(bad)))
    with pytest.raises(AuthError, match="not a service-account key"):
        wrong.client()


def test_emulator_endpoint_uses_anonymous_credentials() -> None:
    from google.auth.credentials import AnonymousCredentials

    wh = BigQueryWarehouse(Profile(name="emu", backend="bigquery", project="demo-project",
                                   api_endpoint="http://127.0.0.1:1"))
    client = wh.client()
    assert isinstance(client._credentials, AnonymousCredentials)
    assert client._connection.API_BASE_URL == "http://127.0.0.1:1"
    wh.close()


def test_every_error_is_a_warehouse_error() -> None:
    for _exc, expected, _text in CASES:
        assert issubclass(expected, WarehouseError)


def test_project_comes_from_the_profile_or_the_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth
    from google.auth.credentials import AnonymousCredentials

    found: list[str | None] = [None]
    monkeypatch.setattr(google.auth, "default", lambda *a, **k: (AnonymousCredentials(), found[0]))
    with pytest.raises(AuthError, match="set `project` in the profile"):
        BigQueryWarehouse(Profile(name="prod", backend="bigquery")).client()
    found[0] = "adc-project"
    assert BigQueryWarehouse(Profile(name="prod", backend="bigquery")).client().project == "adc-project"
    assert BigQueryWarehouse(Profile(name="prod", backend="bigquery", project="mine")).client().project == "mine"

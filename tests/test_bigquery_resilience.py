"""Issue 17 and issue 13 item 9 over the recording fake (and one real client):
honest estimates, guarded samples, wide statistics, retries that fit the
error, messages that name the real cause, and fast failure on a dead endpoint.
"""

from __future__ import annotations

import ast
import datetime as dt
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as api
from google.cloud.bigquery import SchemaField

from bq_fake import Ctx, FakeClient, FakeTable, Recorder, make_rows
from dataset_tui.config import Profile
from dataset_tui.services.cost import (
    decide,
    describe_cost,
    run_guarded,
    samples_guarded,
    stats_guarded,
)
from dataset_tui.services.errors import Declined
from dataset_tui.warehouse.base import (
    LOWER_BOUND,
    UNKNOWN,
    BadQueryError,
    DryRun,
    NotFoundError,
    UnavailableError,
)
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.bigquery_errors import Where, quota_message

GIB = 1024**3
SRC = Path(__file__).resolve().parents[1] / "src" / "dataset_tui"


def make(**overrides: Any) -> tuple[Ctx, FakeClient]:
    settings: dict[str, Any] = {
        "name": "prod",
        "backend": "bigquery",
        "project": "acme",
        "location": "US",
        "confirm_bytes": 10 * GIB,
        "max_bytes_billed": 100 * GIB,
        **overrides,
    }
    profile = Profile.model_validate(settings)
    client = FakeClient()
    client.tables["events"] = FakeTable("events", [SchemaField("user_id", "STRING"), SchemaField("n", "INTEGER")])
    wh = BigQueryWarehouse(profile, client=client)
    return Ctx(profile, wh), client


def _bq_error(cls: type, message: str, reason: str) -> Exception:
    return cls(message, errors=[{"reason": reason, "message": message}])


# -- 1. estimates carry their accuracy ------------------------------------------------


@pytest.mark.parametrize("accuracy", [UNKNOWN, LOWER_BOUND])
def test_open_ended_estimate_of_zero_bytes_is_asked_not_free(accuracy: str) -> None:
    ctx, client = make()
    client.dry_run_bytes = 0  # what an external table reports
    client.dry_run_accuracy = accuracy
    no = Recorder(False)
    with pytest.raises(Declined):
        run_guarded(ctx, "SELECT * FROM `acme.raw_data.ext`", confirm=no)
    assert len(no.asked) == 1 and no.asked[0].accuracy == accuracy
    assert client.count("query") == 0  # declined: no job
    yes = Recorder(True)
    run_guarded(ctx, "SELECT * FROM `acme.raw_data.ext`", confirm=yes)
    assert len(yes.asked) == 1 and client.count("query") == 1


def test_open_ended_estimate_is_shown_as_a_floor() -> None:
    unknown = DryRun(0, 0.0, accuracy=UNKNOWN)
    assert describe_cost(unknown) == "at least 0 B — unknown for external tables · cost unknown"
    assert "$0.00" not in describe_cost(unknown)
    profile = Profile(name="prod", backend="bigquery", confirm_bytes=10 * GIB)
    decision = decide(unknown, profile)
    assert decision.needs_confirmation and "at least 0 B — unknown for external tables" in decision.message
    # Without a way to ask, it is not run (and says why).
    with pytest.raises(Declined):
        from dataset_tui.services.cost import enforce

        enforce(decision, None)
    # A precise small estimate below confirm_bytes still runs without a question.
    assert not decide(DryRun(GIB, 0.006), profile).needs_confirmation


def test_sandbox_and_capacity_show_bytes_not_dollars() -> None:
    dry = DryRun(3 * GIB, 0.0073)
    assert describe_cost(dry, "on-demand") == "3.0 GiB · $0.0073"
    assert (
        describe_cost(dry, "sandbox") == "3.0 GiB · within the free tier (sandbox: no charge, 1 TiB of queries a month)"
    )
    assert "$" not in describe_cost(dry, "capacity") and "capacity" in describe_cost(dry, "capacity")
    profile = Profile(name="free", backend="bigquery", pricing="sandbox", confirm_bytes=GIB)
    decision = decide(dry, profile)
    assert decision.needs_confirmation and "$" not in decision.message and "free tier" in decision.message


def test_pricing_key_is_validated() -> None:
    with pytest.raises(ValueError, match="pricing"):
        Profile.model_validate({"name": "x", "backend": "bigquery", "pricing": "free"})


# -- 2. samples of views / external tables go through the guard ---------------------------


def test_view_samples_are_dry_run_and_confirmed() -> None:
    ctx, client = make(confirm_bytes=GIB)
    client.tables["v_events"] = FakeTable("v_events", [SchemaField("user_id", "STRING")], table_type="VIEW")
    client.dry_run_bytes = 5 * GIB
    client.result_rows = make_rows([SchemaField("value", "STRING")], [("u1",), ("u2",)])
    no = Recorder(False)
    with pytest.raises(Declined):
        samples_guarded(ctx, "raw_data", "v_events", "user_id", 5, confirm=no)
    assert client.count("dry_run") == 1 and client.count("query") == 0 and len(no.asked) == 1
    yes = Recorder(True)
    assert samples_guarded(ctx, "raw_data", "v_events", "user_id", 5, confirm=yes) == ["u1", "u2"]
    dry, job = client.of("dry_run")[-1], client.of("query")[-1]
    assert dry.args[0] == job.args[0]  # the very query that ran was the one priced
    assert job.config.maximum_bytes_billed == ctx.profile.max_bytes_billed


def test_external_table_samples_with_unknown_estimate_are_asked() -> None:
    ctx, client = make()
    client.tables["ext"] = FakeTable("ext", [SchemaField("user_id", "STRING")], table_type="EXTERNAL")
    client.dry_run_accuracy = UNKNOWN
    no = Recorder(False)
    with pytest.raises(Declined):
        samples_guarded(ctx, "raw_data", "ext", "user_id", 5, confirm=no)
    assert no.asked and client.count("query") == 0


def test_table_samples_stay_free() -> None:
    ctx, client = make()
    samples_guarded(ctx, "raw_data", "events", "user_id", 5, confirm=None)
    assert client.count("dry_run") == 0 and client.count("query") == 0 and client.count("list_rows") == 1


def test_only_the_cost_guard_runs_warehouse_scans() -> None:
    """No service, CLI or TUI module calls a scanning warehouse method except services/cost.py."""
    scanning = {"query", "column_stats", "sample_values"}
    offenders = []
    for path in SRC.rglob("*.py"):
        if "warehouse" in path.parts or path.name == "cost.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in scanning:
                receiver = ast.unparse(node.func.value)
                if "warehouse" in receiver or receiver in ("wh", "warehouse"):
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


# -- 3. statistics of wide tables ---------------------------------------------------------


def _wide(count: int) -> list[SchemaField]:
    kinds = ["INTEGER", "FLOAT", "STRING", "DATE", "BOOLEAN", "TIMESTAMP"]
    return [SchemaField(f"c_{i}", kinds[i % len(kinds)]) for i in range(count)]


@pytest.mark.parametrize("width", [2_000, 10_000])
def test_wide_table_statistics_stay_under_the_result_column_limit(width: int) -> None:
    ctx, client = make()
    client.tables["wide"] = FakeTable("wide", _wide(width))
    client.check_limits = True
    client.echo_columns_rows = 7
    stats = stats_guarded(ctx, "raw_data", "wide", confirm=Recorder(True))
    assert [c.name for c in stats.columns] == [f"c_{i}" for i in range(width)]
    assert stats.row_count == 7 and all(c.count == 7 for c in stats.columns)
    jobs = client.of("query")
    widths = client.result_widths[-len(jobs) :]
    assert len(jobs) > 1 and max(widths) <= 10_000 and all(len(j.args[0]) <= 1024 * 1024 for j in jobs)
    # Every batch is one SELECT over the table: it is read once per batch.
    assert all(j.args[0].count("FROM `acme.raw_data.wide`") == 1 for j in jobs)
    # Every batch was dry-run before anything ran: one question for the whole action.
    assert client.count("dry_run") == len(jobs)


def test_the_fake_refuses_what_bigquery_refuses() -> None:
    """The width check is real: one query over 2,000 columns' statistics is too wide."""
    from dataset_tui.warehouse.bigquery_schema import flatten
    from dataset_tui.warehouse.bigquery_stats import build_stats_sql

    ctx, client = make()
    client.check_limits = True
    columns = [c.column for c in flatten(_wide(2_000))]
    plan = build_stats_sql("`acme.raw_data.wide`", columns, approx_distinct=False)
    with pytest.raises(BadQueryError, match="10000"):
        ctx.wh.query(plan.sql)


@pytest.mark.parametrize("width", [2_000, 10_000])
def test_wide_duckdb_table_statistics_finish_and_are_right(tmp_path: Path, width: int) -> None:
    import duckdb

    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    path = tmp_path / "wide.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    kinds = [
        "CAST(range * {i} % 97 AS BIGINT)",
        "(range * {i} % 13) / 4.0",
        "'s' || (range * {i} % 5)",
        "DATE '2024-01-01' + CAST(range * {i} % 30 AS INTEGER)",
    ]
    select = ", ".join(
        f"CASE WHEN range = {i % 50} THEN NULL ELSE {kinds[i % 4].format(i=i)} END AS c_{i}" for i in range(width)
    )
    con.execute(f"CREATE TABLE raw_data.wide AS SELECT {select} FROM range(50)")
    rows = con.execute("SELECT * FROM raw_data.wide").fetchall()
    con.close()
    stats = DuckDBWarehouse(path).column_stats("raw_data", "wide")
    assert len(stats.columns) == width and stats.row_count == 50
    for i in (0, 1, 2, 3, width - 1, width // 2 + 3):
        column = stats.columns[i]
        present = [r[i] for r in rows if r[i] is not None]
        assert column.name == f"c_{i}"
        assert column.null_count == 50 - len(present)
        assert column.distinct_count == len(set(present))
        assert (column.min, column.max) == (min(present), max(present))
        assert sum(b.count for b in column.histogram) == len(present)


# -- 4. retries that fit the error -----------------------------------------------------------


def test_rate_limited_job_is_retried_then_succeeds_and_said() -> None:
    ctx, client = make()
    told: list[str] = []
    ctx.wh.on_status = told.append
    client.job_errors = [
        _bq_error(api.Forbidden, "Exceeded rate limits: too many concurrent queries", "rateLimitExceeded")
    ]
    result = ctx.wh.query("SELECT 1")
    assert result.rows == ((1,),)
    assert client.count("query") == 2
    assert len(told) == 1 and "rateLimitExceeded" in told[0] and "retrying in" in told[0]


@pytest.mark.parametrize("reason", ["backendError", "internalError", "jobRateLimitExceeded"])
def test_other_transient_job_errors_are_retried(reason: str) -> None:
    ctx, client = make()
    client.job_errors = [
        _bq_error(api.InternalServerError if "internal" in reason else api.Forbidden, "transient", reason)
    ]
    assert ctx.wh.query("SELECT 1").rows == ((1,),)
    assert client.count("query") == 2


def test_non_retryable_errors_fail_at_once() -> None:
    ctx, client = make()
    told: list[str] = []
    ctx.wh.on_status = told.append
    client.job_errors = [_bq_error(api.BadRequest, "Unrecognized name: x at [1:8]", "invalidQuery")]
    started = time.monotonic()
    with pytest.raises(BadQueryError):
        ctx.wh.query("SELECT x")
    assert client.count("query") == 1 and told == [] and time.monotonic() - started < 1


def test_retries_stop_at_the_deadline_with_the_true_time() -> None:
    ctx, client = make(retry_deadline_s=1.2)
    error = _bq_error(api.Forbidden, "Exceeded rate limits", "rateLimitExceeded")
    client.job_errors = [error] * 10
    started = time.monotonic()
    with pytest.raises(UnavailableError) as info:
        ctx.wh.query("SELECT 1")
    spent = time.monotonic() - started
    assert spent < 1.2 + 0.5
    assert 1 < client.count("query") < 10
    message = str(info.value)
    assert "rate limit" in message and "retry_deadline_s = 1.2 s" in message
    assert "gave up after retrying for 60" not in message


def test_job_rate_limit_is_not_a_rejected_query() -> None:
    ctx, client = make(retry_deadline_s=0.1)  # no time to retry: see the message
    client.job_errors = [
        _bq_error(api.Forbidden, "Exceeded rate limits: too many table update operations", "jobRateLimitExceeded")
    ]
    with pytest.raises(UnavailableError) as info:
        ctx.wh.query("SELECT 1")
    assert "rejected the query" not in str(info.value)
    assert "nothing is wrong with the query" in str(info.value)


# -- 5. messages that name the real cause -------------------------------------------------


def test_daily_quota_names_the_quota_and_its_reset() -> None:
    ctx, client = make()
    message = (
        "Custom quota exceeded: Your usage exceeded the custom quota for QueryUsagePerDay, "
        "which is set by your administrator."
    )
    client.job_errors = [_bq_error(api.Forbidden, message, "quotaExceeded")]
    with pytest.raises(UnavailableError) as info:
        ctx.wh.query("SELECT 1")
    text = str(info.value)
    assert client.count("query") == 1  # a quota is not retried
    assert "QueryUsagePerDay" in text and "midnight Pacific" in text
    assert "wait a little" not in text


def test_daily_quota_reset_time_is_midnight_pacific() -> None:
    where = Where(action="run the query", profile="prod", project="acme")
    # 2026-07-01 12:00 UTC is 05:00 PDT: the reset is 2026-07-02 00:00 PDT = 07:00 UTC.
    text = quota_message(
        "Your usage exceeded the custom quota for QueryUsagePerDay",
        where,
        now=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC),
    )
    assert "2026-07-02 07:00 UTC" in text
    winter = quota_message(
        "exceeded the custom quota for QueryUsagePerDay", where, now=dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
    )
    assert "2026-01-11 08:00 UTC" in winter  # PST: UTC-8


def test_location_mismatch_names_the_datasets_location_and_the_key() -> None:
    ctx, client = make(location="US")
    client.datasets["raw_data"] = "EU"
    client.fail_on["dry_run"] = _bq_error(
        api.NotFound, "Not found: Dataset acme:raw_data was not found in location US", "notFound"
    )
    with pytest.raises(NotFoundError) as info:
        ctx.wh.dry_run("SELECT 1 FROM `acme.raw_data.events`")
    text = str(info.value)
    assert "the dataset acme.raw_data is in EU" in text and "set `location = \"EU\"` in profile 'prod'" in text
    assert "check the profile's project and dataset" not in text


# -- 6. an endpoint that refuses connections fails fast (issue 13, item 9) ------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("call", ["list_tables", "query"])
def test_refused_connection_fails_within_five_seconds_with_the_true_time(call: str) -> None:
    port = _closed_port()
    profile = Profile.model_validate(
        {"name": "emu", "backend": "bigquery", "project": "acme", "api_endpoint": f"http://127.0.0.1:{port}"}
    )
    wh = BigQueryWarehouse(profile)  # the real client library, over a real (closed) socket
    started = time.monotonic()
    with pytest.raises(UnavailableError) as info:
        if call == "list_tables":
            wh.list_tables("raw_data")
        else:
            wh.query("SELECT 1")
    spent = time.monotonic() - started
    wh.close()
    assert spent <= 5
    text = str(info.value)
    assert "Connection refused" in text and f"127.0.0.1:{port}" in text
    assert "60 s" not in text
    shown = float(text.split(" after ")[1].split(" s")[0])
    assert shown <= spent + 0.05


def test_duckdb_distinct_counts_become_flagged_estimates_on_long_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above EXACT_DISTINCT_MAX_ROWS the distinct counts are HyperLogLog estimates, and say so."""
    import duckdb

    from dataset_tui.warehouse import duckdb_stats
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    path = tmp_path / "long.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.t AS SELECT range AS id, range % 7 AS k FROM range(5000)")
    con.close()
    exact = DuckDBWarehouse(path).column_stats("raw_data", "t")
    assert [(c.distinct_count, c.approximate_distinct) for c in exact.columns] == [(5000, False), (7, False)]
    monkeypatch.setattr(duckdb_stats, "EXACT_DISTINCT_MAX_ROWS", 1000)
    estimated = DuckDBWarehouse(path).column_stats("raw_data", "t")
    ids, ks = estimated.columns
    assert ids.approximate_distinct and abs(ids.distinct_count - 5000) < 5000 * 0.05
    assert ks.distinct_count == 7 and ks.min == 0 and ks.max == 6

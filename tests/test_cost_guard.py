"""The cost guard with the real BigQuery adapter over a recording fake client.

What is checked: the dry run comes first, a query above max_bytes_billed is
refused before any job exists, above confirm_bytes the callback decides, every
job carries maximum_bytes_billed and the tool label, and each user action
costs one dry run plus at most one job.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from google.cloud.bigquery import SchemaField

from bq_fake import Ctx, FakeClient, FakeTable, Recorder, make_rows
from dataset_tui.config import Profile
from dataset_tui.services.cost import (
    approve,
    check_cost,
    cli_confirm,
    describe_cost,
    format_bytes,
    run_guarded,
    stats_guarded,
)
from dataset_tui.services.errors import Declined
from dataset_tui.warehouse.base import CostLimitError, DryRun, QueryResult
from dataset_tui.warehouse.bigquery import JOB_LABELS, BigQueryWarehouse

GIB = 1024**3
SQL = "SELECT customer_id FROM `acme.raw_data.transactions`"


def make(confirm_gib: float = 10, max_gib: float = 100) -> tuple[Ctx, FakeClient]:
    profile = Profile(
        name="prod",
        backend="bigquery",
        project="acme",
        confirm_bytes=int(confirm_gib * GIB),
        max_bytes_billed=int(max_gib * GIB),
        price_per_tib=6.25,
    )
    client = FakeClient()
    client.tables["transactions"] = FakeTable(
        "transactions", [SchemaField("customer_id", "STRING"), SchemaField("amount", "NUMERIC")]
    )
    return Ctx(profile, BigQueryWarehouse(profile, client=client)), client


def test_below_threshold_runs_without_asking_and_caps_the_job() -> None:
    ctx, client = make()
    client.dry_run_bytes = 2 * GIB
    confirm = Recorder(False)
    result = run_guarded(ctx, SQL, confirm=confirm)
    assert isinstance(result, QueryResult)
    assert confirm.asked == []
    # (get_dataset: where the job runs, read once; test_bigquery_location.py)
    jobs = [c for c in client.calls if c.method != "get_dataset"]
    assert [c.method for c in jobs] == ["dry_run", "query"]
    dry, job = jobs
    assert dry.config.dry_run is True and dry.config.use_query_cache is False
    assert job.config.maximum_bytes_billed == 100 * GIB
    assert job.config.labels == JOB_LABELS
    assert job.config.dry_run is not True


def test_above_confirm_threshold_asks_and_runs_when_confirmed() -> None:
    ctx, client = make(confirm_gib=1)
    client.dry_run_bytes = 3 * GIB
    confirm = Recorder(True)
    run_guarded(ctx, SQL, confirm=confirm)
    assert len(confirm.asked) == 1
    assert confirm.asked[0].bytes_processed == 3 * GIB
    assert confirm.asked[0].cost_usd == pytest.approx(3 / 1024 * 6.25)
    assert client.count("query") == 1


def test_declined_confirmation_runs_nothing() -> None:
    ctx, client = make(confirm_gib=1)
    client.dry_run_bytes = 3 * GIB
    with pytest.raises(Declined, match="not confirmed"):
        run_guarded(ctx, SQL, confirm=Recorder(False))
    assert client.count("query") == 0
    with pytest.raises(Declined):
        run_guarded(ctx, SQL, confirm=None)
    assert client.count("query") == 0


def test_above_max_bytes_billed_is_refused_before_any_job() -> None:
    ctx, client = make(confirm_gib=1, max_gib=50)
    client.dry_run_bytes = 51 * GIB
    confirm = Recorder(True)
    with pytest.raises(CostLimitError, match="max_bytes_billed"):
        run_guarded(ctx, SQL, confirm=confirm)
    assert confirm.asked == []  # refused outright: no question that could say yes
    assert [c.method for c in client.calls if c.method != "get_dataset"] == ["dry_run"]


def test_check_cost_describes_without_running() -> None:
    ctx, client = make(confirm_gib=1, max_gib=50)
    client.dry_run_bytes = 5 * GIB
    decision = check_cost(ctx, SQL)
    assert decision.needs_confirmation and not decision.refused
    assert decision.dry_run == DryRun(5 * GIB, pytest.approx(5 / 1024 * 6.25))
    assert "5.0 GiB" in decision.message
    client.dry_run_bytes = 60 * GIB
    assert check_cost(ctx, SQL).refused
    assert client.count("query") == 0


def test_small_queries_are_priced_at_the_ten_megabyte_minimum() -> None:
    ctx, client = make()
    client.dry_run_bytes = 1000
    client.referenced_tables = 2
    dry = ctx.warehouse().dry_run(SQL)
    assert dry.bytes_processed == 1000
    assert dry.cost_usd == pytest.approx(2 * 10 * 1024**2 / 1024**4 * 6.25)


def test_jobs_per_user_action() -> None:
    """Table statistics, analyze, preview: one dry run + one job; validate: one dry run."""
    ctx, client = make()
    client.dry_run_bytes = GIB
    client.result_rows = make_rows([SchemaField("row_count", "INTEGER")], [(10,)])

    def spent(action: Any) -> tuple[int, int]:
        client.calls.clear()
        action()
        return client.count("dry_run"), client.count("query")

    yes = Recorder(True)
    assert spent(lambda: stats_guarded(ctx, "raw_data", "transactions", confirm=yes)) == (1, 1)
    assert spent(lambda: run_guarded(ctx, "SELECT COUNT(*) FROM t", confirm=yes)) == (1, 1)  # analyze
    assert spent(lambda: check_cost(ctx, SQL)) == (1, 0)  # validate
    assert spent(lambda: run_guarded(ctx, SQL, confirm=yes, limit=50)) == (1, 1)  # preview
    # The statistics job is capped like every other.
    client.calls.clear()
    stats_guarded(ctx, "raw_data", "transactions", confirm=yes)
    (job,) = client.of("query")
    assert job.config.maximum_bytes_billed == ctx.profile.max_bytes_billed
    assert job.args[0] == ctx.warehouse().column_stats_sql("raw_data", "transactions")


def test_statistics_refused_above_the_cap_run_no_job() -> None:
    ctx, client = make(max_gib=1)
    client.dry_run_bytes = 2 * GIB
    with pytest.raises(CostLimitError):
        stats_guarded(ctx, "raw_data", "transactions", confirm=Recorder(True))
    assert client.count("query") == 0


@dataclass
class LocalWarehouse:
    """A protocol-level stand-in for an unbilled engine (DuckDB)."""

    billed: bool = False
    calls: list[str] = field(default_factory=list)

    def dry_run(self, sql: str) -> DryRun:
        self.calls.append("dry_run")
        return DryRun(123, 0.0, estimated=True)

    def query(self, sql: str, *, limit: int | None = None, max_bytes_billed: int | None = None) -> QueryResult:
        self.calls.append("query")
        return QueryResult(("x",), ("INT64",), ((1,),))


def test_unbilled_warehouse_runs_without_dry_run_or_question() -> None:
    profile = Profile(confirm_bytes=0, max_bytes_billed=0)
    wh = LocalWarehouse()
    ctx = Ctx(profile, wh)
    confirm = Recorder(False)
    run_guarded(ctx, SQL, confirm=confirm)
    assert wh.calls == ["query"] and confirm.asked == []
    assert approve(ctx, SQL, confirm) is None
    # validate still shows what it would scan, and never refuses locally.
    decision = check_cost(ctx, SQL)
    assert not decision.refused and not decision.needs_confirmation
    assert "(estimate)" in decision.message


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (512, "512 B"), (1536, "1.5 KiB"), (int(1.2 * GIB), "1.2 GiB"), (3 * 1024**4, "3.0 TiB"),
     (2048 * 1024**4, "2,048 TiB")],
)
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_describe_cost() -> None:
    assert describe_cost(DryRun(int(1.2 * GIB), 0.0073)) == "1.2 GiB · $0.0073"
    assert describe_cost(DryRun(int(12.3 * GIB), 0.0751)) == "12.3 GiB · $0.08"
    assert describe_cost(DryRun(100, 0.0, estimated=True)) == "100 B · $0.00 (estimate)"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_confirm_prompts_on_a_terminal() -> None:
    dry = DryRun(int(12.3 * GIB), 0.0751)
    err = io.StringIO()
    assert cli_confirm(False, stdin=Tty("y\n"), stderr=err)(dry) is True
    assert err.getvalue() == "Scan 12.3 GiB (~$0.08)? [y/N] "
    assert cli_confirm(False, stdin=Tty("\n"), stderr=io.StringIO())(dry) is False
    assert cli_confirm(False, stdin=Tty("no\n"), stderr=io.StringIO())(dry) is False


def test_cli_confirm_without_terminal_says_to_pass_yes() -> None:
    dry = DryRun(int(12.3 * GIB), 0.0751)
    with pytest.raises(Declined, match="pass --yes"):
        cli_confirm(False, stdin=io.StringIO("y\n"), stderr=io.StringIO())(dry)
    assert cli_confirm(True, stdin=io.StringIO(""), stderr=io.StringIO())(dry) is True

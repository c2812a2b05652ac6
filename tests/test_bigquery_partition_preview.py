"""Previews of `require_partition_filter` tables whose date window gives no partition filter.

Over the recording fake client: the preview finds the table's latest
partitions with one INFORMATION_SCHEMA.PARTITIONS query, and every preview
job (dry run and query) carries `partition column >= start of the oldest of
them`, checked in the SQL's AST (sqlglot, BigQuery dialect); the preview's
JSON and the status line say so. A table whose timestamp role is the
partitioning column keeps the window's own predicate and no extra query.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from google.cloud.bigquery import PartitionRange, RangePartitioning, SchemaField, TimePartitioning
from sqlglot import exp

from bq_fake import FakeClient, FakeTable, make_rows
from dataset_tui.config import Profile
from dataset_tui.domain.definition import parse_definition
from dataset_tui.services.context import AppContext
from dataset_tui.services.runs import preview
from dataset_tui.store import Store
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.bigquery_partitions import PREVIEW_PARTITIONS

GIB = 1024**3
SCHEMA = [
    SchemaField("user_id", "STRING"),
    SchemaField("ts", "TIMESTAMP"),
    SchemaField("day", "DATE"),
    SchemaField("shop", "INTEGER"),
]
IDS = {"day": ["20240630", "20240629", "20240628"], "range": ["300", "200", "100"]}


def make(tmp_path: Path, table: FakeTable, columns: list[dict[str, Any]], ids: list[str]) -> tuple[Any, FakeClient]:
    profile = Profile(name="prod", backend="bigquery", project="acme-prod", location="EU",
                      confirm_bytes=10 * GIB, max_bytes_billed=100 * GIB)  # fmt: skip
    client = FakeClient()
    client.tables["orders"] = table
    schema = [SchemaField("partition_id", "STRING")]

    def answer(sql: str) -> Any:
        return make_rows(schema, [(i,) for i in ids]) if "INFORMATION_SCHEMA.PARTITIONS" in sql else None

    client.answer_of = answer
    ctx = AppContext(settings=None, profile=profile, store=Store.open(tmp_path / "store"))  # type: ignore[arg-type]
    wh = BigQueryWarehouse(profile, client=client)
    said: list[str] = []
    wh.on_status = said.append
    ctx.set_warehouse(wh)
    ctx.said = said  # type: ignore[attr-defined]
    ctx.store.create(parse_definition({
        "format": "dataset-tui/1", "name": "orders", "source": {"dataset": "raw_data", "primary": "orders"},
        "columns": columns,
    }))  # fmt: skip
    return ctx, client


USER = {"table": "orders", "name": "user_id", "role": "user_id", "type": "STRING"}
TS = {"table": "orders", "name": "ts", "role": "timestamp", "type": "TIMESTAMP"}


def bounds_on(sql: str, column: str) -> list[exp.Expression]:
    """The `>=` bound on `column` in the WHERE of every SELECT reading `orders` (asserts there is one)."""
    found = []
    for select in sqlglot.parse_one(sql, read="bigquery").find_all(exp.Select):
        from_ = select.args.get("from_") or select.args.get("from")
        if from_ is None or not (isinstance(from_.this, exp.Table) and from_.this.name == "orders"):
            continue
        where = select.args.get("where")
        assert where is not None, sql
        gtes = [g for g in where.find_all(exp.GTE) if isinstance(g.this, exp.Column) and g.this.name == column]
        assert len(gtes) == 1, where.sql("bigquery")
        found.append(gtes[0].expression)
    assert found, sql
    return found


def preview_jobs(client: FakeClient) -> list[str]:
    return [c.args[0] for c in client.of("dry_run") + client.of("query") if "PARTITIONS" not in c.args[0]]


def test_a_partition_column_other_than_the_timestamp_bounds_the_preview_to_the_latest_partitions(
    tmp_path: Path,
) -> None:
    table = FakeTable("orders", SCHEMA, time_partitioning=TimePartitioning(field="day"), require_partition_filter=True)
    ctx, client = make(tmp_path, table, [USER, TS], IDS["day"])
    data = preview(ctx, "orders", limit=5)
    (listing,) = [c for c in client.of("query") if "PARTITIONS" in c.args[0]]
    assert "`acme-prod.raw_data.INFORMATION_SCHEMA.PARTITIONS`" in listing.args[0]
    assert "table_name = 'orders'" in listing.args[0] and f"LIMIT {PREVIEW_PARTITIONS}" in listing.args[0]
    jobs = preview_jobs(client)
    assert len(jobs) == 2  # the dry run and the query
    for sql in jobs:
        for bound in bounds_on(sql, "day"):
            assert "2024-06-28" in bound.sql("bigquery") and "DATE" in bound.sql("bigquery").upper()
    assert data.partitions == ("orders: the latest 3 partitions (day >= DATE '2024-06-28')",)
    assert any("preview of raw_data.orders covers its latest 3 partitions" in s for s in ctx.said), ctx.said


def test_an_ingestion_time_table_without_a_timestamp_role_is_bounded_on_partitiontime(tmp_path: Path) -> None:
    table = FakeTable("orders", SCHEMA, time_partitioning=TimePartitioning(), require_partition_filter=True)
    ctx, client = make(tmp_path, table, [USER], IDS["day"])
    preview(ctx, "orders", limit=5)
    for sql in preview_jobs(client):
        for bound in bounds_on(sql, "_PARTITIONTIME"):
            text = bound.sql("bigquery")
            assert "2024-06-28 00:00:00" in text and "TIMESTAMP" in text.upper()


def test_an_integer_range_table_is_bounded_on_its_range_column(tmp_path: Path) -> None:
    ranges = RangePartitioning(range_=PartitionRange(start=0, end=1000, interval=100), field="shop")
    table = FakeTable("orders", SCHEMA, range_partitioning=ranges, require_partition_filter=True)
    ctx, client = make(tmp_path, table, [USER, TS], IDS["range"])
    preview(ctx, "orders", limit=5)
    (listing,) = [c for c in client.of("query") if "PARTITIONS" in c.args[0]]
    assert "ORDER BY SAFE_CAST(partition_id AS INT64) DESC" in listing.args[0]
    for sql in preview_jobs(client):
        assert [b.sql("bigquery") for b in bounds_on(sql, "shop")] == ["100"]


@pytest.mark.parametrize("required", [True, False])
def test_a_window_on_the_partition_column_or_no_requirement_needs_no_listing(tmp_path: Path, required: bool) -> None:
    by_ts = TimePartitioning(field="ts")
    table = FakeTable("orders", SCHEMA, time_partitioning=by_ts, require_partition_filter=required)
    ts = {**TS, "partitioning": True}
    ctx, client = make(tmp_path, table, [USER, ts], IDS["day"])
    data = preview(ctx, "orders", limit=5)
    assert not [c for c in client.of("query") if "PARTITIONS" in c.args[0]]
    assert data.partitions == ()
    for sql in preview_jobs(client):
        tree = sqlglot.parse_one(sql, read="bigquery")
        direct = [n for n in tree.find_all(exp.LT) if isinstance(n.this, exp.Column) and n.this.name == "ts"]
        assert direct, sql  # the window's own predicate on the partitioning column


def test_the_bound_is_the_oldest_of_the_latest_partitions_of_each_granularity() -> None:
    from dataset_tui.warehouse.bigquery_partitions import latest_bound

    hourly = latest_bound(("ts", "TIMESTAMP", False), ["2024063023", "2024063022"])
    assert hourly is not None and hourly.low == dt.datetime(2024, 6, 30, 22) and hourly.count == 2
    monthly = latest_bound(("day", "DATE", False), ["202406", "202405", "202404"])
    assert monthly is not None and monthly.low == dt.date(2024, 4, 1)
    assert latest_bound(("day", "DATE", False), []) is None

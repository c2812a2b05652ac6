"""Scans of BigQuery's own shapes over the recording fake client (tests/bq_fake.py).

- statistics of a wildcard `events_*` use the newest shard's schema and read
  the newest shards through a bounded `_TABLE_SUFFIX` (said on screen);
  samples come from the newest shard (free: tabledata.list);
- statistics of a `require_partition_filter` table carry a partition filter
  on every job (dry run and query), checked in the SQL's AST with sqlglot;
- the dry-run bytes of a definition on a partitioned table fall when its date
  window shrinks (the fake bills by the partitions the SQL's predicate keeps).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from google.cloud.bigquery import SchemaField, TimePartitioning
from sqlglot import exp

from bq_fake import Ctx, FakeClient, FakeTable
from dataset_tui.config import Profile
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.services.cost import samples_guarded, stats_guarded
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.bigquery_scope import SCAN_DAYS, SCAN_SHARDS

GIB = 1024**3
CHANGED = dt.datetime(2024, 6, 30, 8, tzinfo=dt.UTC)
SCHEMA = [SchemaField("user_id", "STRING"), SchemaField("ts", "TIMESTAMP"), SchemaField("amount", "FLOAT")]


def make() -> tuple[Ctx, FakeClient, list[str]]:
    profile = Profile.model_validate(
        {"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU",
         "confirm_bytes": 100 * GIB, "max_bytes_billed": 1000 * GIB}
    )  # fmt: skip
    client = FakeClient()
    partitioning = TimePartitioning(field="ts")
    client.tables["orders"] = FakeTable(
        "orders", SCHEMA, modified=CHANGED, time_partitioning=partitioning, require_partition_filter=True
    )
    for day in range(1, 21):
        name = f"events_202406{day:02d}"
        client.tables[name] = FakeTable(name, SCHEMA if day < 20 else [*SCHEMA, SchemaField("newest", "STRING")])
    wh = BigQueryWarehouse(profile, client=client)
    said: list[str] = []
    wh.on_status = said.append
    return Ctx(profile, wh), client, said


def _where_of(sql: str, table_suffix: str) -> list[exp.Expression]:
    """The WHERE of every SELECT that reads a table whose name ends with `table_suffix`."""
    found = []
    for select in sqlglot.parse_one(sql, read="bigquery").find_all(exp.Select):
        from_ = select.args.get("from_") or select.args.get("from")
        table = from_.this if from_ is not None else None
        if isinstance(table, exp.Table) and table.name.endswith(table_suffix):
            where = select.args.get("where")
            assert where is not None, f"a scan of {table.name} without a filter:\n{sql}"
            found.append(where.this)
    return found


def test_statistics_of_a_partition_filter_table_carry_the_filter_on_every_job() -> None:
    ctx, client, said = make()
    client.echo_columns_rows = 10
    stats_guarded(ctx, "raw_data", "orders", confirm=lambda _dry: True)  # type: ignore[arg-type]
    jobs = client.of("dry_run") + client.of("query")
    assert client.count("dry_run") >= 1 and client.count("query") >= 1
    start = (CHANGED.date() - dt.timedelta(days=SCAN_DAYS - 1)).isoformat()
    for call in jobs:
        wheres = _where_of(call.args[0], "orders")
        assert wheres
        for where in wheres:
            assert isinstance(where, exp.GTE) and where.this.name == "ts", where.sql("bigquery")
            assert start in where.expression.sql("bigquery")
    assert any("requires a partition filter" in s and f"last {SCAN_DAYS} days" in s for s in said), said


def test_statistics_of_a_wildcard_read_the_newest_shards_with_the_newest_schema() -> None:
    ctx, client, said = make()
    client.echo_columns_rows = 10
    stats = stats_guarded(ctx, "raw_data", "events_*", confirm=lambda _dry: True)  # type: ignore[arg-type]
    assert "newest" in [c.name for c in stats.columns]  # the newest shard's schema
    low = f"202406{20 - SCAN_SHARDS + 1:02d}"
    for call in client.of("dry_run") + client.of("query"):
        wheres = _where_of(call.args[0], "events_*")
        assert wheres
        for where in wheres:
            assert isinstance(where, exp.Between) and where.this.name.upper() == "_TABLE_SUFFIX"
            assert (where.args["low"].name, where.args["high"].name) == (low, "20240620")
    assert not [c for c in client.of("get_table") if c.args[0].endswith("*")]  # never get_table on a wildcard
    assert any(f"newest {SCAN_SHARDS} of 20 shards" in s for s in said), said


def test_samples_of_a_wildcard_come_from_the_newest_shard_for_free() -> None:
    ctx, client, said = make()
    samples_guarded(ctx, "raw_data", "events_*", "user_id", 5, confirm=None)  # type: ignore[arg-type]
    assert client.count("query") == 0 and client.count("dry_run") == 0
    assert [c.args[0].table_id for c in client.of("list_rows")] == ["events_20240620"]
    assert any("newest shard, events_20240620" in s for s in said), said


def _days_kept(sql: str) -> int:
    """Partitions (days) of `orders` the SQL's direct predicates on `ts` keep (all 365 without one)."""
    first, last = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    for node in sqlglot.parse_one(sql, read="bigquery").find_all(exp.GTE, exp.LT):
        if isinstance(node.this, exp.Column) and node.this.name == "ts":
            dates = [lit for lit in node.expression.find_all(exp.Literal) if lit.name[:4].isdigit() and "-" in lit.name]
            literal = dates[0]
            day = dt.date.fromisoformat(literal.name[:10])
            if isinstance(node, exp.GTE):
                first = max(first, day)
            else:  # `ts < TIMESTAMP(DATE_ADD(end, INTERVAL 1 DAY))` keeps `end`; `ts < day` stops the day before
                last = min(last, day if node.expression.find(exp.DateAdd) else day - dt.timedelta(days=1))
    return max(0, (last - first).days + 1)


@pytest.mark.parametrize("days", [90, 30, 7])
def test_dry_run_bytes_fall_with_the_window(days: int) -> None:
    ctx, client, _ = make()
    client.dry_run_bytes_of = lambda sql: _days_kept(sql) * GIB
    end = dt.date(2024, 6, 30)

    def bytes_for(window: int) -> int:
        d = parse_definition(
            {
                "format": "dataset-tui/1",
                "name": "d",
                "source": {"primary": "orders"},
                "columns": [
                    {"table": "orders", "name": "user_id", "role": "user_id", "type": "STRING"},
                    {"table": "orders", "name": "ts", "role": "timestamp", "type": "TIMESTAMP", "partitioning": True},
                ],
                "filters": {"date_range": {"type": "fixed", "start": (end - dt.timedelta(days=window - 1)).isoformat(),
                                           "end": end.isoformat()}},
            }
        )  # fmt: skip
        return int(ctx.wh.dry_run(generate_sql(d, context=SqlContext(as_of=end))).bytes_processed)

    assert bytes_for(days) == days * GIB
    assert bytes_for(days) > bytes_for(days // 2) > 0

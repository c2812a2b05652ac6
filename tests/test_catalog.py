"""The table catalog: names first, details only for what is asked, shard families as one entry.

On BigQuery (the recording fake client), thousands of tables must cost one
paged listing before anything shows, and details one get_table per entry
asked for, never one per table in the dataset. On DuckDB (a real file), a
family's entry sums its shards' rows exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import sqlglot
from google.api_core.exceptions import NotFound
from google.cloud.bigquery import SchemaField
from sqlglot import exp

from bq_fake import FakeClient, FakeTable, make_rows
from dataset_tui.cli.json_shapes import table_json
from dataset_tui.config import Profile
from dataset_tui.services import catalog
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.duckdb import DuckDBWarehouse

FIELDS = [SchemaField("user_pseudo_id", "STRING"), SchemaField("event_timestamp", "INTEGER")]


def _bigquery(tables: int, shards: int) -> tuple[Any, FakeClient]:
    profile = Profile.model_validate({"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU"})
    client = FakeClient()
    client.tables = {f"t{i:05d}": FakeTable(f"t{i:05d}", FIELDS[:1], num_rows=i) for i in range(tables - shards)}
    day = dt.date(2023, 12, 1)
    for i in range(shards):
        name = "events_" + (day + dt.timedelta(days=i)).strftime("%Y%m%d")
        client.tables[name] = FakeTable(name, FIELDS, num_rows=10, table_type="TABLE")
    client.answer_of = lambda sql: _tables_view(client, sql) if "__TABLES__" in sql else None
    warehouse = BigQueryWarehouse(profile, client=client)
    return SimpleNamespace(profile=profile, warehouse=lambda: warehouse), client


def _tables_view(client: FakeClient, sql: str) -> Any:
    """What `__TABLES__` grouped by shard prefix answers, from the fake's own tables."""
    wanted = [v.name for v in sqlglot.parse_one(sql, read="bigquery").find(exp.In).expressions]
    sums: dict[str, list[int]] = {}
    for name, table in client.tables.items():
        match = re.fullmatch(r"(.*)[0-9]{8}", name)
        if match and match.group(1) in wanted:
            total = sums.setdefault(match.group(1), [0, 0, 0])
            total[0] += 1
            total[1] += table.num_rows or 0
            total[2] += table.num_bytes or 0
    counts = [SchemaField(n, "INTEGER") for n in ("shards", "row_count", "size_bytes")]
    fields = [SchemaField("prefix", "STRING"), *counts]
    return make_rows(fields, [(p, *v) for p, v in sums.items()])


def test_names_first_on_bigquery_cost_one_listing_and_no_get_table() -> None:
    ctx, client = _bigquery(5000, 1100)
    found = catalog.table_catalog(ctx, dataset="raw_data")
    assert client.count("list_tables") == 1 and client.count("get_table") == 0
    assert client.of("list_tables")[0].kwargs["page_size"] == 1000
    # 3,900 plain tables and one family standing for 1,100 shards.
    assert len(found.entries) == 3901
    family = found.entry("events_*")
    assert family is not None and family.shards == catalog.ShardSpan(1100, dt.date(2023, 12, 1), dt.date(2026, 12, 4))
    assert family.newest == "events_20261204"


def test_details_on_bigquery_read_only_the_entries_asked_for() -> None:
    ctx, client = _bigquery(5000, 1100)
    found = catalog.table_catalog(ctx, dataset="raw_data")
    screen = [e.name for e in found.entries[-30:]] + ["events_*"]
    details = catalog.entry_details(ctx, found, screen)
    # One get_table per entry on screen; the family reads its newest shard only.
    assert client.count("get_table") == 31
    assert {c.args[0] for c in client.of("get_table")} >= {"acme.raw_data.events_20261204", "acme.raw_data.t03899"}
    family = details["events_*"]
    # Its rows and size: the shards' sums, from one metadata query (__TABLES__).
    assert (family.name, family.columns, family.rows, family.bytes) == ("events_*", 2, 1100 * 10, 1100 * 4096)
    (sums,) = client.of("query")
    tree = sqlglot.parse_one(sums.args[0], read="bigquery")
    assert [(t.catalog, t.db, t.name) for t in tree.find_all(exp.Table)] == [("acme", "raw_data", "__TABLES__")]
    (wanted,) = list(tree.find_all(exp.In))
    assert [v.name for v in wanted.expressions] == ["events_"]
    assert details["t03899"].rows == 3899
    # Asked again while unchanged: the adapter's metadata caches answer.
    catalog.entry_details(ctx, found, screen)
    assert client.count("get_table") == 31 and client.count("query") == 1


def test_family_sizes_that_cannot_be_read_leave_rows_unknown() -> None:
    ctx, client = _bigquery(10, 5)
    client.fail_on["query"] = NotFound("Not found: Table acme:raw_data.__TABLES__")
    found = catalog.table_catalog(ctx, dataset="raw_data")
    family = catalog.entry_details(ctx, found, ["events_*"])["events_*"]
    assert (family.rows, family.bytes, family.columns) == (None, None, 2)


def test_a_family_on_duckdb_sums_its_shards_and_plain_tables_stay(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.orders AS SELECT range AS id FROM range(7)")
    # A lone dated table is a table, not a family.
    con.execute("CREATE TABLE raw_data.backup_20240101 AS SELECT 1 AS id")
    for i in range(12):
        suffix = (dt.date(2024, 2, 25) + dt.timedelta(days=i)).strftime("%Y%m%d")
        con.execute(f"CREATE TABLE raw_data.events_{suffix} AS SELECT range AS id, 'x' AS name FROM range({i + 1})")
    con.close()
    warehouse = DuckDBWarehouse(path)
    ctx = SimpleNamespace(profile=SimpleNamespace(backend="duckdb", dataset="raw_data"), warehouse=lambda: warehouse)
    try:
        rows = {r["name"]: r for r in (table_json(i, e) for e, i in catalog.table_listing(ctx))}
        assert list(rows) == ["backup_20240101", "events_*", "orders"]
        family = rows["events_*"]
        assert family["rows"] == sum(range(1, 13)) and family["columns"] == 2
        assert family["shards"] == {"count": 12, "first": "2024-02-25", "last": "2024-03-07"}
        assert rows["orders"]["shards"] is None and rows["orders"]["rows"] == 7
        listing = {e.name: (e, i) for e, i in catalog.table_listing(ctx)}
        assert catalog.badges(listing["events_*"][1], listing["events_*"][0]) == ["12 shards 2024-02-25…03-07"]
        assert catalog.badges(listing["orders"][1], listing["orders"][0]) == []
    finally:
        warehouse.close()


def test_badges_name_views_external_and_partition_filters() -> None:
    from dataset_tui.warehouse.base import TableInfo

    view = TableInfo("v", None, None, 3, table_type="VIEW")
    part = TableInfo("p", 5, 10, 3, partitioning="DAY on ts", require_partition_filter=True)
    ext = TableInfo("x", None, None, 3, table_type="EXTERNAL")
    assert catalog.badges(view) == ["view"]
    assert catalog.badges(part) == ["partitioned (filter required)"]
    assert catalog.badges(ext) == ["external"]

"""Key/value arrays (GA4 `event_params`) on BigQuery, over the recording fake client.

- listing the keys is one guarded query (a dry run, then the job) on the
  family's newest shard, an UNNEST of the array grouped by key; each key gets
  the value field that holds it most often;
- a definition column that is one key's value becomes a scalar subquery over
  UNNEST(array) keyed by a string literal, with the chosen value field.
The SQL of every recorded job is parsed with sqlglot's BigQuery dialect.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlglot
from google.cloud.bigquery import SchemaField
from sqlglot import exp

from bq_fake import FakeClient, FakeTable, make_rows
from dataset_tui.config import Profile
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.services.catalog import ParamKey, param_keys
from dataset_tui.services.context import AppContext
from dataset_tui.services.cost import run_guarded
from dataset_tui.store import Store
from dataset_tui.warehouse.bigquery import BigQueryWarehouse

GIB = 1024**3
VALUE = SchemaField(
    "value", "RECORD", fields=[SchemaField(n, t) for n, t in
                               [("string_value", "STRING"), ("int_value", "INTEGER"),
                                ("float_value", "FLOAT"), ("double_value", "FLOAT")]],
)  # fmt: skip
GA4 = [
    SchemaField("user_pseudo_id", "STRING"),
    SchemaField("event_timestamp", "INTEGER"),
    SchemaField("event_name", "STRING"),
    SchemaField("event_params", "RECORD", mode="REPEATED", fields=[SchemaField("key", "STRING"), VALUE]),
]
KEY_ROWS = [  # key, string/int/float/double counts, rows
    ("ga_session_id", 0, 90, 0, 0, 90),
    ("page_title", 80, 0, 0, 0, 80),
    ("engagement_time_msec", 0, 5, 0, 40, 45),
    (None, 0, 0, 0, 0, 3),  # a NULL key is no key
]


def bare(node: Any) -> str:
    """A node's BigQuery SQL without the identifier quotes (so the checks read as the SQL means)."""
    return str(node.sql("bigquery")).replace("`", "")


def make(tmp_path: Path) -> tuple[AppContext, FakeClient]:
    profile = Profile(name="prod", backend="bigquery", project="acme-prod", location="EU",
                      confirm_bytes=10 * GIB, max_bytes_billed=100 * GIB)  # fmt: skip
    client = FakeClient()
    client.datasets["analytics"] = "EU"
    for day in ("20240628", "20240629", "20240630"):
        client.tables[f"events_{day}"] = FakeTable(f"events_{day}", GA4)
    ctx = AppContext(settings=None, profile=profile, store=Store.open(tmp_path / "store"))  # type: ignore[arg-type]
    ctx.set_warehouse(BigQueryWarehouse(profile, client=client))
    return ctx, client


def test_param_keys_are_one_guarded_unnest_query_on_the_newest_shard(tmp_path: Path) -> None:
    ctx, client = make(tmp_path)
    names = ["key", "string_value", "int_value", "float_value", "double_value", "n"]
    client.result_rows = make_rows([SchemaField(n, "STRING" if n == "key" else "INTEGER") for n in names], KEY_ROWS)
    keys = param_keys(ctx, "events_*", "event_params", dataset="analytics")
    assert keys == [
        ParamKey("ga_session_id", "int_value", 90),
        ParamKey("page_title", "string_value", 80),
        ParamKey("engagement_time_msec", "double_value", 45),
    ]
    jobs = client.of("dry_run") + client.of("query")
    assert [c.method for c in jobs] == ["dry_run", "query"]
    for call in jobs:
        assert call.kwargs["location"] == "EU"
        tree = sqlglot.parse_one(call.args[0], read="bigquery")
        (table,) = list(tree.find_all(exp.Table))[:1]
        assert (table.catalog, table.db, table.name) == ("acme-prod", "analytics", "events_20240630")
        (unnest,) = list(tree.find_all(exp.Unnest))
        assert bare(unnest.expressions[0]) == "t.event_params"
        assert [bare(g) for g in tree.args["group"].expressions] == ["key"]
        assert tree.args["limit"] is not None


def test_a_param_column_is_a_keyed_subquery_over_the_array(tmp_path: Path) -> None:
    ctx, client = make(tmp_path)
    definition = parse_definition({
        "format": "dataset-tui/1", "name": "sessions",
        "source": {"dataset": "analytics", "primary": "events_*"},
        "columns": [
            {"table": "events_*", "name": "user_pseudo_id", "role": "user_id", "type": "STRING"},
            {"table": "events_*", "name": "event_timestamp", "role": "timestamp", "type": "INT64", "unit": "micros"},
            {"table": "events_*", "name": "event_params", "param": {"key": "ga_session_id", "value": "int_value"}},
        ],
        "filters": {"where": [{"table": "events_*", "column": "event_name", "values": ["purchase"]}]},
    })  # fmt: skip
    sql = generate_sql(definition, context=SqlContext(project="acme-prod", as_of=dt.date(2024, 6, 30)))
    run_guarded(ctx, sql, confirm=lambda _dry: True)  # type: ignore[arg-type]
    jobs = client.of("dry_run") + client.of("query")
    assert [c.method for c in jobs] == ["dry_run", "query"]
    for call in jobs:
        tree = sqlglot.parse_one(call.args[0], read="bigquery")
        # The SELECT reading FROM UNNEST(... event_params) itself (not the queries around it).
        sub: Any
        (sub,) = [
            s for s in tree.find_all(exp.Select)
            if isinstance(f := (s.args.get("from_") or s.args.get("from")), exp.From)
            and isinstance(f.this, exp.Unnest) and bare(f.this.expressions[0]).endswith("event_params")
        ]  # fmt: skip
        assert [bare(e) for e in sub.expressions] == ["kv.value.int_value"]
        where = sub.args["where"].this
        assert isinstance(where, exp.EQ) and bare(where.this) == "kv.key"
        assert where.expression.name == "ga_session_id" and where.expression.is_string
        assert sub.args["limit"] is not None  # the first match: one value per row
        # The event filter and the wildcard's shard bounds sit in the base's WHERE.
        (event,) = [i for i in tree.find_all(exp.In) if isinstance(i.this, exp.Column) and i.this.name == "event_name"]
        assert [v.name for v in event.expressions] == ["purchase"]
        (suffix,) = [b for b in tree.find_all(exp.LTE) if isinstance(b.this, exp.Column)
                     and b.this.name == "_TABLE_SUFFIX"]  # fmt: skip
        assert suffix.expression.name == "20240701"  # no range: up to the anchor, a day wide for time zones

"""The BigQuery adapter reports what a table is: type, partitioning, clustering and whether
queries must filter on the partition column (recording fake client, no network)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from google.cloud.bigquery import SchemaField, TimePartitioning

from bq_fake import FakeClient, FakeTable
from dataset_tui.cli.json_shapes import table_json
from dataset_tui.config import Profile
from dataset_tui.warehouse.base import NotFoundError
from dataset_tui.warehouse.bigquery import BigQueryWarehouse

SCHEMA = [SchemaField("user_id", "STRING"), SchemaField("ts", "TIMESTAMP")]


def test_table_types_and_required_partition_filters_are_reported() -> None:
    client = FakeClient()
    guarded = FakeTable(
        "events",
        SCHEMA,
        time_partitioning=TimePartitioning(field="ts"),
        clustering_fields=["user_id"],
        require_partition_filter=True,
    )
    client.tables = {
        "events": guarded,
        "ingested": FakeTable("ingested", SCHEMA, time_partitioning=TimePartitioning()),
        "v": FakeTable("v", SCHEMA, num_rows=None, num_bytes=None, table_type="VIEW"),
        "mv": FakeTable("mv", SCHEMA, table_type="MATERIALIZED_VIEW"),
        "ext": FakeTable("ext", SCHEMA, num_rows=None, table_type="EXTERNAL"),
    }
    profile = Profile.model_validate({"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU"})
    wh = BigQueryWarehouse(profile, client=client)
    tables = {t.name: t for t in wh.list_tables("raw_data")}
    assert {n: t.table_type for n, t in tables.items()} == {
        "events": "TABLE", "ingested": "TABLE", "v": "VIEW", "mv": "MATERIALIZED_VIEW", "ext": "EXTERNAL",
    }  # fmt: skip
    assert {n for n, t in tables.items() if t.require_partition_filter} == {"events"}
    assert tables["events"].partitioning == "DAY on ts" and tables["events"].clustering == ("user_id",)
    assert tables["ingested"].partitioning == "DAY on _PARTITIONTIME"
    row = table_json(tables["events"])
    assert (row["table_type"], row["require_partition_filter"], row["clustering"]) == ("TABLE", True, ["user_id"])


def test_a_wildcard_table_has_its_newest_shards_schema() -> None:
    client = FakeClient()
    older = [SchemaField("user_pseudo_id", "STRING")]
    newer = [*older, SchemaField("event_timestamp", "INTEGER")]
    client.tables = {
        "events_20240101": FakeTable("events_20240101", older),
        "events_20240102": FakeTable("events_20240102", newer),
        "events_intraday_20240103": FakeTable("events_intraday_20240103", older),
        "users": FakeTable("users", older),
    }
    profile = Profile.model_validate({"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU"})
    wh = BigQueryWarehouse(profile, client=client)
    schema = wh.schema("raw_data", "events_*")
    assert schema.table == "events_*"
    assert schema.types() == {"user_pseudo_id": "STRING", "event_timestamp": "INT64"}
    assert [c.args[0] for c in client.of("get_table")] == ["acme.raw_data.events_20240102"]
    with pytest.raises(NotFoundError):
        wh.schema("raw_data", "orders_*")


def test_saving_records_the_partitioning_column_and_the_sql_prunes_by_it() -> None:
    import types

    import sqlglot
    from sqlglot import exp

    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.checks import fill_column_types

    client = FakeClient()
    client.tables = {
        "orders": FakeTable(
            "orders", SCHEMA, time_partitioning=TimePartitioning(field="ts"), require_partition_filter=True
        )
    }
    profile = Profile.model_validate({"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU"})
    wh = BigQueryWarehouse(profile, client=client)
    ctx = types.SimpleNamespace(warehouse_exists=lambda: True, warehouse=lambda: wh)
    definition = parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "o",
            "source": {"primary": "orders"},
            "columns": [
                {"table": "orders", "name": "user_id", "role": "user_id"},
                {"table": "orders", "name": "ts", "role": "timestamp"},
            ],
        }
    )
    filled = fill_column_types(cast(Any, ctx), definition)
    assert [(c.name, c.type, c.partitioning) for c in filled.columns] == [
        ("user_id", "STRING", None),
        ("ts", "TIMESTAMP", True),
    ]
    # No date range: the anchor still bounds the partition column directly, so the table's
    # required partition filter is there.
    tree = sqlglot.parse_one(generate_sql(filled), read="bigquery")
    base = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "base")
    where = base.this.args["where"]
    direct = [n for n in where.find_all(exp.LT) if isinstance(n.this, exp.Column) and n.this.name == "ts"]
    assert len(direct) == 1

"""The BigQuery adapter reports what a table is: type, partitioning, clustering and whether
queries must filter on the partition column (recording fake client, no network)."""

from __future__ import annotations

import pytest
from google.cloud.bigquery import SchemaField, TimePartitioning

from bq_fake import FakeClient, FakeTable
from dataset_tui.config import Profile
from dataset_tui.services.warehouse_ops import table_row
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
    row = table_row(tables["events"])
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

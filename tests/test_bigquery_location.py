"""Jobs run in the location of the datasets they read, not the profile's (recording fake client).

An EU dataset is read by jobs in "EU" even when the profile says "US"; its
location is read once (get_dataset) and reused; a definition reading tables
in two locations is refused with a clear error before any job runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from google.cloud.bigquery import SchemaField

from bq_fake import FakeClient, FakeTable
from dataset_tui.config import Profile
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql, preview_sql
from dataset_tui.services.cost import run_guarded, stats_guarded
from dataset_tui.warehouse.base import BadQueryError
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from dataset_tui.warehouse.bigquery_location import DatasetRef, referenced_datasets

GIB = 1024**3
SCHEMA = [SchemaField("user_id", "STRING"), SchemaField("ts", "TIMESTAMP"), SchemaField("amount", "FLOAT")]


@dataclass
class Ctx:
    profile: Profile
    wh: Any

    def warehouse(self) -> Any:
        return self.wh


def make(profile_location: str = "US") -> tuple[Ctx, FakeClient]:
    profile = Profile.model_validate(
        {"name": "prod", "backend": "bigquery", "project": "acme-prod", "location": profile_location,
         "confirm_bytes": 100 * GIB, "max_bytes_billed": 1000 * GIB}
    )  # fmt: skip
    client = FakeClient()
    client.datasets.update({"raw_data": "EU", "sales": "US"})
    client.tables["raw_data.orders"] = FakeTable("orders", SCHEMA)
    client.tables["sales.customers"] = FakeTable("customers", [SchemaField("user_id", "STRING")])
    return Ctx(profile, BigQueryWarehouse(profile, client=client)), client


def definition(joined: str | None = None) -> Any:
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": "d",
        "source": {"dataset": "raw_data", "primary": "orders"},
        "columns": [
            {"table": "orders", "name": "user_id", "role": "user_id", "type": "STRING"},
            {"table": "orders", "name": "ts", "role": "timestamp", "type": "TIMESTAMP"},
        ],
    }
    if joined:
        data["source"]["joins"] = [
            {"table": joined, "type": "left", "on": [{"left": "orders.user_id", "right": f"{joined}.user_id"}]}
        ]
    return parse_definition(data)


def test_every_job_of_an_eu_dataset_runs_in_eu_and_the_location_is_read_once() -> None:
    ctx, client = make(profile_location="US")
    client.echo_columns_rows = 10
    sql = generate_sql(definition(), context=SqlContext(project="acme-prod", as_of=dt.date(2024, 6, 30)))
    run_guarded(ctx, sql, confirm=lambda _dry: True)  # type: ignore[arg-type]
    run_guarded(ctx, preview_sql(definition(), limit=5), confirm=lambda _dry: True)  # type: ignore[arg-type]
    stats_guarded(ctx, "raw_data", "orders", confirm=lambda _dry: True)  # type: ignore[arg-type]
    jobs = client.of("dry_run") + client.of("query")
    assert len(jobs) == 6  # a dry run and a query for each of the three actions
    assert {job.kwargs["location"] for job in jobs} == {"EU"}
    assert [c.args[0] for c in client.of("get_dataset")] == ["acme-prod.raw_data"]


def test_tables_in_two_locations_are_refused_before_any_job_runs() -> None:
    ctx, client = make()
    context = SqlContext(project="acme-prod", as_of=dt.date(2024, 6, 30))
    sql = generate_sql(definition("sales.customers"), context=context)
    with pytest.raises(BadQueryError) as info:
        run_guarded(ctx, sql, confirm=lambda _dry: True)  # type: ignore[arg-type]
    text = str(info.value)
    assert "2 locations" in text and "acme-prod.raw_data in EU" in text and "acme-prod.sales in US" in text
    assert "copy the tables" in text
    assert client.count("dry_run") == 0 and client.count("query") == 0


def test_a_dataset_whose_location_cannot_be_read_runs_in_the_profiles_location() -> None:
    ctx, client = make(profile_location="europe-west1")
    client.datasets.clear()  # get_dataset answers NotFound: the job itself will say what is wrong
    ctx.wh.query("SELECT 1 FROM `acme-prod.raw_data.orders`")
    ctx.wh.query("SELECT 2 FROM `acme-prod.raw_data.orders`")
    assert [job.kwargs["location"] for job in client.of("query")] == ["europe-west1", "europe-west1"]
    assert client.count("get_dataset") == 1  # the failure is remembered too: once per dataset


def test_a_query_naming_no_dataset_runs_in_the_profiles_location() -> None:
    ctx, client = make(profile_location="US")
    ctx.wh.query("SELECT 1 AS x")
    (job,) = client.of("query")
    assert job.kwargs["location"] == "US" and client.count("get_dataset") == 0


def test_table_references_are_found_outside_comments_and_strings() -> None:
    sql = (
        "-- data from fake.table in a comment\n"
        "WITH a AS (SELECT * FROM raw_data.t WHERE s = 'from other.place')\n"
        "SELECT * FROM a JOIN `proj-2.sales.orders` o ON TRUE, `acme.raw_data.events_*`\n"
        "UNION ALL SELECT * FROM `p3.meta.INFORMATION_SCHEMA.PARTITIONS`\n"
        "UNION ALL SELECT * FROM `region-eu`.INFORMATION_SCHEMA.JOBS\n"
        "UNION ALL SELECT `device`.`category` FROM shop.__TABLES__"
    )
    assert referenced_datasets(sql, "acme") == [
        DatasetRef("proj-2", "sales"),
        DatasetRef("acme", "raw_data"),
        DatasetRef("p3", "meta"),
        DatasetRef("acme", "shop"),
    ]

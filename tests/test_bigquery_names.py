"""Names on BigQuery, over the recording fake client (tests/bq_fake.py).

- Table and dataset names are case-sensitive on BigQuery (DuckDB folds
  them): a definition naming `Transactions` when the table is
  `transactions` is an error at the field, naming the right spelling.
- A table in another project/dataset (`other-project.sales.orders`) is
  looked up there for validation and type filling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud.bigquery import SchemaField

from bq_fake import FakeClient, FakeTable
from dataset_tui.config import Profile
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.services.checks import fill_column_types, schema_problems, warehouse_checks
from dataset_tui.warehouse.bigquery import BigQueryWarehouse


@dataclass
class Ctx:
    wh: Any

    def warehouse(self) -> Any:
        return self.wh

    def warehouse_exists(self) -> bool:
        return True


def make() -> tuple[Any, FakeClient]:
    profile = Profile.model_validate({"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU"})
    client = FakeClient()
    client.datasets = {"raw_data": "EU", "Sales_EU": "EU"}
    client.tables["transactions"] = FakeTable(
        "transactions",
        [SchemaField("customer_id", "STRING"), SchemaField("ts", "TIMESTAMP"), SchemaField("amount", "NUMERIC")],
    )
    client.tables["other-project.sales.orders"] = FakeTable(
        "orders", [SchemaField("customer_id", "STRING"), SchemaField("order_total", "FLOAT")]
    )
    return Ctx(BigQueryWarehouse(profile, client=client)), client


def definition(primary: str = "transactions", dataset: str = "raw_data", joined: str | None = None) -> Definition:
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": "d",
        "source": {"dataset": dataset, "primary": primary},
        "columns": [
            {"table": primary, "name": "customer_id", "role": "user_id"},
            {"table": primary, "name": "TS", "role": "timestamp"},  # columns fold case on BigQuery too
        ],
    }
    if joined:
        on = [{"left": f"{primary}.customer_id", "right": f"{joined}.customer_id"}]
        data["source"]["joins"] = [{"table": joined, "on": on}]
        data["columns"].append({"table": joined, "name": "order_total"})
    return parse_definition(data)


def test_exact_case_passes() -> None:
    ctx, _ = make()
    assert schema_problems(ctx, definition()) == []


def test_a_table_in_another_case_names_the_field_and_the_spelling() -> None:
    ctx, client = make()
    problems = schema_problems(ctx, definition("Transactions"))
    assert [p.path for p in problems] == ["source.primary"]
    assert "case-sensitive" in problems[0].message and "'transactions'" in problems[0].message
    # The real table was read (its columns are checked all the same).
    assert "raw_data.transactions" in [c.args[0].split(".", 1)[1] for c in client.of("get_table")]
    # Activation refuses it before any dry run.
    client.calls.clear()
    assert [p.path for p in warehouse_checks(ctx, definition("Transactions"))] == ["source.primary"]
    assert client.count("dry_run") == 0


def test_a_dataset_in_another_case_names_the_field_and_the_spelling() -> None:
    ctx, _ = make()
    problems = schema_problems(ctx, definition(dataset="Raw_Data"))
    assert [p.path for p in problems] == ["source.dataset"]
    assert "case-sensitive" in problems[0].message and "'raw_data'" in problems[0].message


def test_a_missing_table_is_still_missing() -> None:
    ctx, _ = make()
    problems = schema_problems(ctx, definition("transaktionen"))
    assert [(p.path, p.message) for p in problems] == [
        ("source.primary", "table raw_data.transaktionen does not exist")
    ]


def test_an_engine_that_folds_case_matches_any_case() -> None:
    from dataset_tui.domain.validation import check_against_schema

    schemas = {"transactions": {"customer_id": "STRING", "ts": "TIMESTAMP"}}
    assert check_against_schema(definition("Transactions"), schemas) == []
    problems = check_against_schema(definition("Transactions"), schemas, case_sensitive=True)
    assert [p.path for p in problems] == ["source.primary"]


def test_a_table_of_another_project_is_looked_up_there() -> None:
    ctx, client = make()
    d = definition(joined="other-project.sales.orders")
    assert schema_problems(ctx, d) == []
    assert "other-project.sales.orders" in [c.args[0] for c in client.of("get_table")]
    filled = fill_column_types(ctx, d)
    assert [c.type for c in filled.columns] == ["STRING", "TIMESTAMP", "FLOAT64"]


def test_a_missing_column_of_another_projects_table_is_named() -> None:
    ctx, _ = make()
    data = definition(joined="other-project.sales.orders").to_dict()
    data["columns"][2]["name"] = "total"
    problems = schema_problems(ctx, parse_definition(data))
    assert [p.path for p in problems] == ["columns[2].name"]
    assert "other-project.sales.orders" in problems[0].message

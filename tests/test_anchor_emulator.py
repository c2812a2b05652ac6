"""Revised DESIGN §4 on the BigQuery emulator: every filter combination returns the rows of the
Python reference (rows dated after the as-of day and after today, NULL timestamps, refunds,
missing join matches), and `analyze --json` of an empty window counts zeros.

The fixture tables of tests/sqlref.py are loaded into their own emulator
datasets (`fixture_raw` around the fixed as-of day, `fixture_live` around the
real today), beside the demo `raw_data` the other emulator tests use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlglot

import sqlref
from dataset_tui.cli import main
from dataset_tui.domain import clock
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.services import definitions
from dataset_tui.store import Store
from emulator import DATASET, PROJECT, Seeded, _json_value

pytestmark = pytest.mark.emulator

UTC = dt.UTC
FIXED = sqlref.FIXED_DAY

# BigQuery schemas of the fixture tables (sqlref.DDL is DuckDB's spelling).
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "transactions": [
        ("transaction_id", "STRING"), ("customer_id", "STRING"), ("product_id", "STRING"), ("ts", "TIMESTAMP"),
        ("amount", "NUMERIC"), ("quantity", "INT64"), ("channel", "STRING"), ("store_id", "INT64"),
        ("device", "RECORD"), ("gift", "BOOL"),
    ],
    "products": [("product_id", "STRING"), ("category", "STRING"), ("brand_id", "STRING"),
                 ("price", "NUMERIC"), ("weight", "FLOAT64")],
    "brands": [("brand_id", "STRING"), ("brand_name", "STRING")],
    "customers": [("customer_id", "STRING"), ("signup_date", "DATE"), ("signup_at", "DATETIME"), ("country", "STRING")],
    "ties": [("customer_id", "STRING"), ("product_id", "STRING"), ("ts", "TIMESTAMP"), ("amount", "NUMERIC")],
    "refunds": [("customer_id", "STRING"), ("product_id", "STRING"), ("ts", "TIMESTAMP"), ("amount", "NUMERIC")],
}  # fmt: skip


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.isoformat()  # DATETIME: no zone
    return _json_value(value)


def _load(client: Any, dataset: str, tables: sqlref.Tables) -> None:
    from google.cloud import bigquery

    client.create_dataset(f"{PROJECT}.{dataset}", exists_ok=True)
    for table, rows in tables.items():
        schema = []
        for name, kind in SCHEMAS[table]:
            if kind == "RECORD":
                fields = [bigquery.SchemaField("category", "STRING"), bigquery.SchemaField("os", "STRING")]
                schema.append(bigquery.SchemaField(name, "RECORD", fields=fields))
            else:
                schema.append(bigquery.SchemaField(name, kind))
        created = client.create_table(bigquery.Table(f"{PROJECT}.{dataset}.{table}", schema=schema), exists_ok=True)
        chunk = [{k: _value(v) for k, v in row.items()} for row in rows]
        errors = client.insert_rows_json(created, chunk)
        assert not errors, f"inserting into {dataset}.{table}: {errors[:3]}"


def _today() -> dt.date:
    return dt.datetime.now(UTC).date()


@pytest.fixture(scope="module")
def loaded(bq_raw_data: Seeded) -> Any:
    """(warehouse, {dataset: (tables, today)}) with the fixture in two emulator datasets."""
    client = bq_raw_data.emulator.client()
    fixed_tables = sqlref.fixture_tables(FIXED)
    live_today = _today()
    live_tables = sqlref.fixture_tables(live_today, seed=11)
    _load(client, "fixture_raw", fixed_tables)
    _load(client, "fixture_live", live_tables)
    warehouse = bq_raw_data.emulator.warehouse()
    yield warehouse, {"fixture_raw": (fixed_tables, FIXED), "fixture_live": (live_tables, live_today)}
    warehouse.close()


def in_dataset(definition: Definition, dataset: str) -> Definition:
    data = definition.to_dict()
    data["source"]["dataset"] = dataset
    return parse_definition(data)


def normalized(rows: Any) -> Counter[tuple[Any, ...]]:
    def value(v: Any) -> Any:
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            return v.astimezone(UTC)
        if isinstance(v, float):
            return round(v, 6)
        if isinstance(v, Decimal):
            return v.normalize()
        return v

    return Counter(tuple(value(v) for v in row) for row in rows)


ROLLING, FIXED_RANGE = sqlref.ROLLING_PART, sqlref.FIXED_PART
RANDOM, TIME = sqlref.RANDOM_PART, sqlref.TIME_PART
MATRIX = sqlref.matrix(joins=(0, 2))  # joins: none, or an inner join then a left join that misses


@pytest.mark.parametrize("date_range,top,min_tx,split,joins", MATRIX)
def test_every_combination_matches_the_reference_as_of(
    loaded: Any, date_range: Any, top: Any, min_tx: Any, split: Any, joins: int
) -> None:
    warehouse, datasets = loaded
    tables, today = datasets["fixture_raw"]
    base = sqlref.make(date_range=date_range, top=top, min_tx=min_tx, split=split, joins=joins)
    definition = in_dataset(base, "fixture_raw")
    future = {r["transaction_id"] for r in tables["transactions"] if r["ts"] is not None and r["ts"].date() > today}
    assert future
    for name in ["full"] if split is None else ["full", "train", "eval"]:
        sql = generate_sql(definition, name, SqlContext(as_of=today))  # type: ignore[arg-type]
        sqlglot.parse_one(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
        got = normalized(warehouse.query(sql).rows)
        assert got == normalized(sqlref.expected_rows(base, tables, today, name)), name
        assert not {row[4] for row in got} & future, f"{name}: a row dated after the as-of day"


@pytest.mark.parametrize("split", [None, RANDOM, {"type": "time", "eval_days": 7}])
@pytest.mark.parametrize("date_range", [None, {"type": "rolling", "months": 3}])
def test_live_sql_on_the_emulator_leaves_out_rows_dated_after_today(loaded: Any, date_range: Any, split: Any) -> None:
    warehouse, datasets = loaded
    tables, today = datasets["fixture_live"]
    if _today() != today:
        pytest.skip("the day changed while the test ran")
    base = sqlref.make(date_range=date_range, split=split, top=70, min_tx=2)
    definition = in_dataset(base, "fixture_live")
    for name in ["full"] if split is None else ["full", "train", "eval"]:
        got = normalized(warehouse.query(generate_sql(definition, name)).rows)  # type: ignore[arg-type]
        assert got == normalized(sqlref.expected_rows(base, tables, today, name)), name
        assert all(row[2] is None or row[2].date() <= today for row in got)


@pytest.mark.parametrize(
    "definition",
    [
        sqlref.make(split=RANDOM, top=70, min_tx=3, joins=1),
        sqlref.make(date_range=ROLLING, split=TIME),
        sqlref.make(split=TIME),
    ],
    ids=["no_range_random", "rolling_time", "no_range_time"],
)
def test_analysis_matches_the_reference_on_the_emulator(loaded: Any, definition: Definition) -> None:
    warehouse, datasets = loaded
    tables, today = datasets["fixture_raw"]
    result = warehouse.query(analysis_sql(in_dataset(definition, "fixture_raw"), SqlContext(as_of=today)))
    total = dict(zip(result.columns, next(r for r in result.rows if r[0] == "total"), strict=True))
    want = sqlref.expected_analysis(definition, tables, today)
    for key in ("rows", "users", "products", "train_rows", "eval_rows", "null_key_rows", "date_min", "date_max"):
        assert total[key] == want[key], key
    assert {r[1]: r[2] for r in result.rows if r[0] == "day"} == want["days"]


# -- analyze --json of an empty window, through the CLI, on the emulator ------------------------


EMPTY = {
    "format": "dataset-tui/1",
    "source": {"dataset": DATASET, "primary": "transactions"},
    "columns": [
        {"table": "transactions", "name": "customer_id", "role": "user_id", "type": "STRING"},
        {"table": "transactions", "name": "product_id", "role": "product_id", "type": "STRING"},
        {"table": "transactions", "name": "ts", "role": "timestamp", "type": "TIMESTAMP"},
        {"table": "transactions", "name": "amount", "role": "revenue", "type": "NUMERIC"},
    ],
    "filters": {"date_range": {"type": "fixed", "start": "1990-01-01", "end": "1990-03-31"},
                "top_products_percent": 80, "min_transactions": 2},
}  # fmt: skip


@pytest.mark.parametrize("split", [RANDOM, TIME])
def test_analyze_json_of_an_empty_window_has_zero_counts_on_the_emulator(
    bq_raw_data: Seeded, isolated_env: Path, capsys: pytest.CaptureFixture[str], split: Any
) -> None:
    endpoint = bq_raw_data.emulator.endpoint
    config = isolated_env / "config.toml"
    config.write_text(
        f'[profiles.emu]\nbackend = "bigquery"\nproject = "{PROJECT}"\ndataset = "{DATASET}"\n'
        f'api_endpoint = "{endpoint}"\ntimeout_s = 60\n'
    )
    db = isolated_env / "store"
    store = Store.open(db)
    try:
        definitions.save(store, parse_definition({**EMPTY, "name": "empty_window", "split": split}))
    finally:
        store.close()
    try:
        code = main(["--db", str(db), "--profile", "emu", "analyze", "empty_window", "--json", "--yes"])
        out, err = capsys.readouterr()
    finally:
        clock.fix(None)
    assert code == 0, err
    data = json.loads(out)
    assert (data["rows"], data["users"], data["products"]) == (0, 0, 0)
    assert data["split"] == {"train_rows": 0, "eval_rows": 0, "null_key_rows": 0}

"""The BigQuery adapter against a real REST server (bqemulator) seeded with the demo raw_data.

Every adapter operation runs here over HTTP through google-cloud-bigquery.
The generated SQL of several definitions runs on the emulator AND on the
DuckDB adapter over the same rows, and both must return the rows a Python
reference of DESIGN §4 computes (tests/sqlref.py). The emulator accepts some
SQL BigQuery would not, so every statement is also parsed with sqlglot's
BigQuery dialect. What the emulator cannot do (dry-run bytes, byte caps,
slow jobs, BigQuery's errors) is in test_bigquery_adapter.py / test_cost_guard.py.
"""

from __future__ import annotations

import datetime as dt
import signal
import statistics
import threading
import time
from collections import Counter
from typing import Any

import pytest
import sqlglot

import sqlref
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.services.cost import run_guarded
from dataset_tui.warehouse.base import BadQueryError, NotFoundError, UnavailableError
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from emulator import AS_OF, DATASET, Seeded, start_emulator

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def bq(bq_raw_data: Seeded) -> Any:
    warehouse = bq_raw_data.emulator.warehouse()
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def duck(bq_raw_data: Seeded) -> Any:
    warehouse = DuckDBWarehouse(bq_raw_data.duckdb_path)
    yield warehouse
    warehouse.close()


def parses_as_bigquery(sql: str) -> None:
    sqlglot.parse_one(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)


# -- metadata, statistics, samples -----------------------------------------------


def test_list_tables(bq: Any, bq_raw_data: Seeded) -> None:
    tables = {t.name: t for t in bq.list_tables(DATASET)}
    assert set(tables) == set(bq_raw_data.rows)
    for name, info in tables.items():
        assert info.rows == len(bq_raw_data.rows[name])
        assert info.columns == len(bq_raw_data.types[name])
        assert info.modified is not None and info.modified.tzinfo is not None


def test_table_info_is_the_list_entry_and_names_a_missing_table(bq: Any, bq_raw_data: Seeded) -> None:
    for info in bq.list_tables(DATASET):
        assert bq.table_info(DATASET, info.name) == info
    with pytest.raises(NotFoundError, match="nowhere"):
        bq.table_info(DATASET, "nowhere")


def test_schema_has_the_demo_types(bq: Any, bq_raw_data: Seeded) -> None:
    for table, types in bq_raw_data.types.items():
        assert bq.schema(DATASET, table).types() == types
    assert bq_raw_data.types["transactions"] == {
        "transaction_id": "STRING", "customer_id": "STRING", "product_id": "STRING",
        "ts": "TIMESTAMP", "amount": "NUMERIC", "quantity": "INT64", "channel": "STRING",
    }


def test_column_stats_match_python(bq: Any, bq_raw_data: Seeded) -> None:
    rows = bq_raw_data.rows["transactions"]
    sql = bq.column_stats_sql(DATASET, "transactions")
    parses_as_bigquery(sql)
    stats = bq.column_stats(DATASET, "transactions")
    assert stats.row_count == len(rows)
    assert stats.table_modified is not None
    by_name = {c.name: c for c in stats.columns}
    assert set(by_name) == set(bq_raw_data.types["transactions"])
    for name, column in by_name.items():
        values = [r[name] for r in rows]
        present = [v for v in values if v is not None]
        assert column.count == len(rows)
        assert column.null_count == len(values) - len(present), name
        assert column.distinct_count == len(set(present)), name
        assert column.min == min(present) and column.max == max(present), name
    for name in ("amount", "quantity"):
        present = [float(r[name]) for r in rows if r[name] is not None]
        assert by_name[name].mean == pytest.approx(statistics.fmean(present))
        assert by_name[name].stddev == pytest.approx(statistics.stdev(present))
        assert sum(b.count for b in by_name[name].histogram) == len(present)
    days = [r["ts"].date() for r in rows if r["ts"] is not None]
    assert by_name["ts"].range_days == (max(days) - min(days)).days
    assert sum(b.count for b in by_name["ts"].histogram) == len(days)


def test_stats_for_chosen_columns_and_approximate_distinct(bq_raw_data: Seeded) -> None:
    warehouse = bq_raw_data.emulator.warehouse(approx_distinct=True)
    try:
        stats = warehouse.column_stats(DATASET, "customers", ["country", "signup_date"])
    finally:
        warehouse.close()
    rows = bq_raw_data.rows["customers"]
    country, signup = stats.columns
    assert (country.name, signup.name) == ("country", "signup_date")
    assert country.approximate_distinct
    exact = len({r["country"] for r in rows if r["country"] is not None})
    assert abs(country.distinct_count - exact) <= max(1, exact // 20)
    dates = [r["signup_date"] for r in rows if r["signup_date"] is not None]
    assert signup.range_days == (max(dates) - min(dates)).days


def test_sample_values_are_real_distinct_values(bq: Any, bq_raw_data: Seeded) -> None:
    channels = {r["channel"] for r in bq_raw_data.rows["transactions"]} - {None}
    sample = bq.sample_values(DATASET, "transactions", "channel", limit=3)
    assert 0 < len(sample) <= 3 and len(set(sample)) == len(sample)
    assert set(sample) <= channels
    ids = bq.sample_values(DATASET, "transactions", "customer_id", limit=5)
    assert len(ids) == 5 and None not in ids


def test_nested_and_repeated_fields(bq_raw_data: Seeded) -> None:
    from google.cloud import bigquery

    client = bq_raw_data.emulator.client()
    schema = [
        bigquery.SchemaField("user_id", "STRING"),
        bigquery.SchemaField("device", "RECORD", fields=[bigquery.SchemaField("category", "STRING"),
                                                         bigquery.SchemaField("os", "STRING")]),
        bigquery.SchemaField("tags", "STRING", mode="REPEATED"),
        bigquery.SchemaField("items", "RECORD", mode="REPEATED", fields=[bigquery.SchemaField("sku", "STRING")]),
    ]
    client.create_dataset("demo-project.nested", exists_ok=True)
    table = client.create_table(bigquery.Table("demo-project.nested.events", schema=schema))
    rows = [
        {"user_id": f"u{i}", "device": {"category": ["mobile", "desktop"][i % 2], "os": None},
         "tags": ["a", "b"][: i % 3], "items": [{"sku": f"s{i % 4}"}]}
        for i in range(12)
    ]
    assert client.insert_rows_json(table, rows) == []
    warehouse = bq_raw_data.emulator.warehouse()
    try:
        columns = {c.name: c for c in warehouse.schema("nested", "events").columns}
        assert columns["device"].type == "STRUCT<category STRING, os STRING>"
        assert columns["device.category"].type == "STRING"
        assert (columns["tags"].type, columns["tags"].mode) == ("ARRAY<STRING>", "REPEATED")
        assert columns["items.sku"].type == "ARRAY<STRING>"
        stats = {c.name: c for c in warehouse.column_stats("nested", "events").columns}
        assert stats["device.category"].distinct_count == 2
        assert stats["device.os"].null_count == 12
        assert stats["tags"].null_count == 4  # i % 3 == 0: an empty array
        assert "items.sku" not in stats
        assert sorted(warehouse.sample_values("nested", "events", "device.category")) == ["desktop", "mobile"]
        assert sorted(warehouse.sample_values("nested", "events", "items.sku")) == ["s0", "s1", "s2", "s3"]
        result = warehouse.query("SELECT `device`.`category` AS c, tags FROM `demo-project.nested.events` "
                                 "WHERE user_id = 'u5'")
        assert result.types == ("STRING", "ARRAY<STRING>") and result.rows == (("desktop", ["a", "b"]),)
    finally:
        warehouse.close()


# -- queries, dry run, errors ---------------------------------------------------------


def test_query_with_limit_and_dry_run(bq: Any, bq_raw_data: Seeded) -> None:
    sql = "SELECT transaction_id, amount, ts FROM `demo-project.raw_data.transactions` ORDER BY transaction_id"
    result = bq.query(sql, limit=10)
    assert result.columns == ("transaction_id", "amount", "ts")
    assert result.types == ("STRING", "NUMERIC", "TIMESTAMP")
    assert len(result.rows) == 10 and result.truncated
    ids = sorted(r["transaction_id"] for r in bq_raw_data.rows["transactions"])
    assert [r[0] for r in result.rows] == ids[:10]
    dry = bq.dry_run(sql)
    assert dry.bytes_processed >= 0 and not dry.estimated  # the emulator reports 0 bytes


def test_guarded_query_runs_on_the_emulator(bq: Any, bq_raw_data: Seeded) -> None:
    class Ctx:
        profile = bq.profile

        def warehouse(self) -> Any:
            return bq

    result = run_guarded(Ctx(), "SELECT COUNT(*) AS n FROM `raw_data.products`", confirm=None)
    assert result.rows == ((len(bq_raw_data.rows["products"]),),)


def test_errors_from_the_server(bq: Any) -> None:
    with pytest.raises(BadQueryError):
        bq.query("SELEC 1")
    with pytest.raises(NotFoundError):
        bq.query("SELECT * FROM `demo-project.raw_data.no_such_table`")
    with pytest.raises(NotFoundError):
        bq.schema(DATASET, "no_such_table")
    with pytest.raises(NotFoundError):
        bq.column_stats(DATASET, "transactions", ["no_such_column"])
    with pytest.raises(NotFoundError):
        bq.dry_run("SELECT * FROM `demo-project.raw_data.no_such_table`")


# -- the generated SQL: same rows on both engines ---------------------------------------


def definition(name: str, **parts: Any) -> Definition:
    columns = [
        {"table": "transactions", "name": "customer_id", "role": "user_id", "type": "STRING"},
        {"table": "transactions", "name": "product_id", "role": "product_id", "type": "STRING"},
        {"table": "transactions", "name": "ts", "role": "timestamp", "type": "TIMESTAMP"},
        {"table": "transactions", "name": "amount", "role": "revenue", "type": "NUMERIC"},
        {"table": "transactions", "name": "transaction_id", "type": "STRING"},
    ]
    source: dict[str, Any] = {"dataset": DATASET, "primary": "transactions", "joins": []}
    if parts.pop("join_products", False):
        source["joins"].append({"table": "products", "type": "left",
                                "on": [{"left": "transactions.product_id", "right": "products.product_id"}]})
        columns.append({"table": "products", "name": "category", "alias": "product_category", "type": "STRING"})
    if parts.pop("join_customers", False):
        source["joins"].append({"table": "customers", "type": "inner",
                                "on": [{"left": "transactions.customer_id", "right": "customers.customer_id"}]})
        columns.append({"table": "customers", "name": "country", "type": "STRING"})
    return parse_definition({"format": "dataset-tui/1", "name": name, "source": source, "columns": columns, **parts})


DEFINITIONS = {
    "random_fixed_range": definition(
        "random_fixed_range", join_products=True,
        filters={"date_range": {"type": "fixed", "start": "2024-09-01", "end": "2025-03-31"}},
        split={"type": "random", "train_percent": 80},
    ),
    "rolling_top_active": definition(
        "rolling_top_active",
        filters={"date_range": {"type": "rolling", "months": 6}, "top_products_percent": 80, "min_transactions": 2},
        split={"type": "random", "train_percent": 70},
    ),
    "time_split_inner_join": definition(
        "time_split_inner_join", join_customers=True,
        filters={"date_range": {"type": "rolling", "months": 3}},
        split={"type": "time", "eval_days": 14},
    ),
    "random_by_product": definition(
        "random_by_product", filters={"min_transactions": 3},
        split={"type": "random", "train_percent": 50, "key": "product_id"},
    ),
}


def normalized(rows: Any) -> Counter[tuple[Any, ...]]:
    """Rows as comparable tuples: aware UTC datetimes, floats rounded (Decimals compare exactly)."""

    def value(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return (v if v.tzinfo else v.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        if isinstance(v, float):
            return round(v, 6)
        return v

    return Counter(tuple(value(v) for v in row) for row in rows)


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_generated_splits_agree_on_emulator_duckdb_and_python(
    name: str, bq: Any, duck: Any, bq_raw_data: Seeded
) -> None:
    defn = DEFINITIONS[name]
    splits = {}
    for split in ("train", "eval"):
        sql = generate_sql(defn, split, as_of=AS_OF)
        parses_as_bigquery(sql)
        on_emulator = normalized(bq.query(sql).rows)
        on_duckdb = normalized(duck.query(sql).rows)
        reference = normalized(sqlref.expected_rows(defn, bq_raw_data.rows, AS_OF, split))
        assert on_emulator == on_duckdb, f"{name}/{split}: emulator and DuckDB differ"
        assert on_emulator == reference, f"{name}/{split}: engines differ from the Python reference"
        splits[split] = on_emulator
    assert sum(splits["train"].values()) > 0 and sum(splits["eval"].values()) > 0
    assert not set(splits["train"]) & set(splits["eval"]), "a row is in both splits"


def test_full_sql_with_project_qualified_names(bq: Any, bq_raw_data: Seeded) -> None:
    defn = DEFINITIONS["random_fixed_range"]
    sql = generate_sql(defn, "full", project="demo-project", as_of=AS_OF)
    assert "`demo-project.raw_data.transactions`" in sql
    parses_as_bigquery(sql)
    reference = normalized(sqlref.expected_rows(defn, bq_raw_data.rows, AS_OF, "full"))
    assert normalized(bq.query(sql).rows) == reference


@pytest.mark.parametrize("name", ["rolling_top_active", "time_split_inner_join"])
def test_analysis_query_agrees_on_both_engines(name: str, bq: Any, duck: Any) -> None:
    sql = analysis_sql(DEFINITIONS[name], SqlContext(as_of=AS_OF))
    parses_as_bigquery(sql)
    assert normalized(bq.query(sql).rows) == normalized(duck.query(sql).rows)


# -- fault: the server goes away in the middle of a query --------------------------------


def test_emulator_killed_mid_query_raises_unavailable_and_nothing_hangs(tmp_path: Any) -> None:
    emulator = start_emulator(tmp_path / "doomed.log")
    try:
        warehouse = emulator.warehouse(retry_deadline_s=3, request_timeout_s=5, timeout_s=30)
        assert warehouse.list_tables("anything") == []  # it answers
        # FARM_FINGERPRINT runs in Python on the emulator: this takes seconds.
        slow = ("SELECT COUNT(*) FROM UNNEST(GENERATE_ARRAY(1, 200000)) AS x "
                "WHERE MOD(FARM_FINGERPRINT(CAST(x AS STRING)), 7) = 0")
        outcome: list[BaseException | None] = []

        def run() -> None:
            try:
                warehouse.query(slow)
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        started = time.monotonic()
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive(), "the query finished before the emulator could be stopped"
        emulator.stop(signal.SIGKILL)
        thread.join(30)
        assert not thread.is_alive(), "the query hung after the server went away"
        elapsed = time.monotonic() - started
        assert isinstance(outcome[0], UnavailableError), outcome
        assert elapsed < 1.0 + 5 + 3 + 5  # kill + one request timeout + retry deadline + slack
        later = time.monotonic()
        with pytest.raises(UnavailableError):
            warehouse.list_tables(DATASET)
        assert time.monotonic() - later < 3 + 5
    finally:
        emulator.stop(signal.SIGKILL)

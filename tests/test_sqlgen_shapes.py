"""BigQuery's own shapes on DuckDB: shard families, nested paths, UNNEST, key/value params,
row filters, epoch units, qualified tables and partition pruning.

Every query is the generated BigQuery SQL run by the embedded warehouse (the
sqlglot transpile plus the wildcard expansion), compared with the plain-Python
reference of tests/sqlref.py over the GA4-like rows of tests/ga4ref.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import ga4ref
import sqlref
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.shards import suffix_bounds
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from ga4ref import ANCHOR, CASES, FIXED, ITEM_COLUMNS, PURCHASES, ROLLING, SESSION, WILDCARD, bag


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return ga4ref.ga4_rows()


@pytest.fixture(scope="module")
def warehouse(rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBWarehouse]:
    folder = tmp_path_factory.mktemp("ga4")
    wh = DuckDBWarehouse(folder / "ga4.duckdb")
    with wh.writable() as con:
        ga4ref.load_duckdb(con, rows, folder)
        # The plain union of the shards, to compare the wildcard table with.
        union = " UNION ALL ".join(f'SELECT * FROM raw_data."{t}"' for t in sorted(ga4ref.shards(rows)))
        con.execute(f"CREATE TABLE raw_data.all_events AS {union}")
    yield wh
    wh.close()


def reference(definition: Any, rows: list[dict[str, Any]], split: str = "full") -> list[tuple[Any, ...]]:
    return bag(sqlref.expected_rows(definition, {WILDCARD: rows}, ANCHOR, split))


def run(warehouse: DuckDBWarehouse, definition: Any, split: str = "full") -> list[tuple[Any, ...]]:
    result = warehouse.query(generate_sql(definition, split, SqlContext(as_of=ANCHOR)))
    return bag(result.rows)


@pytest.mark.parametrize("date_range", [None, FIXED, ROLLING], ids=["no range", "fixed", "rolling"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_shape_gives_the_reference_rows(
    warehouse: DuckDBWarehouse, rows: list[dict[str, Any]], case: str, date_range: Any
) -> None:
    definition = ga4ref.definition(date_range=date_range, **CASES[case])
    expected = reference(definition, rows)
    assert run(warehouse, definition) == expected
    assert expected  # the fixture holds rows for every case


@pytest.mark.parametrize(
    "split", [{"type": "time", "eval_days": 2}, {"type": "random", "train_percent": 60}], ids=["time", "random"]
)
def test_splits_of_the_ga4_purchases_match_the_reference(
    warehouse: DuckDBWarehouse, rows: list[dict[str, Any]], split: Any
) -> None:
    definition = ga4ref.definition(columns=[*ITEM_COLUMNS, SESSION], date_range=FIXED, split=split)
    for part in ("train", "eval"):
        assert run(warehouse, definition, part) == reference(definition, rows, part)


def test_unnest_gives_one_row_per_item_and_drops_events_without_items(
    warehouse: DuckDBWarehouse, rows: list[dict[str, Any]]
) -> None:
    definition = ga4ref.definition(columns=ITEM_COLUMNS, where=PURCHASES, date_range=FIXED)
    got = run(warehouse, definition)
    window = [r for r in rows if r["event_name"] == "purchase" and r["event_timestamp"] is not None]
    start, end = dt.date(2025, 6, 26), dt.date(2025, 6, 29)
    in_window = [
        r for r in window if start <= (sqlref.EPOCH + dt.timedelta(microseconds=r["event_timestamp"])).date() <= end
    ]
    assert len(got) == sum(len(r["items"]) for r in in_window)
    assert any(not r["items"] for r in in_window)  # events without items exist, and give no row


def test_param_value_is_null_when_the_key_is_missing(warehouse: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    definition = ga4ref.definition(columns=[SESSION], date_range=FIXED)
    got = run(warehouse, definition)
    assert any(r[2] is None for r in got) and any(isinstance(r[2], int) for r in got)


# -- the shard family as a table --------------------------------------------


@pytest.mark.parametrize("date_range", [FIXED, ROLLING], ids=["fixed", "rolling"])
def test_events_star_returns_the_rows_of_the_plain_union(warehouse: DuckDBWarehouse, date_range: Any) -> None:
    wildcard = ga4ref.definition(columns=[*ITEM_COLUMNS, SESSION], where=PURCHASES, date_range=date_range)
    plain = parse_definition(
        {
            **wildcard.to_dict(),
            "source": {"dataset": "raw_data", "primary": "all_events"},
            "columns": [{**c, "table": "all_events"} for c in wildcard.to_dict()["columns"]],
            "filters": {
                **wildcard.to_dict()["filters"],
                "where": [{**w, "table": "all_events"} for w in wildcard.to_dict()["filters"]["where"]],
            },
        }
    )
    got = run(warehouse, wildcard)
    assert got and got == run(warehouse, plain)


def _base_where(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="bigquery")
    base = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "base")
    where = base.this.args.get("where")
    assert where is not None
    return where.this


def _suffix_terms(sql: str) -> list[exp.Expression]:
    return [
        node
        for node in _base_where(sql).find_all(exp.Between, exp.LTE)
        if isinstance(node.this, exp.Column) and node.this.name.upper() == "_TABLE_SUFFIX"
    ]


def test_bigquery_sql_bounds_table_suffix_by_the_date_window() -> None:
    fixed = generate_sql(ga4ref.definition(date_range=FIXED))
    (between,) = _suffix_terms(fixed)
    assert isinstance(between, exp.Between)
    low, high = suffix_bounds(dt.date(2025, 6, 26), dt.date(2025, 6, 29))
    assert (between.args["low"].this, between.args["high"].this) == (low, high) == ("20250625", "20250630")
    # A rolling window as of a day: literal bounds of that day's window.
    (rolling,) = _suffix_terms(generate_sql(ga4ref.definition(date_range=ROLLING), context=SqlContext(as_of=ANCHOR)))
    assert (rolling.args["low"].this, rolling.args["high"].this) == ("20250529", "20250701")
    # Live: the bounds move with CURRENT_DATE().
    (live,) = _suffix_terms(generate_sql(ga4ref.definition(date_range=ROLLING)))
    assert "CURRENT_DATE" in live.sql("bigquery").upper() and live.find(exp.Literal) is not None
    # No range: only the upper bound, the day after the anchor.
    (upper,) = _suffix_terms(generate_sql(ga4ref.definition(), context=SqlContext(as_of=ANCHOR)))
    assert isinstance(upper, exp.LTE) and upper.expression.this == "20250701"


def test_no_range_leaves_out_shards_after_the_anchor_even_without_a_timestamp(
    warehouse: DuckDBWarehouse, rows: list[dict[str, Any]]
) -> None:
    definition = ga4ref.definition()
    got = run(warehouse, definition)
    assert got == reference(definition, rows)
    # The last shard is two days after the anchor and holds an event without a timestamp:
    # past the upper bound (the anchor's next day), so it is not read.
    late = [r for r in rows if r["_TABLE_SUFFIX"] == "20250702"]
    assert any(r["event_timestamp"] is None for r in late)
    kept = [r for r in rows if r["event_timestamp"] is None and r["_TABLE_SUFFIX"] <= "20250701"]
    assert sum(1 for r in got if r[1] is None) == len(kept) > 0


def test_wildcard_schema_stats_and_samples(warehouse: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    newest = max(ga4ref.shards(rows))
    schema = warehouse.schema("raw_data", WILDCARD)
    assert schema.table == WILDCARD
    assert schema.types() == warehouse.schema("raw_data", newest).types()
    assert warehouse.table_info("raw_data", WILDCARD).rows == len(rows)
    stats = warehouse.column_stats("raw_data", WILDCARD, ["event_name", "ecommerce.purchase_revenue"])
    assert stats.row_count == len(rows)
    revenue = [r["ecommerce"]["purchase_revenue"] for r in rows]
    by_name = {c.name: c for c in stats.columns}
    assert by_name["ecommerce.purchase_revenue"].null_count == revenue.count(None)
    assert by_name["event_name"].distinct_count == len({r["event_name"] for r in rows})
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["event_name"]] = counts.get(r["event_name"], 0) + 1
    top = sorted(counts, key=lambda k: (-counts[k], k))
    assert warehouse.sample_values("raw_data", WILDCARD, "event_name", 3) == top[:3]


# -- qualified tables ---------------------------------------------------------


def test_a_table_of_another_dataset_joins(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "two.duckdb")
    tables = {
        "raw_data.orders": [
            {"order_id": "o1", "customer_id": "c1", "ts": dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC), "amount": 3.5},
            {"order_id": "o2", "customer_id": "c2", "ts": dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC), "amount": 1.0},
            {"order_id": "o3", "customer_id": "c9", "ts": dt.datetime(2025, 6, 3, 10, tzinfo=dt.UTC), "amount": 2.0},
        ],
        "crm.customers": [{"customer_id": "c1", "segment": "a"}, {"customer_id": "c2", "segment": "b"}],
    }
    with wh.writable() as con:
        con.execute("CREATE SCHEMA raw_data; CREATE SCHEMA crm")
        con.execute(
            "CREATE TABLE raw_data.orders (order_id VARCHAR, customer_id VARCHAR, ts TIMESTAMPTZ, amount DOUBLE)"
        )
        con.execute("CREATE TABLE crm.customers (customer_id VARCHAR, segment VARCHAR)")
        for name, table_rows in tables.items():
            for r in table_rows:
                con.execute(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in r)})", list(r.values()))
    definition = parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "crm",
            "source": {
                "primary": "orders",
                "joins": [
                    {
                        "table": "crm.customers",
                        "on": [{"left": "orders.customer_id", "right": "crm.customers.customer_id"}],
                    }
                ],
            },
            "columns": [
                {"table": "orders", "name": "customer_id", "role": "user_id"},
                {"table": "orders", "name": "ts", "role": "timestamp"},
                {"table": "crm.customers", "name": "segment"},
            ],
        }
    )
    sql = generate_sql(definition, context=SqlContext(as_of=ANCHOR))
    assert "LEFT JOIN `crm.customers` AS `customers`" in sql
    expected = sqlref.expected_rows(
        definition, {"orders": tables["raw_data.orders"], "crm.customers": tables["crm.customers"]}, ANCHOR
    )
    assert bag(wh.query(sql).rows) == bag(expected)
    wh.close()


def test_another_project_is_written_in_the_path() -> None:
    definition = parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "x",
            "source": {
                "primary": "other-project.sales.orders",
                "joins": [
                    {"table": "customers", "on": [{"left": "other-project.sales.orders.cid", "right": "customers.cid"}]}
                ],
            },
            "columns": [{"table": "other-project.sales.orders", "name": "cid", "role": "user_id"}],
        }
    )
    sql = generate_sql(definition, context=SqlContext(project="my-project"))
    tree = sqlglot.parse_one(sql, read="bigquery")
    paths = {(t.catalog, t.db, t.name) for t in tree.find_all(exp.Table) if t.db}
    assert paths == {("other-project", "sales", "orders"), ("my-project", "raw_data", "customers")}


def test_tfx_variant_casts_the_new_shapes_by_their_output_types(
    warehouse: DuckDBWarehouse, rows: list[dict[str, Any]]
) -> None:
    definition = ga4ref.definition(columns=[*ITEM_COLUMNS, SESSION], where=PURCHASES, date_range=FIXED)
    sql = generate_sql(definition, context=SqlContext(as_of=ANCHOR), tfx=True)
    assert "UNIX_SECONDS(`timestamp`)" in sql  # the micros epoch is a TIMESTAMP in the output
    result = warehouse.query(sql)
    expected = reference(definition, rows)
    seconds = [(r[0], int(r[1].timestamp()), *r[2:]) for r in expected]
    assert bag(result.rows) == bag(seconds)


def test_schema_checks_know_the_shapes(warehouse: DuckDBWarehouse) -> None:
    from dataset_tui.domain.validation import check_against_schema

    schemas = {WILDCARD: warehouse.schema("raw_data", WILDCARD).types()}
    good = ga4ref.definition(columns=[*ITEM_COLUMNS, SESSION, ga4ref.NESTED], where=PURCHASES)
    assert check_against_schema(good, schemas) == []
    bad = ga4ref.definition(
        columns=[
            {"table": WILDCARD, "name": "items.sku", "unnest": "items"},
            {"table": WILDCARD, "name": "event_name", "param": {"key": "k", "value": "int_value"}},
            {"table": WILDCARD, "name": "user_pseudo_id", "unit": "seconds", "alias": "when"},
        ],
        where=[{"table": WILDCARD, "column": "no_such", "in": ["x"]}],
    )
    messages = [str(p) for p in check_against_schema(bad, schemas)]
    assert any("no field 'sku'" in m for m in messages)
    assert any("not an ARRAY of key/value" in m for m in messages)
    assert any("epoch unit applies to INT64" in m for m in messages)
    assert any(m.startswith("filters.where[0].column") for m in messages)


def test_bigquery_unnest_named_like_its_array_runs_on_duckdb() -> None:
    """`CROSS JOIN UNNEST(t.items) AS items`, as GA4 queries are usually written: `items` is the element."""
    import duckdb_exec

    con = duckdb_exec.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS id, "
        "[{'item_id': 'a', 'price': 2.0}, {'item_id': 'b', 'price': 3.0}] AS items")
    sql = "SELECT t.id, items.item_id, items.price FROM t CROSS JOIN UNNEST(t.items) AS items ORDER BY 2"
    assert duckdb_exec.run(con, sql)[1] == [(1, "a", 2.0), (1, "b", 3.0)]

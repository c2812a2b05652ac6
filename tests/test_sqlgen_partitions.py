"""Partition pruning in the SQL (AST checks) and the file rules of the new shapes.

BigQuery prunes a partitioned table only by a predicate on the partitioning
column itself; these tests parse the generated SQL with sqlglot's BigQuery
dialect and look for such a predicate in the `base` CTE, then check on DuckDB
that the rows are still exactly the reference's (the predicate changes cost,
never rows).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import duckdb_exec
import sqlref
from dataset_tui.domain.definition import DefinitionError, json_schema, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from sqlref import FIXED_DAY, con, make, tables  # noqa: F401  (pytest fixtures)


def _partitioned(definition: Any, column: str = "ts", **changes: Any) -> Any:
    data = definition.to_dict()
    for c in data["columns"]:
        if c["name"] == column:
            c.update({"partitioning": True, **changes})
    return parse_definition(data)


def _base_where(sql: str) -> exp.Expression | None:
    tree = sqlglot.parse_one(sql, read="bigquery")
    base = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "base")
    where = base.this.args.get("where")
    return None if where is None else where.this


def _direct_predicates(sql: str, column: str) -> list[exp.Expression]:
    """Comparisons in the base WHERE whose left side is the bare column (no function around it)."""
    where = _base_where(sql)
    if where is None:
        return []
    kinds = (exp.GTE, exp.LT, exp.LTE, exp.Between, exp.Is)
    return [node for node in where.find_all(*kinds) if isinstance(node.this, exp.Column) and node.this.name == column]


RANGES = {
    "fixed": {"type": "fixed", "start": "2024-05-01", "end": "2024-05-20"},
    "rolling": {"type": "rolling", "months": 1},
    "none": None,
}


@pytest.mark.parametrize("name", list(RANGES))
def test_the_date_window_is_a_direct_predicate_on_a_timestamp_partition_column(name: str) -> None:
    definition = _partitioned(make(date_range=RANGES[name]))
    sql = generate_sql(definition, context=SqlContext(as_of=FIXED_DAY))
    found = _direct_predicates(sql, "ts")
    kinds = {type(n) for n in found}
    if name == "none":
        assert kinds == {exp.LT, exp.Is}  # up to the anchor, or no timestamp
    else:
        assert kinds == {exp.GTE, exp.LT}
    # Without the partitioning mark there is no predicate in the base.
    assert _direct_predicates(generate_sql(make(date_range=RANGES[name])), "ts") == []


def test_fixed_window_bounds_on_a_date_partition_column() -> None:
    definition = _partitioned(make(date_range=RANGES["fixed"]), type="DATE")
    (between,) = [n for n in _direct_predicates(generate_sql(definition), "ts") if isinstance(n, exp.Between)]
    assert between.args["low"].sql("bigquery") == "CAST('2024-05-01' AS DATE)"
    assert between.args["high"].sql("bigquery") == "CAST('2024-05-20' AS DATE)"


def test_ingestion_time_partitioning_prunes_by_partitiondate() -> None:
    definition = parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "ingested",
            "source": {"primary": "logs"},
            "columns": [
                {"table": "logs", "name": "user", "role": "user_id"},
                {"table": "logs", "name": "_PARTITIONDATE", "role": "timestamp", "alias": "day"},
            ],
            "filters": {"date_range": RANGES["fixed"]},
        }
    )
    (between,) = _direct_predicates(generate_sql(definition), "_PARTITIONDATE")
    assert isinstance(between, exp.Between)
    # A partitioning column that is not the timestamp role gets no predicate: it says nothing of the window.
    other = _partitioned(make(date_range=RANGES["fixed"]), column="customer_id")
    assert _direct_predicates(generate_sql(other), "customer_id") == []


@pytest.mark.parametrize("name", list(RANGES))
@pytest.mark.parametrize("split", [None, {"type": "time", "eval_days": 5}])
def test_pruning_keeps_the_reference_rows(con: Any, tables: Any, name: str, split: Any) -> None:
    definition = _partitioned(make(date_range=RANGES[name], split=split, joins=1, top=70, min_tx=2))
    for part in ("full", "train", "eval") if split else ("full",):
        _, got = duckdb_exec.run(con, generate_sql(definition, part, SqlContext(as_of=FIXED_DAY)))
        expected = sqlref.expected_rows(definition, tables, FIXED_DAY, part)
        assert sorted(got, key=repr) == sorted(expected, key=repr)


# -- file rules ---------------------------------------------------------------


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return [str(p) for p in caught.value.problems]


def _ga4(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": "dataset-tui/1",
        "name": "ga4",
        "source": {"primary": "events_*"},
        "columns": [{"table": "events_*", "name": "user_pseudo_id", "role": "user_id"}],
    }
    data.update(changes)
    return data


def test_shape_rules_are_errors_with_paths() -> None:
    col = {"table": "events_*", "name": "items.item_id", "unnest": "items"}
    other = {"table": "events_*", "name": "promos.id", "unnest": "promos"}
    assert any(
        p.startswith("columns[2].unnest: only one array")
        for p in _problems(_ga4(columns=[*_ga4()["columns"], col, other]))
    )
    bad_name = {"table": "events_*", "name": "item_id", "unnest": "items"}
    assert any(
        p.startswith("columns[1].name: the name must be a field")
        for p in _problems(_ga4(columns=[*_ga4()["columns"], bad_name]))
    )
    bad_key = {"table": "events_*", "name": "event_params", "param": {"key": "x'; DROP", "value": "int_value"}}
    assert any(p.startswith("columns[1].param.key") for p in _problems(_ga4(columns=[*_ga4()["columns"], bad_key])))
    bad_unit = {"table": "events_*", "name": "ts", "unit": "nanos"}
    assert any(p.startswith("columns[1].unit") for p in _problems(_ga4(columns=[*_ga4()["columns"], bad_unit])))
    typed = {"table": "events_*", "name": "ts", "unit": "micros", "type": "STRING"}
    assert any("applies to INT64" in p for p in _problems(_ga4(columns=[*_ga4()["columns"], typed])))
    for values, message in (
        (["a", 1], "all strings or all numbers"),
        (["new\nline"], "no control characters"),
        ([True], "in[0]"),
        ([], "in"),
    ):
        where = [{"table": "events_*", "column": "event_name", "in": values}]
        assert any(message in p for p in _problems(_ga4(filters={"where": where}))), values
    unknown = [{"table": "events_*", "column": "event_name", "in": ["a"], "sql": "1=1"}]
    assert any("unknown key" in p for p in _problems(_ga4(filters={"where": unknown})))
    elsewhere = [{"table": "users", "column": "event_name", "in": ["a"]}]
    assert any(p.startswith("filters.where[0].table") for p in _problems(_ga4(filters={"where": elsewhere})))
    same_alias = {
        "primary": "sales.orders",
        "joins": [{"table": "orders", "on": [{"left": "sales.orders.id", "right": "orders.id"}]}],
    }
    assert any(
        "would both be called" in p
        for p in _problems(_ga4(source=same_alias, columns=[{"table": "orders", "name": "id"}]))
    )
    for bad in ("Other_Project.sales.orders", "a.b.c.d", "events_**", "ev*ents"):
        assert any(p.startswith("source.primary") for p in _problems(_ga4(source={"primary": bad}))), bad


def test_new_keys_round_trip_and_reach_the_json_schema() -> None:
    data = _ga4(
        columns=[
            {"table": "events_*", "name": "user_pseudo_id", "role": "user_id"},
            {"table": "events_*", "name": "event_timestamp", "role": "timestamp", "unit": "micros", "type": "INT64"},
            {"table": "events_*", "name": "items.item_id", "unnest": "items", "role": "product_id"},
            {"table": "events_*", "name": "event_params", "param": {"key": "ga_session_id", "value": "int_value"}},
            {"table": "events_*", "name": "event_date", "partitioning": True},
        ],
        filters={"where": [{"table": "events_*", "column": "event_name", "in": ["purchase"]}]},
    )
    definition = parse_definition(data)
    written = json.loads(definition.to_json())
    assert (written["columns"], written["filters"]) == (data["columns"], data["filters"])
    assert parse_definition(written) == definition
    assert definition.columns[3].output_name == "ga_session_id"
    text = json.dumps(json_schema())
    for key in ('"unnest"', '"param"', '"unit"', '"partitioning"', '"where"', '"in"'):
        assert key in text

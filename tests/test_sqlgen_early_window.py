"""The date range is the base's own WHERE, so an engine filters the primary rows before joining.

DuckDB did not move the date step's filter (a CTE after the base) below a
LEFT JOIN: it joined every row of a 30M-row table, then filtered. These tests
parse the generated BigQuery SQL (sqlglot) for where the range is written, and
read DuckDB's plan for where it is applied. That the rows are unchanged is
what the semantic suites check (joins that duplicate and drop rows, NULL
timestamps, the anchor day) against the Python reference; here one case of
each range with a duplicating and a dropping join is compared again.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import duckdb_exec
import sqlref
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.warehouse.transpile import to_duckdb
from sqlref import FIXED_DAY, con, make, tables  # noqa: F401  (pytest fixtures)

RANGES = {
    "fixed": {"type": "fixed", "start": sqlref.FIXED_RANGE[0].isoformat(), "end": sqlref.FIXED_RANGE[1].isoformat()},
    "rolling": {"type": "rolling", "months": 3},
}


def _ctes(sql: str) -> dict[str, exp.Expression]:
    tree = sqlglot.parse_one(sql, read="bigquery")
    return {cte.alias: cte.this for cte in tree.find_all(exp.CTE)}


def _date_between_on_stored_column(base: exp.Expression) -> list[exp.Between]:
    """BETWEENs in the base's WHERE over DATE(`transactions`.`ts`)."""
    where = base.args.get("where")
    if where is None:
        return []
    found = []
    for node in where.find_all(exp.Between):
        inner = node.this
        column = inner.this if isinstance(inner, (exp.Date, exp.Cast, exp.TsOrDsToDate)) else None
        if isinstance(column, exp.Column) and column.name == "ts" and column.table == "transactions":
            found.append(node)
    return found


@pytest.mark.parametrize("joins", [0, 1, 2])
@pytest.mark.parametrize("name", list(RANGES))
def test_a_range_is_written_in_the_base_and_not_repeated(name: str, joins: int) -> None:
    definition = make(date_range=RANGES[name], top=80, min_tx=2, joins=joins)
    for sql in (
        generate_sql(definition, context=SqlContext(as_of=FIXED_DAY)),
        generate_sql(definition),  # CURRENT_DATE()
        analysis_sql(definition, SqlContext(as_of=FIXED_DAY)),
    ):
        ctes = _ctes(sql)
        assert len(_date_between_on_stored_column(ctes["base"])) == 1
        assert "in_range" not in ctes


def test_no_range_keeps_the_date_step_after_the_base() -> None:
    """`d <= anchor OR timestamp IS NULL` keeps nearly every row: it stays a step of its own."""
    ctes = _ctes(generate_sql(make(joins=1), context=SqlContext(as_of=FIXED_DAY)))
    assert "in_range" in ctes and _date_between_on_stored_column(ctes["base"]) == []


def test_a_partitioned_timestamp_keeps_its_pruning_predicate_and_the_date_step() -> None:
    data = make(date_range=RANGES["fixed"], joins=1).to_dict()
    for column in data["columns"]:
        if column["name"] == "ts":
            column["partitioning"] = True
    ctes = _ctes(generate_sql(parse_definition(data)))
    assert "in_range" in ctes and _date_between_on_stored_column(ctes["base"]) == []


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
        return
    yield node
    yield from _walk(node.get("children", []))


@pytest.mark.parametrize("joins", [1, 2])
def test_duckdb_filters_the_primary_table_below_the_join(con: Any, joins: int) -> None:
    definition = make(date_range=RANGES["fixed"], top=80, min_tx=2, joins=joins)
    sql = to_duckdb(analysis_sql(definition, SqlContext(as_of=FIXED_DAY)))
    (_kind, plan), *_ = con.execute("EXPLAIN (FORMAT JSON) " + sql).fetchall()
    nodes = list(_walk(json.loads(plan)))
    joins_found = [n for n in nodes if n.get("name") == "HASH_JOIN" and "SEMI" not in str(n.get("extra_info"))]
    assert joins_found
    below = [m for n in joins_found for m in _walk(n.get("children", []))]
    scans = [
        m
        for m in below
        if m.get("name") == "SEQ_SCAN" and str(m["extra_info"].get("Table", "")).endswith("transactions")
    ]
    assert scans, "the transactions scan is under a join"
    filtered = [
        m
        for m in below
        if (m.get("name") == "FILTER" and "ts" in str(m["extra_info"].get("Expression", "")))
        or (m in scans and "ts" in str(m["extra_info"].get("Filters", "")))
    ]
    assert filtered, "the date range is applied to the transactions rows before the join"


@pytest.mark.parametrize("joins", [1, 2])
@pytest.mark.parametrize("name", list(RANGES))
def test_rows_and_counts_are_the_reference(con: Any, tables: Any, name: str, joins: int) -> None:
    definition: Definition = make(
        date_range=RANGES[name], top=80, min_tx=2, joins=joins, split={"type": "random", "train_percent": 70}
    )
    context = SqlContext(as_of=FIXED_DAY)
    for split in ("full", "train", "eval"):
        _, rows = duckdb_exec.run(con, generate_sql(definition, split, context))
        assert Counter(rows) == Counter(sqlref.expected_rows(definition, tables, FIXED_DAY, split))
    names, got = duckdb_exec.run(con, analysis_sql(definition, context))
    total = dict(zip(names, got[0], strict=True))
    expected = sqlref.expected_analysis(definition, tables, FIXED_DAY)
    assert expected["rows"] > 0
    for key in ("rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "null_key_rows"):
        assert total[key] == expected[key], key
    assert {day: n for kind, day, n, *_ in got if kind == "day"} == expected["days"]

"""Columns with any legal BigQuery name (`order date`, `prix €`, `Größe`) in a definition.

The names go into SQL backtick-quoted everywhere (the base's SELECT, the join
`on` pair, a row filter); their output names are plain identifiers
(`order_date`, `prix`, `Grosse`) unless an alias says otherwise. The SQL runs
on DuckDB and on the BigQuery emulator and must give exactly the rows of the
Python reference (tests/sqlref.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any, Literal

import pytest

import duckdb_exec
import sqlref
from dataset_tui.domain.definition import Definition, DefinitionError, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.domain.table_refs import plain_name

TODAY = dt.date(2024, 6, 30)
UTC = dt.UTC

TYPES: dict[str, dict[str, str]] = {
    "bestellungen": {
        "kunde id": "STRING",
        "artikel-nr": "STRING",
        "order date": "TIMESTAMP",
        "prix €": "NUMERIC",
        "Größe": "STRING",
    },
    "kunden": {"kunde id": "STRING", "Straße & Nr": "STRING"},
}
DUCK_TYPES = {"STRING": "VARCHAR", "TIMESTAMP": "TIMESTAMPTZ", "NUMERIC": "DECIMAL(12, 2)"}


def rows() -> dict[str, list[dict[str, Any]]]:
    sizes = ["S", "M", "L", None]
    orders = []
    for i in range(60):
        day = TODAY - dt.timedelta(days=(i * 7) % 200)
        orders.append(
            {
                "kunde id": f"k{i % 9}" if i % 13 else None,
                "artikel-nr": f"a{i % 5}",
                "order date": dt.datetime(day.year, day.month, day.day, i % 24, tzinfo=UTC),
                "prix €": Decimal(f"{(i * 37) % 500}.{i % 100:02d}"),
                "Größe": sizes[i % 4],
            }
        )
    customers = [{"kunde id": f"k{i}", "Straße & Nr": f"Weg {i}"} for i in range(0, 9, 2)]
    return {"bestellungen": orders, "kunden": customers}


def definition(**filters: Any) -> Definition:
    return parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "flex",
            "source": {
                "dataset": "raw_data",
                "primary": "bestellungen",
                "joins": [
                    {
                        "table": "kunden",
                        "type": "left",
                        "on": [{"left": "bestellungen.kunde id", "right": "kunden.kunde id"}],
                    }
                ],
            },
            "columns": [
                {"table": "bestellungen", "name": "kunde id", "role": "user_id", "type": "STRING"},
                {"table": "bestellungen", "name": "artikel-nr", "role": "product_id", "type": "STRING"},
                {"table": "bestellungen", "name": "order date", "role": "timestamp", "type": "TIMESTAMP"},
                {"table": "bestellungen", "name": "prix €", "role": "revenue", "type": "NUMERIC"},
                {"table": "bestellungen", "name": "Größe", "type": "STRING"},
                {"table": "kunden", "name": "Straße & Nr", "type": "STRING"},
                {"table": "bestellungen", "name": "order date", "alias": "bestellt_am", "type": "TIMESTAMP"},
            ],
            "filters": {
                "date_range": {"type": "fixed", "start": "2024-02-01", "end": "2024-06-30"},
                "where": [{"table": "bestellungen", "column": "Größe", "in": ["M", "L"]}],
                **filters,
            },
            "split": {"type": "random", "train_percent": 70},
        }
    )


CASES = {"plain": {}, "top products": {"top_products_percent": 60}, "min transactions": {"min_transactions": 2}}


def test_output_names_of_flexible_columns_are_plain() -> None:
    d = definition()
    assert d.output_names == ["user_id", "product_id", "timestamp", "revenue", "Grosse", "Strasse_Nr", "bestellt_am"]
    assert plain_name("order date") == "order_date"
    assert plain_name("prix €") == "prix"
    assert plain_name("2024 umsatz") == "_2024_umsatz"
    assert plain_name("€€") == "column"
    sql = generate_sql(d, context=SqlContext(as_of=TODAY))
    for quoted in ("`kunde id`", "`order date`", "`prix €`", "`Größe`", "`Straße & Nr`"):
        assert quoted in sql


@pytest.mark.parametrize(
    "name",
    ["a`b", "a\\b", "a\nb", "a\tb", "a\x00b", "a;b", "a\"b", "a(b)", "", "x" * 301],
    ids=["backtick", "backslash", "newline", "tab", "nul", "semicolon", "quote", "parens", "empty", "too long"],
)
def test_names_that_could_leave_the_backticks_are_refused(name: str) -> None:
    data = definition().to_dict()
    data["columns"][4]["name"] = name
    with pytest.raises(DefinitionError) as err:
        parse_definition(data)
    assert any(p.path == "columns[4].name" for p in err.value.problems)
    data = definition().to_dict()
    data["source"]["joins"][0]["on"][0]["left"] = f"bestellungen.{name}"
    with pytest.raises(DefinitionError):
        parse_definition(data)
    data = definition().to_dict()
    data["filters"]["where"][0]["column"] = name
    with pytest.raises(DefinitionError):
        parse_definition(data)


def test_two_names_with_one_plain_form_need_an_alias() -> None:
    data = definition().to_dict()
    data["columns"].append({"table": "bestellungen", "name": "prix €", "type": "NUMERIC"})
    data["columns"].append({"table": "bestellungen", "name": "prix", "type": "NUMERIC"})
    with pytest.raises(DefinitionError, match=r"output name 'prix' is already used .* give one of them an alias"):
        parse_definition(data)


def _duck(con: Any, tables: dict[str, list[dict[str, Any]]]) -> None:
    con.execute('CREATE SCHEMA IF NOT EXISTS "raw_data"')
    for table, data in tables.items():
        cols = ", ".join(f'"{n}" {DUCK_TYPES[t]}' for n, t in TYPES[table].items())
        con.execute(f'CREATE OR REPLACE TABLE "raw_data"."{table}" ({cols})')
        names = list(TYPES[table])
        marks = ", ".join("?" for _ in names)
        con.executemany(f'INSERT INTO "raw_data"."{table}" VALUES ({marks})', [[r[n] for n in names] for r in data])


@pytest.mark.parametrize("split", ["full", "train", "eval"])
@pytest.mark.parametrize("case", list(CASES))
def test_flexible_names_give_the_reference_rows_on_duckdb(case: str, split: Literal["full", "train", "eval"]) -> None:
    tables = rows()
    con = duckdb_exec.connect()
    try:
        _duck(con, tables)
        d = definition(**CASES[case])
        got = duckdb_exec.run(con, generate_sql(d, split, as_of=TODAY))[1]
    finally:
        con.close()
    want = sqlref.expected_rows(d, tables, TODAY, split)
    assert want and Counter(got) == Counter(want)


@pytest.fixture(scope="module")
def loaded(bq_emulator: Any) -> dict[str, list[dict[str, Any]]]:
    from emulator import load_into_bigquery

    tables = rows()
    load_into_bigquery(bq_emulator.client(), tables, TYPES)  # once: inserting again would double the rows
    return tables


@pytest.mark.emulator
@pytest.mark.parametrize("case", list(CASES))
def test_flexible_names_give_the_reference_rows_on_the_emulator(
    bq_emulator: Any, loaded: dict[str, list[dict[str, Any]]], case: str
) -> None:
    from ga4ref import bag

    tables = loaded
    warehouse = bq_emulator.warehouse()
    try:
        d = definition(**CASES[case])
        got = warehouse.query(generate_sql(d, context=SqlContext(as_of=TODAY)))
    finally:
        warehouse.close()
    want = sqlref.expected_rows(d, tables, TODAY)
    assert want and bag(got.rows) == bag(want)

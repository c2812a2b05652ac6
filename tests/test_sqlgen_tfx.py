"""The TFX variant: only INT64/FLOAT64/BOOL/STRING out, the same rows as the plain query."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import duckdb_exec
import sqlref
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import SqlContext, SqlGenError, generate_sql
from dataset_tui.domain.tfx import tfx_input_config, tfx_snippet
from sqlref import con, make, tables  # noqa: F401 (pytest fixtures)

FIXED = sqlref.FIXED_DAY
EPOCH = dt.date(1970, 1, 1)
TFX_DUCKDB_TYPES = {"BIGINT", "DOUBLE", "BOOLEAN", "VARCHAR"}


def typed_definition(split: dict[str, Any] | None = None) -> Any:
    """Every kind of column the TFX casts handle, from three joined tables."""
    return make(
        date_range={"type": "rolling", "months": 12},
        top=90,
        split=split,
        joins=1,
        extra_columns=[
            {"table": "transactions", "name": "quantity", "type": "INTEGER"},  # legacy name of INT64
            {"table": "transactions", "name": "gift", "type": "BOOL"},
            {"table": "products", "name": "price", "type": "NUMERIC(10, 2)"},
            {"table": "products", "name": "weight", "type": "FLOAT64"},
            {"table": "customers", "name": "signup_date", "type": "DATE"},
            {"table": "customers", "name": "signup_at", "type": "DATETIME"},
        ],
        extra_joins=[
            {
                "table": "customers",
                "type": "left",
                "on": [{"left": "transactions.customer_id", "right": "customers.customer_id"}],
            }
        ],
    )


def as_tfx(value: Any) -> Any:
    """What the TFX casts make of a plain value, computed in Python."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return int(aware.timestamp())
    if isinstance(value, dt.date):
        return (value - EPOCH).days
    if isinstance(value, Decimal):
        return float(value)
    return value


@pytest.mark.parametrize("split", ["full", "train", "eval"])
def test_tfx_columns_are_scalars_with_the_same_rows(con: Any, tables: sqlref.Tables, split: str) -> None:
    definition = typed_definition({"type": "random", "train_percent": 70})
    plain = duckdb_exec.run(con, generate_sql(definition, split, as_of=FIXED))[1]
    tfx_sql = generate_sql(definition, split, as_of=FIXED, tfx=True)
    types_ = duckdb_exec.column_types(con, tfx_sql)
    assert list(types_) == definition.output_names
    assert set(types_.values()) <= TFX_DUCKDB_TYPES, types_
    tfx_rows = duckdb_exec.run(con, tfx_sql)[1]
    assert tfx_rows, "the fixture gives rows"
    assert Counter(tfx_rows) == Counter(tuple(as_tfx(v) for v in row) for row in plain)
    # And the plain rows are the reference's, so the TFX rows are too.
    assert Counter(plain) == Counter(sqlref.expected_rows(definition, tables, FIXED, split))


def test_casts_are_in_the_final_select_only() -> None:
    definition = typed_definition({"type": "time", "eval_days": 30})
    sql = generate_sql(definition, "eval", as_of=FIXED, tfx=True)
    tree = sqlglot.parse_one(sql, read="bigquery")
    casts = [
        node for node in tree.find_all(exp.UnixSeconds, exp.UnixDate, exp.Cast) if node.find_ancestor(exp.CTE) is None
    ]
    inner = [node for node in tree.find_all(exp.UnixSeconds, exp.UnixDate) if node.find_ancestor(exp.CTE)]
    assert casts and not inner
    final = sql.split("\nSELECT ", 1)[1]
    assert "UNIX_SECONDS(`timestamp`) AS `timestamp`" in final
    assert "UNIX_SECONDS(TIMESTAMP(`signup_at`)) AS `signup_at`" in final
    assert "UNIX_DATE(`signup_date`) AS `signup_date`" in final
    assert "CAST(`price` AS FLOAT64) AS `price`" in final
    assert "CAST(`revenue` AS FLOAT64) AS `revenue`" in final
    # The split still compares the raw timestamp.
    assert "WHERE DATE(`timestamp`) BETWEEN DATE_SUB(DATE '2026-03-31', INTERVAL 30 DAY) AND DATE '2026-03-31'" in final


@pytest.mark.parametrize(
    "column_type",
    ["ARRAY<STRING>", "STRUCT<category STRING, os STRING>", "RECORD", "BYTES", "JSON", "GEOGRAPHY", "TIME"],
)
def test_unreadable_types_are_refused_naming_the_column(column_type: str) -> None:
    definition = make(
        split={"type": "random", "train_percent": 80},
        extra_columns=[{"table": "transactions", "name": "device", "alias": "device_info", "type": column_type}],
    )
    with pytest.raises(SqlGenError) as caught:
        generate_sql(definition, "train", tfx=True)
    message = str(caught.value)
    assert "transactions.device" in message and "device_info" in message and "columns[6]" in message
    with pytest.raises(SqlGenError, match="device_info"):
        tfx_input_config(definition)
    # The plain query does not care.
    assert "`device_info`" in generate_sql(definition, "train")


def test_missing_types_are_listed_with_what_to_do() -> None:
    definition = make(
        extra_columns=[
            {"table": "transactions", "name": "channel"},
            {"table": "transactions", "name": "quantity"},
        ]
    )
    with pytest.raises(SqlGenError) as caught:
        generate_sql(definition, tfx=True)
    message = str(caught.value)
    assert "columns[6]" in message and "columns[7]" in message
    assert 'add "type" to the column' in message and "warehouse" in message


def test_input_config_holds_the_train_and_eval_queries() -> None:
    definition = typed_definition({"type": "time", "eval_days": 7})
    config = tfx_input_config(definition, SqlContext(as_of=FIXED, label="v3"))
    assert [s["name"] for s in config["splits"]] == ["train", "eval"]
    for entry in config["splits"]:
        assert entry["pattern"] == generate_sql(definition, entry["name"], as_of=FIXED, tfx=True, label="v3")
        assert len(sqlglot.parse(entry["pattern"], read="bigquery")) == 1
        assert "-- version: v3" in entry["pattern"] and f"-- split: {entry['name']}" in entry["pattern"]
    assert json.loads(json.dumps(config)) == config


def test_input_config_needs_a_split() -> None:
    with pytest.raises(SqlGenError, match="split"):
        tfx_input_config(typed_definition(None))


def fake_tfx() -> tuple[types.ModuleType, dict[str, Any]]:
    """A stand-in for `tfx.v1` that records what the snippet builds."""
    built: dict[str, Any] = {}

    class Input:
        def __init__(self, splits: list[Any]) -> None:
            self.splits = splits

        class Split:
            def __init__(self, name: str, pattern: str) -> None:
                self.name, self.pattern = name, pattern

    def example_gen(**kwargs: Any) -> str:
        built.update(kwargs)
        return "example_gen"

    module = types.ModuleType("tfx")
    module.v1 = types.SimpleNamespace(  # type: ignore[attr-defined]
        proto=types.SimpleNamespace(Input=Input),
        extensions=types.SimpleNamespace(google_cloud_big_query=types.SimpleNamespace(BigQueryExampleGen=example_gen)),
    )
    return module, built


@pytest.mark.parametrize(
    "description",
    ["plain words", "quotes \"\"\" and ''' and \\ backslashes\\", "lines\nand\rbreaks\u2028# not code\u2029x = 1"],
)
def test_snippet_builds_example_gen_with_the_config(monkeypatch: pytest.MonkeyPatch, description: str) -> None:
    data = typed_definition({"type": "random", "train_percent": 80}).to_dict()
    data["description"] = description
    definition = parse_definition(data)
    snippet = tfx_snippet(definition, SqlContext(as_of=FIXED, label="file set.json"))
    module, built = fake_tfx()
    monkeypatch.setitem(sys.modules, "tfx", module)
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "snippet.py", "exec"), namespace)
    config = tfx_input_config(definition, SqlContext(as_of=FIXED, label="file set.json"))
    splits = built["input_config"].splits
    assert [(s.name, s.pattern) for s in splits] == [(s["name"], s["pattern"]) for s in config["splits"]]
    assert namespace["example_gen"] == "example_gen"
    # Free text stays in comments: the only top-level names are the ones we wrote.
    assert {n for n in namespace if not n.startswith("__")} == {
        "tfx", "TRAIN_QUERY", "EVAL_QUERY", "input_config", "example_gen"
    }  # fmt: skip

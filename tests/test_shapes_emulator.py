"""BigQuery's own shapes on the BigQuery emulator, against the Python reference.

The GA4-like rows of tests/ga4ref.py go into the emulator through the real
google-cloud-bigquery client, with RECORD and REPEATED fields, both as date
shards (`events_YYYYMMDD`) and as one table (`events_all`). Each construct
(nested path, UNNEST of items, key/value params, row filters with hostile
literals and numbers, epoch units) runs on `events_all` and must give exactly
the reference's rows.

What the emulator cannot run: a wildcard table with an alias. It rewrites
`` `ds.events_*` `` into a subquery `AS __wildcard` and then meets our
`` AS `events` `` (a syntax error BigQuery never gives). The wildcard SQL is
therefore checked with sqlglot's BigQuery parser here, and its rows on DuckDB
(tests/test_sqlgen_shapes.py), which runs the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import ga4ref
import sqlref
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from emulator import PROJECT, Emulator
from ga4ref import ANCHOR, CASES, FIXED, ROLLING, WILDCARD, bag

pytestmark = pytest.mark.emulator

DATASET = "ga4_raw"


@pytest.fixture(scope="module")
def loaded(bq_emulator: Emulator) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    from google.cloud import bigquery

    client = bq_emulator.client()
    client.create_dataset(f"{PROJECT}.{DATASET}", exists_ok=True)
    rows = ga4ref.ga4_rows()
    schema = ga4ref.bigquery_schema()
    for table, shard_rows in [
        *ga4ref.shards(rows).items(),
        ("events_all", [{k: v for k, v in r.items() if k != "_TABLE_SUFFIX"} for r in rows]),
    ]:
        created = client.create_table(bigquery.Table(f"{PROJECT}.{DATASET}.{table}", schema=schema), exists_ok=True)
        errors = client.insert_rows_json(created, shard_rows)
        assert not errors, errors[:3]
    warehouse = bq_emulator.warehouse()
    yield warehouse, rows
    warehouse.close()


def on_one_table(definition: Definition) -> Definition:
    return parse_definition(json.loads(json.dumps(definition.to_dict()).replace(f'"{WILDCARD}"', '"events_all"')))


@pytest.mark.parametrize("date_range", [None, FIXED, ROLLING], ids=["no range", "fixed", "rolling"])
@pytest.mark.parametrize("case", list(CASES))
def test_each_shape_gives_the_reference_rows_on_the_emulator(
    loaded: tuple[Any, list[dict[str, Any]]], case: str, date_range: Any
) -> None:
    warehouse, rows = loaded
    definition = on_one_table(ga4ref.definition(date_range=date_range, dataset=DATASET, **CASES[case]))
    got = warehouse.query(generate_sql(definition, context=SqlContext(as_of=ANCHOR)))
    expected = bag(sqlref.expected_rows(definition, {"events_all": rows}, ANCHOR))
    assert expected and bag(got.rows) == expected


def test_the_shards_are_in_the_emulator_and_the_wildcard_sql_is_bigquery(
    loaded: tuple[Any, list[dict[str, Any]]],
) -> None:
    warehouse, rows = loaded
    names = {t.name for t in warehouse.list_tables(DATASET)}
    assert set(ga4ref.shards(rows)) <= names
    for case in CASES.values():
        sql = generate_sql(
            ga4ref.definition(date_range=FIXED, dataset=DATASET, **case), context=SqlContext(as_of=ANCHOR)
        )
        tree = sqlglot.parse_one(sql, read="bigquery")
        (table,) = [t for t in tree.find_all(exp.Table) if t.db]
        assert (table.db, table.name, table.alias) == (DATASET, WILDCARD, "events")
        (bounds,) = [b for b in tree.find_all(exp.Between) if b.this.name == "_TABLE_SUFFIX"]
        assert (bounds.args["low"].this, bounds.args["high"].this) == ("20250625", "20250630")

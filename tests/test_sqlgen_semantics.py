"""Generated SQL, run on DuckDB, returns exactly what the Python reference of DESIGN §4 says."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import duckdb_exec
import sqlref
from dataset_tui.domain import clock
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.domain.sqlgen import SqlContext, SqlGenError, generate_sql
from dataset_tui.warehouse.transpile import farm_fingerprint, to_duckdb
from sqlref import con, make, tables  # noqa: F401 (pytest fixtures)

FIXED = sqlref.FIXED_DAY
END = sqlref.FIXED_RANGE[1]


def run(con: Any, sql: str) -> list[tuple[Any, ...]]:
    return duckdb_exec.run(con, sql)[1]


def check(con: Any, tables: sqlref.Tables, definition: Definition, split: str = "full") -> list[tuple[Any, ...]]:
    """Run one split as of FIXED and compare it, row for row, with the reference."""
    got = run(con, generate_sql(definition, split, as_of=FIXED))
    want = sqlref.expected_rows(definition, tables, FIXED, split)
    assert Counter(got) == Counter(want), f"{split}: SQL and reference differ"
    return got


def sql_body(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.startswith("--"))


ROLLING, FIXED_RANGE = sqlref.ROLLING_PART, sqlref.FIXED_PART
RANDOM, TIME = sqlref.RANDOM_PART, sqlref.TIME_PART
MATRIX = sqlref.matrix(joins=(0, 1, 2))  # joins: none, products (left), products (inner) then brands (left)


def test_fixture_exercises_the_edge_cases(tables: sqlref.Tables) -> None:
    tx = tables["transactions"]
    assert any(r["customer_id"] is None for r in tx)
    assert any(r["product_id"] is None for r in tx)
    assert any(r["amount"] is None for r in tx)
    assert any(r["ts"] is None for r in tx)
    assert any(r["amount"] is not None and r["amount"] < 0 for r in tx)
    assert {r["product_id"] for r in tx} - {p["product_id"] for p in tables["products"]} - {None}
    # Rows on both sides of the six-month window start, which clamps (31 March → 30 September).
    assert sqlref.month_sub(FIXED, 6) == dt.date(2025, 9, 30)
    assert sqlref.month_sub(FIXED, 1) == dt.date(2026, 2, 28)
    days = {r["ts"].date() for r in tx if r["ts"] is not None}
    assert {dt.date(2025, 9, 29), dt.date(2025, 9, 30), FIXED, FIXED + dt.timedelta(days=1)} <= days


@pytest.mark.parametrize("date_range,top,min_tx,split,joins", MATRIX)
def test_every_combination_parses_and_matches_the_reference(
    con: Any, tables: sqlref.Tables, date_range: Any, top: Any, min_tx: Any, split: Any, joins: int
) -> None:
    definition = make(date_range=date_range, top=top, min_tx=min_tx, split=split, joins=joins)
    splits = ["full"] if split is None else ["full", "train", "eval"]
    results = {}
    for name in splits:
        live = generate_sql(definition, name)
        pinned = generate_sql(definition, name, as_of=FIXED)
        for sql in (live, pinned):
            statements = sqlglot.parse(sql, read="bigquery")
            assert len(statements) == 1 and isinstance(statements[0], exp.Select)
        # The header says whether the live query depends on the date, truly.
        assert ("CURRENT_DATE()" in sql_body(live)) == ("does not depend on the date" not in live)
        # The live query is the pinned one with today left to BigQuery.
        assert "CURRENT_DATE" not in pinned
        assert sql_body(live).replace("CURRENT_DATE()", f"DATE '{FIXED}'") == sql_body(pinned)
        results[name] = check(con, tables, definition, name)
        assert results[name], f"{name} is empty: the fixture would not test this combination"
    if split is not None:
        full, train, evaluation = (set(results[n]) for n in ("full", "train", "eval"))
        assert len(full) == len(results["full"]), "transaction ids make rows unique"
        assert not train & evaluation
        names = definition.output_names
        key = "user_id" if split is RANDOM else "timestamp"
        null_key = {r for r in full if r[names.index(key)] is None}
        assert train | evaluation == full - null_key
        if split is RANDOM:
            user = names.index("user_id")
            assert not {r[user] for r in train} & {r[user] for r in evaluation}


@pytest.mark.parametrize("percent,kept", [
    (1, "A"), (40, "A"), (41, "AB"), (50, "AB"), (60, "AB"), (61, "ABC"),
    (80, "ABC"), (81, "ABCD"), (90, "ABCD"), (91, "ABCDE"), (99, "ABCDE"),
])  # fmt: skip
def test_top_products_boundary_and_ties(con: Any, tables: sqlref.Tables, percent: int, kept: str) -> None:
    definition = make(primary="ties", top=percent)
    rows = check(con, tables, definition)
    assert {r[1] for r in rows} == set(kept)


def test_no_positive_revenue_keeps_every_product_but_not_null_products(con: Any, tables: sqlref.Tables) -> None:
    definition = make(primary="refunds", top=50)
    rows = check(con, tables, definition)
    assert {r[1] for r in rows} == {"p01", "p02", "p03"}


def test_null_revenue_counts_as_zero(con: Any, tables: sqlref.Tables) -> None:
    # D earns 10 plus a NULL; F earns only NULL and still ranks (last, at 0).
    revenue = sqlref.product_revenue(make(primary="ties", top=99), sqlref.base_rows(make(primary="ties"), tables))
    assert revenue["D"] == 10 and revenue["F"] == 0
    rows = run(con, generate_sql(make(primary="ties", top=99), as_of=FIXED))
    assert "F" not in {r[1] for r in rows}


@pytest.mark.parametrize("minimum", [1, 2, 3, 4, 5])
def test_min_transactions_boundary(con: Any, tables: sqlref.Tables, minimum: int) -> None:
    definition = make(min_tx=minimum, date_range={"type": "rolling", "months": 1})
    in_range = sqlref.date_filtered(definition, sqlref.base_rows(definition, tables), FIXED)
    counts = sqlref.user_counts(definition, in_range)
    # Users with exactly the minimum and one fewer exist, so the boundary is tested.
    assert minimum in counts.values()
    assert minimum == 1 or minimum - 1 in counts.values()
    rows = check(con, tables, definition)
    assert all(r[0] is not None for r in rows), "rows with a NULL user are dropped"
    assert {r[0] for r in rows} == {u for u, n in counts.items() if n >= minimum}


def test_active_users_are_counted_before_top_products(con: Any, tables: sqlref.Tables) -> None:
    # On the ties table u4 has two rows (E and F); with top 91% F is dropped
    # but u4 still counts 2 rows, so u4 stays with min_transactions 2.
    definition = make(primary="ties", top=91, min_tx=2)
    rows = check(con, tables, definition)
    assert ("u4", "E") in {(r[0], r[1]) for r in rows}


def test_joins_with_missing_matches(con: Any, tables: sqlref.Tables) -> None:
    left = check(con, tables, make(joins=1))
    inner = check(con, tables, make(joins=2))
    category = 6  # product_category follows the six transaction columns
    missing = {"p20", "p21", "p22", "p23", "p24"}
    assert any(r[1] in missing and r[category] is None for r in left), "left join keeps unmatched rows"
    assert not any(r[1] in missing or r[1] is None for r in inner), "inner join drops them"
    assert any(r[-1] is None for r in inner), "the chained left join to brands misses b4"
    # A left join keeps every transaction not dated after the anchor (FIXED).
    not_after = [r for r in tables["transactions"] if r["ts"] is None or r["ts"].date() <= FIXED]
    assert len(not_after) < len(tables["transactions"]), "the fixture has rows dated after FIXED"
    assert len(left) == len(not_after)


def test_join_on_users_with_datetime_and_date_columns(con: Any, tables: sqlref.Tables) -> None:
    extra = [
        {"table": "customers", "name": "signup_date", "type": "DATE"},
        {"table": "customers", "name": "signup_at", "type": "DATETIME"},
        {"table": "customers", "name": "country"},
    ]
    join = {
        "table": "customers",
        "type": "inner",
        "on": [{"left": "transactions.customer_id", "right": "customers.customer_id"}],
    }
    definition = make(extra_columns=extra, extra_joins=[join])
    rows = check(con, tables, definition)
    assert rows and all(r[0] not in {"c35", "c90"} for r in rows)


@pytest.mark.parametrize("ts_column,ts_type", [("signup_date", "DATE"), ("signup_at", "DATETIME")])
@pytest.mark.parametrize(
    "date_range",
    [None, {"type": "rolling", "months": 12}, {"type": "fixed", "start": "2025-06-01", "end": "2026-01-31"}],
)
def test_date_and_datetime_timestamps(
    con: Any, tables: sqlref.Tables, ts_column: str, ts_type: str, date_range: Any
) -> None:
    data = {
        "format": "dataset-tui/1",
        "name": "signups",
        "source": {"dataset": "raw_data", "primary": "customers"},
        "columns": [
            {"table": "customers", "name": "customer_id", "role": "user_id", "type": "STRING"},
            {"table": "customers", "name": ts_column, "role": "timestamp", "type": ts_type},
        ],
        "filters": {"date_range": date_range} if date_range else {},
        "split": {"type": "time", "eval_days": 30},
    }
    definition = parse_definition(data)
    for split in ("full", "train", "eval"):
        check(con, tables, definition, split)


def test_random_split_on_an_int64_key(con: Any, tables: sqlref.Tables) -> None:
    definition = make(
        split={"type": "random", "train_percent": 50, "key": "store_id"},
        extra_columns=[{"table": "transactions", "name": "store_id", "type": "INT64"}],
    )
    train = check(con, tables, definition, "train")
    evaluation = check(con, tables, definition, "eval")
    store = definition.output_names.index("store_id")
    assert not {r[store] for r in train} & {r[store] for r in evaluation}
    assert all(r[store] is not None for r in train + evaluation)


def test_time_split_boundaries(con: Any, tables: sqlref.Tables) -> None:
    """Eval spans eval_days + 1 calendar days including the anchor day."""
    for date_range, anchor in ((None, FIXED), (ROLLING, FIXED), (FIXED_RANGE, END)):
        definition = make(date_range=date_range, split={"type": "time", "eval_days": 7})
        ts = definition.output_names.index("timestamp")
        evaluation = check(con, tables, definition, "eval")
        train = check(con, tables, definition, "train")
        cutoff = anchor - dt.timedelta(days=7)
        eval_days = {r[ts].date() for r in evaluation}
        assert min(eval_days) == cutoff and anchor in eval_days
        assert max(r[ts].date() for r in train) == cutoff - dt.timedelta(days=1)


def test_rolling_window_moves_with_as_of(con: Any, tables: sqlref.Tables) -> None:
    definition = make(date_range={"type": "rolling", "months": 1}, split=TIME)
    later = FIXED + dt.timedelta(days=10)
    got = run(con, generate_sql(definition, "eval", as_of=later))
    assert Counter(got) == Counter(sqlref.expected_rows(definition, tables, later, "eval"))
    assert Counter(got) != Counter(sqlref.expected_rows(definition, tables, FIXED, "eval"))


def test_as_of_sql_returns_the_same_rows_on_any_later_day(con: Any, tables: sqlref.Tables) -> None:
    definition = make(date_range=ROLLING, top=70, min_tx=2, split=TIME)
    with clock.fixed(FIXED):
        today_sql = generate_sql(definition, "eval", as_of=clock.today())
    with clock.fixed(FIXED + dt.timedelta(days=400)):
        later_sql = generate_sql(definition, "eval", as_of=FIXED)
        later_rows = run(con, later_sql)
    assert "CURRENT_DATE" not in today_sql.upper()
    assert today_sql == later_sql
    assert Counter(later_rows) == Counter(sqlref.expected_rows(definition, tables, FIXED, "eval"))


def test_live_sql_uses_current_date_and_says_so() -> None:
    sql = generate_sql(make(date_range=ROLLING))
    assert "DATE_SUB(CURRENT_DATE(), INTERVAL 6 MONTH)" in sql
    assert "-- live: CURRENT_DATE()" in sql
    pinned = generate_sql(make(date_range=ROLLING), as_of=FIXED)
    assert f"-- as of {FIXED}" in pinned


def test_train_or_eval_without_a_split_is_an_error() -> None:
    with pytest.raises(SqlGenError, match='no "split"'):
        generate_sql(make(), "train")
    with pytest.raises(SqlGenError, match="split must be one of"):
        generate_sql(make(split=RANDOM), "test")  # type: ignore[arg-type]


def test_farm_fingerprint_matches_bigquery_documented_values(con: Any) -> None:
    documented = {  # BigQuery's FARM_FINGERPRINT examples
        "1footrue": -1541654101129638711,
        "2applefalse": 2794438866806483259,
        "3true": -4880158226897771312,
    }
    for text, value in documented.items():
        assert sqlref.fingerprint(text) == value
        assert farm_fingerprint(text) == value
        assert run(con, f"SELECT FARM_FINGERPRINT('{text}')") == [(value,)]
    assert farm_fingerprint(None) is None
    assert run(con, "SELECT FARM_FINGERPRINT(CAST(NULL AS STRING))") == [(None,)]
    # Non-ASCII text hashes its UTF-8 bytes, as BigQuery does.
    assert run(con, "SELECT FARM_FINGERPRINT('Zürich')") == [(sqlref.fingerprint("Zürich"),)]


def test_abs_mod_bucket_is_safe_for_the_smallest_int64(con: Any) -> None:
    # MOD first, then ABS: ABS(-2^63) would overflow.
    sql = generate_sql(make(split=RANDOM), "train")
    assert "ABS(MOD(FARM_FINGERPRINT(CAST(`user_id` AS STRING)), 100)) < 70" in sql
    assert "MOD(ABS(" not in sql
    smallest = f"{-(2**63) + 1} - 1"
    assert con.execute(to_duckdb(f"SELECT ABS(MOD({smallest}, 100))")).fetchall() == [(8,)]


@pytest.mark.parametrize(
    "definition",
    [
        make(date_range=ROLLING, top=70, min_tx=3, split=RANDOM, joins=2),
        make(date_range=FIXED_RANGE, split=TIME, joins=1),
        make(top=50, primary="ties", split={"type": "random", "train_percent": 60}),
        make(min_tx=2),
        make(primary="refunds", top=10),
    ],
    ids=["all-filters-random", "fixed-time", "ties-random", "min-only", "no-revenue"],
)
def test_analysis_sql_matches_the_reference(con: Any, tables: sqlref.Tables, definition: Definition) -> None:
    names, rows = duckdb_exec.run(con, analysis_sql(definition, SqlContext(as_of=FIXED)))
    assert names == [
        "kind", "day", "rows", "users", "products", "date_min", "date_max",
        "train_rows", "eval_rows", "null_key_rows", "total_revenue",
    ]  # fmt: skip
    records = [dict(zip(names, r, strict=False)) for r in rows]
    total, days = records[0], records[1:]
    want = sqlref.expected_analysis(definition, tables, FIXED)
    assert total["kind"] == "total" and total["day"] is None
    for field in ("rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "null_key_rows"):
        assert total[field] == want[field], field
    assert total["total_revenue"] == pytest.approx(want["total_revenue"])
    assert all(r["kind"] == "day" for r in days)
    assert [r["day"] for r in days] == sorted(want["days"])
    assert {r["day"]: r["rows"] for r in days} == want["days"]
    if definition.split is not None:
        assert total["train_rows"] + total["eval_rows"] + total["null_key_rows"] == total["rows"]


def test_analysis_header_says_when_it_depends_on_today() -> None:
    fixed_time = make(date_range=FIXED_RANGE, split=TIME)
    no_range_time = make(split=TIME)
    assert "does not depend on the date" in analysis_sql(fixed_time)
    assert "CURRENT_DATE()" in sql_body(analysis_sql(no_range_time))
    assert "does not depend on the date" not in analysis_sql(no_range_time)
    assert "-- version: v7" in analysis_sql(no_range_time, SqlContext(label="v7"))


def test_analysis_without_roles_gives_nulls(con: Any, tables: sqlref.Tables) -> None:
    definition = parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "plain",
            "source": {"dataset": "raw_data", "primary": "products"},
            "columns": [{"table": "products", "name": "category"}],
        }
    )
    names, rows = duckdb_exec.run(con, analysis_sql(definition))
    assert len(rows) == 1, "no timestamp role: no day rows"
    total = dict(zip(names, rows[0], strict=False))
    assert total["rows"] == len(tables["products"])
    assert all(total[f] is None for f in names if f not in ("kind", "rows"))


def test_project_and_dataset_in_table_references() -> None:
    sql = generate_sql(make(joins=1), project="my-project-1")
    assert "`my-project-1.raw_data.transactions` AS `transactions`" in sql
    assert "`my-project-1.raw_data.products` AS `products`" in sql
    assert re.search(r"`transactions`\.`device`\.`category` AS `device_category`", sql)

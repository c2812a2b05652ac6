"""Revised DESIGN §4 on DuckDB: nothing dated after the anchor, as-of SQL that never changes,
counts that are numbers over an empty window, and time splits that keep a train day.

The expected rows come from tests/sqlref.py, the plain-Python reading of §4.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import duckdb_exec
import sqlref
from cli_support import Cli, cli_today
from dataset_tui.cli import main
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import DefinitionError, parse_definition, read_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.domain.validation import check_definition
from dataset_tui.services import definitions
from dataset_tui.store import Store
from example_definition import shop_dict

UTC = dt.UTC
FIXED = sqlref.FIXED_DAY
NO_RANGE_TIME = {"type": "time", "eval_days": 7}
RANDOM = {"type": "random", "train_percent": 60}


def run(con: Any, sql: str) -> Counter[tuple[Any, ...]]:
    return Counter(duckdb_exec.run(con, sql)[1])


def want(definition: Any, tables: sqlref.Tables, today: dt.date, split: str) -> Counter[tuple[Any, ...]]:
    return Counter(sqlref.expected_rows(definition, tables, today, split))


def splits_of(definition: Any) -> list[str]:
    return ["full"] if definition.split is None else ["full", "train", "eval"]


# -- rows dated after the real today, on live SQL ---------------------------------------


def real_today() -> dt.date:
    return dt.datetime.now(UTC).date()


@pytest.fixture(scope="module")
def live() -> Any:
    """The fixture tables built around the real UTC today (rows up to 3 days after it), in DuckDB."""
    today = real_today()
    tables = sqlref.fixture_tables(today, seed=11)
    con = duckdb_exec.connect()
    sqlref.load(con, tables)
    yield con, tables, today
    con.close()


LIVE_MATRIX = list(
    itertools.product(
        [None, {"type": "rolling", "months": 3}],
        [None, 70],
        [None, 2],
        [None, RANDOM, NO_RANGE_TIME],
    )
)


@pytest.mark.parametrize("date_range,top,min_tx,split", LIVE_MATRIX)
def test_live_sql_never_returns_rows_dated_after_today(
    live: Any, date_range: Any, top: Any, min_tx: Any, split: Any
) -> None:
    con, tables, today = live
    if real_today() != today:
        pytest.skip("the day changed while the test ran")
    definition = sqlref.make(date_range=date_range, top=top, min_tx=min_tx, split=split)
    future = {r["transaction_id"] for r in tables["transactions"] if r["ts"] is not None and r["ts"].date() > today}
    assert future, "the fixture has rows dated after today"
    for name in splits_of(definition):
        got = run(con, generate_sql(definition, name))
        assert got == want(definition, tables, today, name), name
        ids = {row[4] for row in got}
        assert not ids & future, f"{name}: rows dated after today"
        if date_range is None:
            # Rows without a timestamp stay (no range), except where a time split needs one.
            undated = {r["transaction_id"] for r in tables["transactions"] if r["ts"] is None}
            if name == "full" and top is None and min_tx is None:
                assert undated <= ids


# -- --as-of export: the same rows forever -------------------------------------------------


def _warehouse_file(path: Path, tables: sqlref.Tables) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        sqlref.load(con, tables)
    finally:
        con.close()


def _run_files(warehouse: Path, files: list[Path]) -> dict[str, Counter[tuple[Any, ...]]]:
    import duckdb

    from dataset_tui.warehouse.transpile import prepare_connection

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        prepare_connection(con)
        return {f.name: run(con, f.read_text()) for f in files}
    finally:
        con.close()


def _insert(warehouse: Path, rows: list[dict[str, Any]]) -> None:
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        columns = [c.strip().split(" ", 1)[0] for c in sqlref._split_columns(sqlref.DDL["transactions"])]
        con.executemany(
            f'INSERT INTO raw_data.transactions VALUES ({", ".join("?" for _ in columns)})',
            [[r.get(c) for c in columns] for r in rows],
        )
    finally:
        con.close()


def _tx(n: int, customer: str, product: str, day: dt.date, amount: str) -> dict[str, Any]:
    return {
        "transaction_id": f"new{n:03d}",
        "customer_id": customer,
        "product_id": product,
        "ts": dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC),
        "amount": Decimal(amount),
        "quantity": 1,
        "channel": "web",
        "store_id": 1,
        "device": {"category": "mobile", "os": "ios"},
        "gift": False,
    }


REPRO_DEFINITIONS: dict[str, dict[str, Any]] = {
    # The case: a time split with no date range, eval once had no upper bound.
    "plain_time": {"split": NO_RANGE_TIME},
    "rolling_random_filtered": {
        "date_range": {"type": "rolling", "months": 6}, "top": 70, "min_tx": 3, "split": RANDOM
    },
    "fixed_time_filtered": {
        "date_range": {"type": "fixed", "start": "2025-10-01", "end": FIXED.isoformat()},
        "top": 80,
        "split": NO_RANGE_TIME,
    },
}


@pytest.mark.parametrize("name", list(REPRO_DEFINITIONS))
def test_as_of_export_returns_the_same_rows_as_new_rows_land(
    name: str, tmp_path: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = sqlref.fixture_tables(FIXED)
    warehouse = tmp_path / "raw.duckdb"
    _warehouse_file(warehouse, tables)
    definition = sqlref.make(**REPRO_DEFINITIONS[name])
    db = tmp_path / "store"
    store = Store.open(db)
    try:
        definitions.save(store, definition)
    finally:
        store.close()
    out = tmp_path / "export"
    code = main(
        ["--db", str(db), "export", definition.name, "--split", "all", "--as-of", FIXED.isoformat(), "-o", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    files = sorted(out.glob("*.sql"))
    assert [f.name.rsplit("_", 1)[1] for f in files] == ["eval.sql", "full.sql", "train.sql"]
    assert all("anchor: " in f.read_text() for f in files)
    first = _run_files(warehouse, files)
    assert all(first.values()), "every split has rows, so the test can see a change"

    # Rows dated after the as-of day, by users and products already there (so
    # they would move the top products and the active users if they counted).
    later = [
        _tx(i, customer, product, FIXED + dt.timedelta(days=days), "5000.00")
        for i, (customer, product, days) in enumerate(
            [("c00", "p24", 1), ("c39", "p23", 2), ("c90", "p00", 30), ("c93", "p01", 400), ("c05", "p05", 1)]
        )
    ]
    _insert(warehouse, later)
    assert _run_files(warehouse, files) == first, "rows dated after the as-of day changed the output"

    # Rows inside the window's past: the output changes, and the reference says how.
    past = [
        _tx(100 + i, customer, product, FIXED - dt.timedelta(days=days), amount)
        for i, (customer, product, days, amount) in enumerate(
            [("c01", "p01", 2, "12.00"), ("c02", "p02", 20, "30.00"), ("c03", "p00", 1, "7.50")]
        )
    ]
    _insert(warehouse, past)
    third = _run_files(warehouse, files)
    grown = {**tables, "transactions": tables["transactions"] + later + past}
    for f in files:
        split = f.name.rsplit("_", 1)[1].removesuffix(".sql")
        assert third[f.name] == want(definition, grown, FIXED, split), f.name
        added = third[f.name] - first[f.name]
        assert all(row[4].startswith("new1") for row in added), "only rows dated inside the window appear"
        assert not any(row[4].startswith("new0") for row in third[f.name]), "no row after the as-of day"
    if name == "plain_time":
        # No filter that other rows could tip: exactly the new past rows arrive, all in eval or train.
        full = next(f.name for f in files if f.name.endswith("_full.sql"))
        assert {row[4] for row in third[full] - first[full]} == {r["transaction_id"] for r in past}
        assert first[full] <= third[full]


# -- an empty window: counts are 0, not NULL ----------------------------------------------------


@pytest.fixture(scope="module")
def fixture_con() -> Any:
    con = duckdb_exec.connect()
    sqlref.load(con, sqlref.fixture_tables(FIXED))
    yield con
    con.close()


EMPTY_RANGE = {"type": "fixed", "start": "1990-01-01", "end": "1990-03-31"}


@pytest.mark.parametrize("split", [RANDOM, NO_RANGE_TIME])
@pytest.mark.parametrize("top,min_tx", [(None, None), (50, 2)])
def test_analysis_of_an_empty_window_counts_zero(fixture_con: Any, split: Any, top: Any, min_tx: Any) -> None:
    definition = sqlref.make(date_range=EMPTY_RANGE, split=split, top=top, min_tx=min_tx)
    names, rows = duckdb_exec.run(fixture_con, analysis_sql(definition, SqlContext(as_of=FIXED)))
    total = dict(zip(names, rows[0], strict=True))
    assert len(rows) == 1 and total["kind"] == "total"
    for count in ("rows", "users", "products", "train_rows", "eval_rows", "null_key_rows"):
        assert total[count] == 0 and isinstance(total[count], int), (count, total[count])
    assert total["total_revenue"] == 0.0
    assert total["date_min"] is None and total["date_max"] is None


@pytest.fixture
def cli_store(
    isolated_env: Path, demo_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    from conftest import DEMO_TODAY

    cli = Cli(capsys, isolated_env / "store", demo_file)
    with cli_today(monkeypatch, DEMO_TODAY):
        yield cli.db, cli.run


DEMO = shop_dict(
    "empty_window",
    filters={"date_range": EMPTY_RANGE, "top_products_percent": 80, "min_transactions": 2},
    split=RANDOM,
)


@pytest.mark.parametrize("split", [RANDOM, {"type": "time", "eval_days": 30}])
def test_analyze_json_of_an_empty_window_has_zero_counts_on_duckdb(cli_store: Any, split: Any) -> None:
    db, cli = cli_store
    store = Store.open(db)
    try:
        definitions.save(store, parse_definition({**DEMO, "split": split}))
    finally:
        store.close()
    code, out, err = cli("analyze", "empty_window", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["rows"] == 0 and data["users"] == 0 and data["products"] == 0
    assert data["split"] == {"train_rows": 0, "eval_rows": 0, "null_key_rows": 0}
    # compare shows the cached counts as numbers too.
    store = Store.open(db)
    try:
        definitions.save(store, parse_definition({**DEMO, "name": "other", "split": split}))
    finally:
        store.close()
    assert cli("analyze", "other", "--json")[0] == 0
    code, out, err = cli("compare", "empty_window", "other", "--json")
    assert code == 0, err
    for dataset in json.loads(out)["datasets"]:
        analysis = dataset["analysis"]
        assert (analysis["rows"], analysis["train_rows"], analysis["eval_rows"]) == (0, 0, 0)


# -- a time split keeps a train day -----------------------------------------------------------


def _fixed(start: str, end: str, eval_days: int) -> dict[str, Any]:
    data = json.loads(json.dumps(DEMO))
    data["filters"] = {"date_range": {"type": "fixed", "start": start, "end": end}}
    data["split"] = {"type": "time", "eval_days": eval_days}
    return data


@pytest.mark.parametrize(
    "start,end,eval_days,ok",
    [
        ("2025-01-01", "2025-01-08", 7, False),  # the 8-day range: train would be empty
        ("2025-01-01", "2025-01-08", 6, True),  # (end − start) − 1: train keeps 1 January
        ("2025-01-01", "2025-01-08", 30, False),
        ("2025-01-01", "2025-01-02", 1, False),  # two days cannot hold eval (2 days) and train
        ("2025-01-01", "2025-01-03", 1, True),
        ("2025-01-01", "2025-01-01", 1, False),
    ],
)
def test_a_fixed_range_must_keep_a_train_day(start: str, end: str, eval_days: int, ok: bool) -> None:
    data = _fixed(start, end, eval_days)
    if ok:
        definition = parse_definition(data)
        cutoff = definition.filters.date_range.end - dt.timedelta(days=eval_days)  # type: ignore[union-attr]
        assert definition.filters.date_range.start < cutoff  # type: ignore[union-attr]
        return
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    problems = [p for p in caught.value.problems if p.path == "split.eval_days"]
    assert problems, caught.value.problems
    assert "train" in problems[0].message


def test_eval_days_rule_matches_the_reference_on_real_rows(fixture_con: Any) -> None:
    """At the rule's edge, the accepted split's train is not empty and one day more would empty it."""
    start = sqlref.FIXED_RANGE[0]  # a boundary day: the fixture has rows on it
    end = start + dt.timedelta(days=30)
    tables = sqlref.fixture_tables(FIXED)
    dated = {r["ts"].date() for r in tables["transactions"] if r["ts"] is not None}
    assert start in dated
    gap = (end - start).days
    good = sqlref.make(date_range={"type": "fixed", "start": start.isoformat(), "end": end.isoformat()},
                       split={"type": "time", "eval_days": gap - 1})
    train = run(fixture_con, generate_sql(good, "train"))
    assert train and train == want(good, tables, FIXED, "train")
    assert {row[2].date() for row in train} == {start}, "train is exactly the first day"
    bad = good.to_dict()
    bad["split"]["eval_days"] = gap
    with pytest.raises(DefinitionError, match=r"split\.eval_days"):
        parse_definition(bad)


def test_a_rolling_range_refuses_eval_days_that_never_leave_train() -> None:
    data = _fixed("2025-01-01", "2025-03-01", 1)
    data["filters"] = {"date_range": {"type": "rolling", "months": 1}}
    for eval_days, ok in ((30, True), (31, False), (400, False)):
        data["split"]["eval_days"] = eval_days
        definition = parse_definition(data) if ok else None
        if not ok:
            with pytest.raises(DefinitionError, match=r"split\.eval_days"):
                parse_definition(data)
        else:
            assert definition is not None


def test_cli_refuses_the_split_in_import_and_validate(cli_store: Any, tmp_path: Path) -> None:

    db, cli = cli_store
    bad = _fixed("2025-01-01", "2025-01-08", 7)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    code, out, err = cli("definition", "import", str(path))
    assert code == 1 and "split.eval_days" in err
    code, _, err = cli("sql", str(path))
    assert code == 1 and "split.eval_days" in err
    # A version saved before the rule existed: validate names the field.
    store = Store.open(db)
    try:
        store.create(read_definition({**bad, "name": "old_rule"}))
    finally:
        store.close()
    assert check_definition(read_definition(bad))
    code, out, err = cli("validate", "old_rule", "--json")
    data = json.loads(out)
    assert code == 1 and not data["valid"]
    assert any(p["path"] == "split.eval_days" for p in data["problems"])


def test_wizard_step_4_shows_the_problem_beside_eval_days() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft.from_definition(parse_definition(_fixed("2025-01-01", "2025-01-10", 3)))
    draft.eval_days = "9"
    definition, problems = draft.build(4)
    assert definition is None
    assert any(p.path == "split.eval_days" and "train" in p.message for p in problems), problems
    draft.eval_days = "8"
    definition, problems = draft.build(4)
    assert definition is not None and not problems

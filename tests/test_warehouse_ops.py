"""The warehouse use cases: analyze and preview against the plain-Python reference
of DESIGN §4, cached statistics, activation checks, column types, validate,
compare, and the demo on first use."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import sqlref
from dataset_tui.cli.json_shapes import analysis_json
from dataset_tui.domain import clock
from dataset_tui.domain.definition import Definition, parse_definition
from dataset_tui.services import catalog, checks, compare, definitions, local_warehouse, runs, schemas, table_stats
from dataset_tui.services.errors import ServiceError
from example_definition import shop_dict

TODAY = sqlref.FIXED_DAY
START, END = sqlref.FIXED_RANGE


@pytest.fixture(scope="module")
def tables() -> sqlref.Tables:
    return sqlref.fixture_tables(TODAY)


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory: pytest.TempPathFactory, tables: sqlref.Tables) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("ops") / "fixture.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    sqlref.load(con, tables)
    con.close()
    return path


@pytest.fixture(autouse=True)
def fixed_today() -> Any:
    with clock.fixed(TODAY):
        yield


@pytest.fixture
def ctx(open_context: Any, fixture_file: Path) -> Any:
    return open_context(fixture_file)


def make(name: str, **parts: Any) -> Definition:
    joins = parts.pop("joins", [])
    data = shop_dict(
        name,
        {"table": "transactions", "name": "transaction_id"},
        {"table": "transactions", "name": "device.category", "alias": "device_category"},
        *parts.pop("columns", []),
        **parts,
    )
    data["source"]["joins"] = joins
    return parse_definition(data)


PRODUCTS_JOIN = {
    "table": "products",
    "type": "inner",
    "on": [{"left": "transactions.product_id", "right": "products.product_id"}],
}

CASES = {
    "random_split": make(
        "random_split",
        filters={"date_range": {"type": "rolling", "months": 6}, "top_products_percent": 80, "min_transactions": 2},
        split={"type": "random", "train_percent": 70},
    ),
    "time_split": make(
        "time_split",
        filters={"date_range": {"type": "fixed", "start": START.isoformat(), "end": END.isoformat()}},
        split={"type": "time", "eval_days": 30},
    ),
    "no_split": make(
        "no_split",
        joins=[PRODUCTS_JOIN],
        columns=[{"table": "products", "name": "category"}],
        filters={"min_transactions": 3},
    ),
    "keyed_split": make("keyed_split", split={"type": "random", "train_percent": 40, "key": "transaction_id"}),
}


def _save(ctx: Any, definition: Definition) -> None:
    definitions.save(ctx.store, definition)


@pytest.mark.parametrize("case", sorted(CASES))
def test_analyze_equals_the_python_reference(ctx: Any, tables: sqlref.Tables, case: str) -> None:
    definition = CASES[case]
    _save(ctx, definition)
    got = analysis_json(runs.analyze(ctx, case))  # as `analyze --json` shows it
    want = sqlref.expected_analysis(definition, tables, TODAY)
    assert got["rows"] == want["rows"] > 0
    assert (got["users"], got["products"]) == (want["users"], want["products"])
    assert got["date_min"] == want["date_min"].isoformat() and got["date_max"] == want["date_max"].isoformat()
    if definition.split is None:
        assert got["split"] is None
    else:
        assert got["split"] == {
            "train_rows": want["train_rows"],
            "eval_rows": want["eval_rows"],
            "null_key_rows": want["null_key_rows"],
        }
    assert got["total_revenue"] == pytest.approx(want["total_revenue"])
    assert {d["day"]: d["rows"] for d in got["per_day"]} == {d.isoformat(): n for d, n in want["days"].items()}
    assert 0 <= got["quality"]["score"] <= 1
    cached = ctx.store.cached_analysis(ctx.model, case)
    assert cached is not None and not cached.stale and cached.result["rows"] == want["rows"]
    assert cached.definition_hash == definition.content_hash()


def _multiset(rows: Any) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(r) for r in rows)


def test_preview_returns_the_datasets_rows_under_output_names(ctx: Any, tables: sqlref.Tables) -> None:
    definition = CASES["random_split"]
    _save(ctx, definition)
    full = runs.preview(ctx, "random_split", limit=100_000)
    assert [c.name for c in full.columns] == definition.output_names
    assert [c.role for c in full.columns] == ["user_id", "product_id", "timestamp", "revenue", None, None]
    assert full.columns[2].type == "TIMESTAMP" and not full.truncated
    assert full.live and full.as_of == TODAY and full.split == "full"
    assert _multiset(full.rows) == _multiset(sqlref.expected_rows(definition, tables, TODAY))
    train = runs.preview(ctx, "random_split", limit=100_000, split="train")
    assert _multiset(train.rows) == _multiset(sqlref.expected_rows(definition, tables, TODAY, "train"))
    few = runs.preview(ctx, "random_split", limit=3)
    assert len(few.rows) == 3 and few.truncated
    assert all(tuple(r) in _multiset(full.rows) for r in few.rows)
    with pytest.raises(ServiceError):
        runs.preview(ctx, "random_split", limit=0)


def test_statistics_are_cached_until_the_table_changes(ctx: Any, tmp_path: Path) -> None:
    first = table_stats.table_stats(ctx, "transactions")
    assert not first.cached and first.row_count == len(sqlref.fixture_tables(TODAY)["transactions"])
    again = table_stats.table_stats(ctx, "transactions")
    assert again.cached and again.columns == first.columns
    subset = table_stats.table_stats(ctx, "transactions", ["amount", "ts"])
    assert subset.cached and [c.name for c in subset.columns] == ["amount", "ts"]
    refreshed = table_stats.table_stats(ctx, "transactions", refresh=True)
    assert not refreshed.cached and refreshed.columns == first.columns
    # Only some columns computed: later requests for them are served, others computed and merged.
    part = table_stats.table_stats(ctx, "customers", ["country"])
    assert not part.cached
    assert table_stats.table_stats(ctx, "customers", ["country"]).cached
    assert not table_stats.table_stats(ctx, "customers", ["signup_date"]).cached
    assert table_stats.table_stats(ctx, "customers", ["country", "signup_date"]).cached
    assert not table_stats.table_stats(ctx, "customers").cached  # never computed whole


def test_statistics_read_no_byte_sizes(ctx: Any) -> None:
    """The statistics' cache key needs rows and modified time: no extra scan for the table's bytes."""
    warehouse = ctx.warehouse()
    fetch = warehouse._fetch
    seen: list[str] = []

    def recording(sql: str, params: Any = None, *, many: int | None = None) -> Any:
        seen.append(sql)
        return fetch(sql, params, many=many)

    warehouse._fetch = recording
    try:
        stats = table_stats.table_stats(ctx, "transactions", refresh=True)
    finally:
        del warehouse._fetch
    assert stats.row_count == len(sqlref.fixture_tables(TODAY)["transactions"])
    assert seen and not any("strlen" in sql for sql in seen)


def test_a_reimported_table_makes_its_statistics_stale(open_context: Any, demo_copy: Path, tmp_path: Path) -> None:
    ctx = open_context(demo_copy)
    before = table_stats.table_stats(ctx, "products", ["price"])
    assert table_stats.table_stats(ctx, "products", ["price"]).cached
    file = tmp_path / "products.csv"
    file.write_text("product_id,category,brand,price\nP1,books,Acme,10.5\nP2,toys,Acme,2.25\n")
    local_warehouse.import_file(ctx, file, "products", replace=True)
    after = table_stats.table_stats(ctx, "products", ["price"])
    assert not after.cached and after.row_count == 2 != before.row_count
    assert after.columns[0].max == 10.5


def test_warehouse_checks_find_missing_tables_columns_and_bad_types(ctx: Any) -> None:
    assert checks.warehouse_checks(ctx, CASES["random_split"]) == []
    broken = make(
        "broken",
        joins=[
            {"table": "nowhere", "type": "left", "on": [{"left": "transactions.product_id", "right": "nowhere.id"}]}
        ],
        columns=[{"table": "transactions", "name": "no_such_column"}],
    )
    problems = {p.path: p.message for p in checks.warehouse_checks(ctx, broken)}
    assert "nowhere" in problems["source.joins[0].table"]
    assert "no_such_column" in problems["columns[6].name"]

    def two_columns(first: dict[str, Any], split_key: str | None = None) -> Definition:
        data: dict[str, Any] = {
            "format": "dataset-tui/1",
            "name": "types",
            "source": {"primary": "transactions"},
            "columns": [first, {"table": "transactions", "name": "amount", "alias": "key"}],
        }
        if split_key:
            data["split"] = {"type": "random", "train_percent": 50, "key": split_key}
        return parse_definition(data)

    wrong_role = two_columns({"table": "transactions", "name": "channel", "role": "timestamp"})
    problems = {p.path: p.message for p in checks.warehouse_checks(ctx, wrong_role)}
    assert list(problems) == ["columns[0].role"] and "timestamp" in problems["columns[0].role"]
    numeric_key = two_columns({"table": "transactions", "name": "channel"}, split_key="key")
    problems = {p.path: p.message for p in checks.warehouse_checks(ctx, numeric_key)}
    assert list(problems) == ["split.key"] and "STRING or INT64" in problems["split.key"]


def test_activation_runs_the_warehouse_checks(ctx: Any) -> None:
    good, bad = CASES["time_split"], make("bad", columns=[{"table": "transactions", "name": "nope"}])
    _save(ctx, good)
    _save(ctx, bad)
    head = definitions.activate(ctx.store, ctx.model, "time_split", checks=checks.activation_checks(ctx))
    assert head.active_version == 1
    with pytest.raises(definitions.ActivationRefused, match="nope"):
        definitions.activate(ctx.store, ctx.model, "bad", checks=checks.activation_checks(ctx))


def test_column_types_are_filled_from_the_warehouse(ctx: Any) -> None:
    definition = CASES["no_split"]
    filled = checks.fill_column_types(ctx, definition)
    assert [c.type for c in filled.columns] == [
        "STRING",
        "STRING",
        "TIMESTAMP",
        "NUMERIC",
        "STRING",
        "STRING",
        "STRING",
    ]
    assert filled.content_hash() != definition.content_hash()
    assert checks.fill_column_types(ctx, filled) is filled  # nothing to change


def test_validate_dry_runs_and_reports_problems(ctx: Any) -> None:
    _save(ctx, CASES["random_split"])
    ok = runs.validate(ctx, "random_split")
    assert ok.valid and ok.problems == () and ok.cost is not None and ok.cost.estimated is True
    assert ok.cost.bytes_processed > 0 and ok.cost.cost_usd == pytest.approx(ok.cost.bytes_processed / 1024**4 * 6.25)
    _save(ctx, make("bad", columns=[{"table": "transactions", "name": "nope"}]))
    bad = runs.validate(ctx, "bad")
    assert not bad.valid and bad.cost is None
    assert [p.path for p in bad.problems] == ["columns[6].name"]


def test_compare_puts_datasets_side_by_side(ctx: Any) -> None:
    for case in ("random_split", "time_split", "no_split"):
        _save(ctx, CASES[case])
    runs.analyze(ctx, "random_split")
    result = compare.compare(ctx, ["random_split", "time_split", "no_split"])
    assert [d.name for d in result.datasets] == ["random_split", "time_split", "no_split"]
    assert {"split", "date_range", "joins", "min_transactions"} <= set(result.differs)
    assert "primary" not in result.differs
    first, second = result.datasets[0].analysis, result.datasets[1].analysis
    assert first is not None and first.rows is not None and first.rows > 0 and second is None
    for names in (["random_split"], ["random_split", "random_split"], ["a", "b", "c", "d", "e", "f"]):
        with pytest.raises(ServiceError, match="2 to 5"):
            compare.compare(ctx, names)


def test_schema_joins_and_suggestions(ctx: Any) -> None:
    schema = schemas.table_schema(ctx, "transactions")
    by_name = {c.name: c for c in schema.columns}
    assert by_name["customer_id"].suggested_role == "user_id" and by_name["customer_id"].join_key is True
    assert by_name["ts"].suggested_role == "timestamp" and by_name["ts"].join_key is False
    assert by_name["device.category"].type == "STRING"
    found = schemas.joins(ctx, ["transactions", "products", "customers"])
    pairs = {(j.left_table, j.left_column, j.right_table, j.right_column) for j in found}
    assert ("transactions", "product_id", "products", "product_id") in pairs
    assert ("transactions", "customer_id", "customers", "customer_id") in pairs
    mapping = schemas.suggest(ctx, ["products", "transactions"])
    assert mapping.primary == "transactions" and mapping.roles["user_id"].column == "customer_id"
    with pytest.raises(ServiceError):
        schemas.joins(ctx, ["transactions"])


def test_the_demo_is_built_on_first_use_only(
    open_context: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_warehouse, "FIRST_RUN_ROWS", 3000)
    chosen = open_context(tmp_path / "fresh" / "demo.duckdb")  # a path the user named: never a silent demo
    with pytest.raises(ServiceError, match=r"no warehouse at .*warehouse demo"):
        local_warehouse.ensure_demo(chosen)
    assert not (tmp_path / "fresh" / "demo.duckdb").exists()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # first run: the default demo file
    ctx = open_context(tmp_path / "data" / "dataset-tui" / "demo.duckdb")
    steps: list[str] = []
    assert local_warehouse.ensure_demo(ctx, lambda fraction, message: steps.append(message)) is True
    assert steps[-1] == "demo ready"
    assert [i.rows for _e, i in catalog.table_listing(ctx) if i.name == "transactions"] == [3000]
    assert local_warehouse.ensure_demo(ctx) is False
    tables = local_warehouse.rebuild_demo(ctx, rows=1000, seed=5)
    assert {t.name: t.rows for t in tables}["transactions"] == 1000


def test_rebuilding_over_an_unreadable_file_needs_force(open_context: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"garbage" * 100)
    ctx = open_context(path)
    with pytest.raises(ServiceError, match="--force"):
        local_warehouse.rebuild_demo(ctx, rows=500)
    assert path.read_bytes() == b"garbage" * 100
    tables = local_warehouse.rebuild_demo(ctx, rows=500, force=True)
    assert {t.name: t.rows for t in tables}["transactions"] == 500


def test_preview_shows_the_earliest_rows_in_a_stable_order(ctx: Any, tables: sqlref.Tables) -> None:
    """Ordered by time, then user, product and revenue: the same rows every time p is pressed."""
    import sqlglot

    from dataset_tui.domain.sqlgen import SqlContext, preview_sql

    definition = CASES["random_split"]
    _save(ctx, definition)
    sql = preview_sql(definition, "full", SqlContext(as_of=TODAY), limit=6)
    assert len(sqlglot.parse(sql, read="bigquery")) == 1
    expected = sqlref.expected_rows(definition, tables, TODAY)

    # timestamp, user_id, product_id, revenue (output columns 2, 0, 1, 3);
    # NULLs first, as GoogleSQL orders ascending.
    ordered = sorted(expected, key=lambda r: tuple((r[i] is not None, r[i]) for i in (2, 0, 1, 3)))
    first = runs.preview(ctx, "random_split", limit=5)
    again = runs.preview(ctx, "random_split", limit=5)
    assert first.rows == again.rows
    assert [tuple(r)[:4] for r in first.rows] == [tuple(r)[:4] for r in ordered[:5]]
    assert first.truncated

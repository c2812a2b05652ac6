"""Materialize and verify on a DuckDB file: tables, Parquet, fingerprints, records, drift.

Fingerprints are checked against fingerprint_ref.py (Python, FarmHash
directly); the materialized rows against the split query's rows.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import fingerprint_ref
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.fingerprint import FingerprintError, fingerprint_sql, from_row
from dataset_tui.domain.split_names import SplitName
from dataset_tui.domain.sqlgen import generate_sql
from dataset_tui.services import materialize as mat, verify as ver
from dataset_tui.services.errors import ServiceError
from dataset_tui.store.materializations import materializations, materialized_versions, record as record_materialization
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from example_definition import shop_dict

AS_OF = dt.date(2025, 6, 15)  # the demo's today (conftest.DEMO_TODAY)
DEFINITION: dict[str, Any] = shop_dict(
    "p6",
    {"table": "transactions", "name": "quantity"},
    {"table": "transactions", "name": "channel"},
    filters={"date_range": {"type": "rolling", "months": 6}},
    split={"type": "random", "train_percent": 80},
)
KINDS = ["STRING", "STRING", "TIMESTAMP", "NUMERIC", "INT64", "STRING"]


@pytest.fixture
def ctx(open_context: Any, demo_copy: Path) -> Any:
    context = open_context(demo_copy)
    context.store.create(parse_definition(DEFINITION))
    return context


def rows_of(warehouse: Any, sql: str) -> collections.Counter[tuple[Any, ...]]:
    return collections.Counter(warehouse.query(sql).rows)


def split_sql(split: SplitName) -> str:
    return generate_sql(parse_definition(DEFINITION), split, as_of=AS_OF)


def tables_in(ctx: Any, schema: str) -> list[str]:
    rows = ctx.warehouse()._fetch("SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [schema])[2]
    return [r[0] for r in rows]


def write(ctx: Any, *statements: str) -> None:
    with ctx.warehouse().writable() as con:
        for statement in statements:
            con.execute(statement)


# -- the fingerprint itself ---------------------------------------------------------


def test_fingerprint_sql_equals_the_python_reference_on_tricky_values(tmp_path: Path) -> None:
    path = tmp_path / "tricky.duckdb"
    wh = DuckDBWarehouse(path)
    with wh.writable() as con:
        con.execute("CREATE SCHEMA raw_data")
        con.execute(
            "CREATE TABLE raw_data.t (s VARCHAR, i BIGINT, f DOUBLE, n DECIMAL(38, 9), b BOOLEAN, d DATE, "
            "ts TIMESTAMPTZ, dtm TIMESTAMP)"
        )
        con.execute(
            """INSERT INTO raw_data.t VALUES
            ('a|b', 1, 1.5, -12.345678901, true, DATE '1969-12-31', TIMESTAMPTZ '2025-01-01 00:00:00.000001+00',
             TIMESTAMP '1999-12-31 23:59:59.5'),
            ('3:x', -9223372036854775807, -0.1, 0.000000001, false, DATE '2025-06-15',
             TIMESTAMPTZ '1960-01-01 12:00:00+00', TIMESTAMP '2025-06-15 00:00:00'),
            ('', 0, 'nan'::DOUBLE, 99999999999.999999999, NULL, NULL, NULL, NULL),
            (NULL, NULL, 'inf'::DOUBLE, NULL, true, DATE '2000-02-29', NULL, NULL),
            ('héllo ✓', 42, '-inf'::DOUBLE, -0.5, false, DATE '2000-01-01', TIMESTAMPTZ '2000-01-01 00:00:00+00',
             NULL),
            ('héllo ✓', 42, 1e-12, -0.5, false, DATE '2000-01-01', TIMESTAMPTZ '2000-01-01 00:00:00+00', NULL)"""
        )
    kinds = ["STRING", "INT64", "FLOAT64", "NUMERIC", "BOOL", "DATE", "TIMESTAMP", "DATETIME"]
    columns = list(zip(["s", "i", "f", "n", "b", "d", "ts", "dtm"], kinds, strict=True))
    try:
        source = "SELECT * FROM `raw_data.t`"
        got = from_row(wh.query(fingerprint_sql(source, columns)).rows[0])
        expected = fingerprint_ref.fingerprint(wh.query(source).rows, kinds)
    finally:
        wh.close()
    assert got == expected
    assert got.rows == 6


def test_the_sum_companion_counts_duplicates_that_xor_cancels() -> None:
    kinds = ["STRING"]
    a, b, c = ("a",), ("b",), ("c",)
    one = fingerprint_ref.fingerprint([a, a, b], kinds)
    other = fingerprint_ref.fingerprint([b, c, c], kinds)
    assert one.rows == other.rows and one.xor == other.xor  # XOR alone cannot tell them apart
    assert one.sum != other.sum and one.digest != other.digest


def test_a_column_that_cannot_be_fingerprinted_is_refused_by_name() -> None:
    with pytest.raises(FingerprintError, match="tags is ARRAY<STRING>"):
        fingerprint_sql("SELECT 1", [("tags", "ARRAY<STRING>")])


# -- materialize ----------------------------------------------------------------------


def test_materialize_writes_each_split_fingerprints_and_records_it(ctx: Any) -> None:
    result = mat.materialize(ctx, "p6", as_of=AS_OF)
    wh = ctx.warehouse()
    record = result.record
    assert [s.split for s in record.splits] == ["train", "eval"]
    assert record.as_of == AS_OF and record.version == 1 and record.backend == "duckdb"
    for split in record.splits:
        assert split.table == f"ml_datasets.default__p6__v1__{split.split}"
        table_rows = rows_of(wh, f"SELECT * FROM `{split.table}`")
        assert table_rows == rows_of(wh, split_sql(split.split))
        assert split.rows == sum(table_rows.values()) > 0
        assert split.fingerprint == fingerprint_ref.fingerprint(table_rows.elements(), KINDS)
    stored = materializations(ctx.store, "default", "p6")
    assert stored == [record]
    assert materialized_versions(ctx.store, "default", "p6") == {1}
    labels = json.loads(
        wh.query(
            "SELECT comment FROM duckdb_tables()"
            " WHERE schema_name = 'ml_datasets' AND table_name = 'default__p6__v1__train'"
        ).rows[0][0]
    )["labels"]
    assert labels["dataset"] == "p6" and labels["version"] == "1" and labels["definition_hash"]


def test_parquet_files_read_back_equal_to_the_split_queries(ctx: Any, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    result = mat.materialize(ctx, "p6", as_of=AS_OF, parquet_dir=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["p6_v1_eval.parquet", "p6_v1_train.parquet"]
    wh = ctx.warehouse()
    for split in ("train", "eval"):
        path = folder / f"p6_v1_{split}.parquet"
        back = collections.Counter(wh._fetch("SELECT * FROM read_parquet(?)", [str(path)])[2])
        assert back == rows_of(wh, split_sql(split))
    parquet_files = {str((folder / f"p6_v1_{s}.parquet").resolve()) for s in ("train", "eval")}
    assert {s.parquet for s in result.record.splits} == parquet_files
    # A second run refuses to overwrite the files (before creating anything).
    with pytest.raises(ServiceError, match="already exist"):
        mat.materialize(ctx, "p6", as_of=AS_OF, parquet_dir=folder, to="other")


def test_a_recorded_table_is_never_overwritten(ctx: Any) -> None:
    mat.materialize(ctx, "p6", as_of=AS_OF)
    with pytest.raises(ServiceError, match="already holds a recorded materialization"):
        mat.materialize(ctx, "p6", as_of=AS_OF)
    assert len(materializations(ctx.store, "default", "p6")) == 1


def test_a_failure_midway_drops_what_it_made_and_records_nothing(ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = mat._fingerprint_table

    def failing(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 2:  # the eval table is made; its fingerprint fails
            raise ServiceError("boom")
        return real(*args)

    monkeypatch.setattr(mat, "_fingerprint_table", failing)
    with pytest.raises(ServiceError, match="boom"):
        mat.materialize(ctx, "p6", as_of=AS_OF)
    assert tables_in(ctx, "ml_datasets") == []
    assert materializations(ctx.store, "default", "p6") == []


def test_an_orphan_table_left_by_an_interrupted_run_is_replaced(ctx: Any) -> None:
    write(
        ctx,
        "CREATE SCHEMA ml_datasets",
        "CREATE TABLE ml_datasets.default__p6__v1__train AS SELECT 1 AS half_done",
    )
    result = mat.materialize(ctx, "p6", as_of=AS_OF)
    assert result.record.split("train") is not None
    assert rows_of(ctx.warehouse(), "SELECT * FROM `ml_datasets.default__p6__v1__train`") == rows_of(
        ctx.warehouse(), split_sql("train")
    )


def test_split_choices(ctx: Any) -> None:
    result = mat.materialize(ctx, "p6", as_of=AS_OF, splits="full", to="one")
    assert [s.split for s in result.record.splits] == ["full"]
    assert result.record.splits[0].rows == sum(rows_of(ctx.warehouse(), split_sql("full")).values())
    with pytest.raises(ServiceError, match="unknown split"):
        mat.materialize(ctx, "p6", as_of=AS_OF, splits="test")
    with pytest.raises(ServiceError, match="do not expire"):
        mat.materialize(ctx, "p6", as_of=AS_OF, expire_days=3)


# -- verify ---------------------------------------------------------------------------


def test_verify_right_after_materialize_is_unchanged(ctx: Any) -> None:
    mat.materialize(ctx, "p6", as_of=AS_OF)
    result = ver.verify(ctx, "p6")
    assert result.status == "unchanged"
    assert [c.table_state for c in result.checks] == ["intact", "intact"]
    assert all(not c.raw_drifted for c in result.checks)


def _late_row(ctx: Any, customer: str) -> str:
    """Insert one transaction dated inside the window, for a customer whose split we compute."""
    write(
        ctx,
        "INSERT INTO raw_data.transactions (transaction_id, customer_id, product_id, ts, amount, quantity, channel) "
        f"VALUES ('late-1', '{customer}', 'P0001', TIMESTAMPTZ '2025-06-01 10:00:00+00', 12.5, 1, 'web')",
    )
    return customer


def _split_of(customer: str) -> str:
    h = fingerprint_ref.farmhash.fingerprint64(customer)
    signed = h - (1 << 64) if h >= (1 << 63) else h
    return "train" if abs(signed % 100 if signed >= 0 else -((-signed) % 100)) < 80 else "eval"


def test_a_late_row_in_the_window_is_reported_as_drift_with_its_count(ctx: Any) -> None:
    mat.materialize(ctx, "p6", as_of=AS_OF)
    customer = _late_row(ctx, "C-late-arrival")
    result = ver.verify(ctx, "p6")
    assert result.status == "drifted"
    by_split = {c.split: c for c in result.checks}
    hit = by_split[_split_of(customer)]
    other = by_split["eval" if hit.split == "train" else "train"]
    assert hit.raw_drifted and hit.rows_added == 1 and hit.rows_removed == 0 and hit.row_delta == 1
    assert hit.table_state == "intact"
    assert not other.raw_drifted


def test_a_deleted_row_is_reported_as_removed(ctx: Any) -> None:
    mat.materialize(ctx, "p6", as_of=AS_OF)
    wh = ctx.warehouse()
    customer = wh.query(
        "SELECT user_id FROM `ml_datasets.default__p6__v1__eval` WHERE user_id IS NOT NULL LIMIT 1"
    ).rows[0][0]
    gone = wh.query(
        "SELECT COUNT(*) FROM `ml_datasets.default__p6__v1__eval` WHERE user_id = '" + customer + "'"
    ).rows[0][0]
    write(ctx, f"DELETE FROM raw_data.transactions WHERE customer_id = '{customer}'")
    check = {c.split: c for c in ver.verify(ctx, "p6").checks}["eval"]
    assert check.rows_removed == gone and check.rows_added == 0


def test_a_dropped_table_is_reported_missing_and_an_edited_one_altered(ctx: Any) -> None:
    mat.materialize(ctx, "p6", as_of=AS_OF)
    write(
        ctx,
        "DROP TABLE ml_datasets.default__p6__v1__train",
        "DELETE FROM ml_datasets.default__p6__v1__eval WHERE user_id IN "
        "(SELECT user_id FROM ml_datasets.default__p6__v1__eval LIMIT 1)",
    )
    result = ver.verify(ctx, "p6")
    states = {c.split: c.table_state for c in result.checks}
    assert states == {"train": "missing", "eval": "altered"}
    assert result.status == "drifted"
    assert all(not c.raw_drifted for c in result.checks)


def test_verify_without_a_materialization_is_an_error(ctx: Any) -> None:
    with pytest.raises(ServiceError, match="never materialized"):
        ver.verify(ctx, "p6")


def test_verify_names_a_recorded_split_it_does_not_know(ctx: Any) -> None:
    """A record whose split name is not full/train/eval (a hand-edited or foreign store) is refused by name."""
    mat.materialize(ctx, "p6", as_of=AS_OF)
    made = materializations(ctx.store, ctx.model, "p6")[-1]
    odd = dataclasses.replace(
        made,
        splits=(dataclasses.replace(made.splits[0], split="holdout"),),
        created_at=made.created_at + dt.timedelta(minutes=1),  # the most recent: the one verify checks
    )
    record_materialization(ctx.store, ctx.model, "p6", odd)
    with pytest.raises(ServiceError, match=r"p6 v1's materialization names an unknown split 'holdout'"):
        ver.verify(ctx, "p6")


# -- the command line -------------------------------------------------------------------


def _cli(ctx: Any, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from dataset_tui.cli import main

    capsys.readouterr()
    code = main(["--db", str(ctx.store.folder), "--warehouse", str(ctx.warehouse_file), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes_fit_ci(ctx: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(ctx, capsys, "verify", "p6")
    assert code == 2 and "never materialized" in err
    ctx.set_warehouse(None)  # the CLI opens the file itself
    code, out, _ = _cli(ctx, capsys, "materialize", "p6", "--as-of", "2025-06-15", "--json")
    assert code == 0
    made = json.loads(out)
    assert [s["split"] for s in made["splits"]] == ["train", "eval"] and made["as_of"] == "2025-06-15"
    code, out, _ = _cli(ctx, capsys, "verify", "p6", "--json")
    assert code == 0 and json.loads(out)["status"] == "unchanged"
    _late_row(ctx, "C-late-arrival")
    ctx.set_warehouse(None)
    code, out, _ = _cli(ctx, capsys, "verify", "p6", "--json")
    data = json.loads(out)
    assert code == 1 and data["status"] == "drifted"
    assert sum(s["rows_added"] or 0 for s in data["splits"]) == 1
    code, out, _ = _cli(ctx, capsys, "verify", "p6")
    assert code == 1 and "1 row(s) added, 0 removed" in out


def test_tfx_from_materialized_reads_the_recorded_rows(ctx: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from dataset_tui.domain.sqlgen import SqlGenError
    from dataset_tui.services import exports

    with pytest.raises(ServiceError, match="never materialized"):
        exports.export_one(ctx, "p6", tfx=True, from_materialized=True)
    record = mat.materialize(ctx, "p6", as_of=AS_OF).record
    item = exports.export_one(ctx, "p6", tfx=True, from_materialized=True)
    config = json.loads(item.content)
    wh = ctx.warehouse()
    for entry in config["splits"]:
        split = record.split(entry["name"])
        assert split is not None and f"FROM `{split.table}`" in entry["pattern"]
        result = wh.query(entry["pattern"])
        assert len(result.rows) == split.rows
        assert result.types == ("STRING", "STRING", "INT64", "FLOAT64", "INT64", "STRING")
    # Raw data moves; the TFX input does not.
    _late_row(ctx, "C-late-arrival")
    assert sum(len(wh.query(e["pattern"]).rows) for e in config["splits"]) == sum(s.rows for s in record.splits)
    mat.materialize(ctx, "p6", as_of=AS_OF, splits="full", to="full_only")
    with pytest.raises(SqlGenError, match="no train and no eval table"):
        exports.export_one(ctx, "p6", tfx=True, from_materialized=True)

"""Export files: names, the version they come from, atomic writes, overwrite rules, records.

The SQL files are run on DuckDB over a small table, and the rows compared
with the split computed here in Python from FarmHash directly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain.definition import parse_definition, parse_definition_json
from dataset_tui.domain.sqlgen import SqlGenError, generate_sql
from dataset_tui.services import exports
from dataset_tui.services.errors import Declined, ServiceError
from dataset_tui.store import Store
from store_support import definition, definition_dict

M = "default"


def simple(percent: int, **changes: Any) -> Any:
    """A definition whose rows are easy to compute by hand: no filters, a random split."""
    data = {
        "format": "dataset-tui/1",
        "name": "orders",
        "source": {"dataset": "raw_data", "primary": "transactions"},
        "columns": [
            {"table": "transactions", "name": "customer_id", "role": "user_id", "type": "STRING"},
            {"table": "transactions", "name": "amount", "type": "FLOAT64"},
        ],
        "split": {"type": "random", "train_percent": percent},
    }
    data.update(changes)
    return parse_definition(data)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store") as opened:
        yield opened


@pytest.fixture
def four_versions_v3_active(store: Store) -> Store:
    store.create(simple(10))
    for percent in (20, 30, 90):
        store.update(simple(percent), base_revision=None)
    store.activate(M, "orders", 3)
    return store


def _bucket(key: str) -> int:
    import farmhash

    value = farmhash.fingerprint64(key)
    signed = value - 2**64 if value >= 2**63 else value
    return abs(signed) % 100  # ABS(MOD(x, 100)): MOD keeps the dividend's sign


def test_export_writes_the_active_version_after_newer_saves(four_versions_v3_active: Store, tmp_path: Path) -> None:
    import duckdb_exec

    store = four_versions_v3_active
    assert store.get(M, "orders").badge == "active v3 · draft v4"
    result = exports.export_dataset(store, M, "orders", folder=tmp_path / "out")
    assert result.version == 3
    assert [p.name for p in result.paths] == ["orders_v3_full.sql", "orders_v3_train.sql", "orders_v3_eval.sql"]

    con = duckdb_exec.connect()
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.transactions (customer_id VARCHAR, amount DOUBLE)")
    customers = [f"c{i}" for i in range(300)] + [None]
    con.executemany(
        "INSERT INTO raw_data.transactions VALUES (?, ?)", [(c, float(i)) for i, c in enumerate(customers)]
    )
    rows = {}
    for path in result.paths:
        _, found = duckdb_exec.run(con, path.read_text())
        rows[path.stem.rsplit("_", 1)[1]] = sorted(found, key=repr)
    everyone = sorted(((c, float(i)) for i, c in enumerate(customers)), key=repr)
    assert rows["full"] == everyone
    # v3 splits at 30, not v4's 90.
    assert rows["train"] == [r for r in everyone if r[0] is not None and _bucket(r[0]) < 30]
    assert rows["eval"] == [r for r in everyone if r[0] is not None and _bucket(r[0]) >= 30]
    assert 50 < len(rows["train"]) < 130


def test_file_contents_come_from_the_chosen_version(four_versions_v3_active: Store, tmp_path: Path) -> None:
    store = four_versions_v3_active
    as_of = dt.date(2025, 6, 30)
    result = exports.export_dataset(
        store, M, "orders", folder=tmp_path, version=4, split="train", tfx=True, definition_file=True, as_of=as_of
    )
    names = [p.name for p in result.paths]
    assert names == ["orders_v4_train.sql", "orders_v4_tfx.json", "orders_v4_tfx.py", "orders_v4.json"]
    v4 = store.version(M, "orders", 4).definition
    assert (tmp_path / "orders_v4_train.sql").read_text() == generate_sql(
        v4, "train", as_of=as_of, label="orders v4"
    )
    config = json.loads((tmp_path / "orders_v4_tfx.json").read_text())
    assert [s["name"] for s in config["splits"]] == ["train", "eval"]
    assert "2025-06-30" in config["splits"][1]["pattern"]
    compile((tmp_path / "orders_v4_tfx.py").read_text(), "orders_v4_tfx.py", "exec")
    assert parse_definition_json((tmp_path / "orders_v4.json").read_text()) == v4
    [record] = store.exports(M, "orders")
    assert (record.version, record.as_of) == (4, as_of)
    assert record.paths == [str(p.resolve()) for p in result.paths]


def test_existing_files_are_replaced_only_when_confirmed(store: Store, tmp_path: Path) -> None:
    store.create(simple(50))
    (tmp_path / "orders_v1_train.sql").write_text("my own notes")
    asked: list[list[str]] = []

    def say_no(existing: list[Path]) -> bool:
        asked.append([p.name for p in existing])
        return False

    with pytest.raises(Declined, match=re.escape("orders_v1_train.sql already exists")):
        exports.export_dataset(store, M, "orders", folder=tmp_path, confirm_overwrite=say_no)
    assert asked == [["orders_v1_train.sql"]]
    # Nothing at all was written, nor recorded.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders_v1_train.sql", "store"]
    assert (tmp_path / "orders_v1_train.sql").read_text() == "my own notes"
    assert store.exports(M, "orders") == []
    with pytest.raises(Declined):
        exports.export_dataset(store, M, "orders", folder=tmp_path)  # no way to ask: refused

    exports.export_dataset(store, M, "orders", folder=tmp_path, confirm_overwrite=lambda existing: True)
    assert (tmp_path / "orders_v1_train.sql").read_text().startswith("-- dataset-tui: dataset orders")
    assert not list(tmp_path.glob("*.tmp"))


def test_an_error_while_generating_writes_nothing(store: Store, tmp_path: Path) -> None:
    # The TFX variant needs every column's type; this one lacks one.
    data = definition_dict()
    del data["columns"][4]["type"]
    store.create(parse_definition(data))
    with pytest.raises(SqlGenError, match="type"):
        exports.export_dataset(store, M, "purchases_6m", folder=tmp_path / "out", split="all", tfx=True)
    assert not (tmp_path / "out").exists()
    assert store.exports(M, "purchases_6m") == []


def test_splits_a_definition_without_split_has(store: Store, tmp_path: Path) -> None:
    store.create(simple(50, split=None))
    result = exports.export_dataset(store, M, "orders", folder=tmp_path / "a", split="all")
    assert [p.name for p in result.paths] == ["orders_v1_full.sql"]
    with pytest.raises(ServiceError, match="has no split, so there is no train query"):
        exports.export_dataset(store, M, "orders", folder=tmp_path / "b", split="train")


def test_one_item_to_standard_output(four_versions_v3_active: Store) -> None:
    store = four_versions_v3_active
    item = exports.export_one(store, M, "orders", split="eval")
    assert item.filename == "orders_v3_eval.sql"
    assert item.content == generate_sql(store.version(M, "orders", 3).definition, "eval", label="orders v3")
    tfx = exports.export_one(store, M, "orders", tfx=True)
    assert json.loads(tfx.content)["splits"][0]["name"] == "train"
    assert exports.export_one(store, M, "orders", definition_file=True, version=1).filename == "orders_v1.json"
    for choice in ({}, {"split": "all"}, {"split": "full", "tfx": True}):
        with pytest.raises(ServiceError, match="exactly one item"):
            exports.export_one(store, M, "orders", **choice)  # type: ignore[arg-type]
    assert [r.paths for r in store.exports(M, "orders")] == [["-"], ["-"], ["-"]]


def test_a_file_in_place_of_the_folder_is_refused(store: Store, tmp_path: Path) -> None:
    store.create(definition())
    (tmp_path / "file").write_text("x")
    with pytest.raises(ServiceError, match="is a file"):
        exports.export_dataset(store, M, "purchases_6m", folder=tmp_path / "file")

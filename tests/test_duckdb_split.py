"""A local random split puts every key exactly where BigQuery's FARM_FINGERPRINT would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import farmhash
import pytest

from conftest import DEMO_TODAY
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import generate_sql
from dataset_tui.warehouse.duckdb import DuckDBWarehouse


def _signed(unsigned: int) -> int:
    return unsigned - (1 << 64) if unsigned >= (1 << 63) else unsigned


def _bucket(key: Any) -> int:
    """BigQuery: ABS(MOD(FARM_FINGERPRINT(CAST(key AS STRING)), 100)); MOD keeps the dividend's sign."""
    return abs(_signed(farmhash.fingerprint64(str(key)))) % 100


@pytest.fixture(scope="module")
def wh(demo_file: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(demo_file)
    yield warehouse
    warehouse.close()


def test_farm_fingerprint_matches_bigquerys_documented_value(wh: DuckDBWarehouse) -> None:
    rows = wh.query("SELECT FARM_FINGERPRINT('1footrue') AS f, FARM_FINGERPRINT(CAST(NULL AS STRING)) AS n").rows
    assert rows == ((-1541654101129638711, None),)


def test_farm_fingerprint_matches_farmhash_on_many_values(wh: DuckDBWarehouse) -> None:
    got = wh.query(
        "SELECT customer_id, FARM_FINGERPRINT(customer_id) AS f FROM raw_data.transactions "
        "WHERE customer_id IS NOT NULL GROUP BY customer_id"
    ).rows
    assert len(got) > 1000
    assert all(f == _signed(farmhash.fingerprint64(c)) for c, f in got)


def _definition(key_column: str, key_role: str | None, percent: int) -> Any:
    columns = [
        {"table": "transactions", "name": "transaction_id"},
        {"table": "transactions", "name": "product_id", "role": "product_id"},
        {"table": "transactions", "name": key_column, **({"role": key_role} if key_role else {})},
    ]
    split: dict[str, Any] = {"type": "random", "train_percent": percent}
    if key_role is None:
        split["key"] = key_column
    return parse_definition(
        {
            "format": "dataset-tui/1",
            "name": "split_check",
            "source": {"dataset": "raw_data", "primary": "transactions"},
            "columns": columns,
            "split": split,
        }
    )


@pytest.mark.parametrize(
    ("key_column", "key_role", "output", "percent"),
    [("customer_id", "user_id", "user_id", 80), ("quantity", None, "quantity", 35)],
)
def test_every_row_lands_in_the_split_its_key_hashes_to(
    wh: DuckDBWarehouse, key_column: str, key_role: str | None, output: str, percent: int
) -> None:
    definition = _definition(key_column, key_role, percent)
    sides = {}
    for split in ("train", "eval"):
        result = wh.query(generate_sql(definition, split, as_of=DEMO_TODAY))
        index = result.columns.index(output)
        sides[split] = [(row[0], row[index]) for row in result.rows]
    total = wh.query(f"SELECT COUNT(*), COUNTIF({key_column} IS NULL) FROM raw_data.transactions").rows[0]
    assert len(sides["train"]) + len(sides["eval"]) == total[0] - total[1]  # NULL keys are in neither
    assert {k for _, k in sides["train"]}.isdisjoint({k for _, k in sides["eval"]})
    assert all(_bucket(k) < percent for _, k in sides["train"])
    assert all(_bucket(k) >= percent for _, k in sides["eval"])
    assert sides["train"] and sides["eval"]

"""Crash safety: a materialize process killed (SIGKILL) part way leaves no trace of itself.

The child runs the real service on a real DuckDB file and prints its progress;
the parent kills it at chosen moments (inside a CREATE TABLE, between tables,
during a fingerprint). After each kill: the store records nothing, and every
table left in ml_datasets is complete (its rows are exactly the split query's),
never a partial one. Then a clean run succeeds over whatever was left.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import generate_sql

AS_OF = dt.date(2025, 6, 15)
ROWS = 300_000  # enough that one CREATE TABLE takes a few hundred milliseconds
DEFINITION: dict[str, Any] = {
    "format": "dataset-tui/1",
    "name": "all_time",
    "source": {"dataset": "raw_data", "primary": "transactions"},
    "columns": [
        {"table": "transactions", "name": "customer_id", "role": "user_id"},
        {"table": "transactions", "name": "ts", "role": "timestamp"},
        {"table": "transactions", "name": "amount", "role": "revenue"},
        {"table": "transactions", "name": "channel"},
    ],
    "split": {"type": "random", "train_percent": 50},
}
CHILD = textwrap.dedent(
    """
    import datetime as dt, sys
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.materialize import materialize

    ctx = AppContext.open(db=sys.argv[1], warehouse=sys.argv[2])

    def progress(fraction, text):
        print(text, flush=True)

    materialize(ctx, "all_time", as_of=dt.date(2025, 6, 15), progress=progress)
    print("finished", flush=True)
    """
)


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dataset_tui.warehouse.demo import build_demo

    path = tmp_path_factory.mktemp("crash") / "demo.duckdb"
    build_demo(path, rows=ROWS, seed=3, today=AS_OF)
    return path


def _run_and_kill(db: Path, warehouse: Path, when: str, delay: float) -> int:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    try:
        for line in child.stdout:
            if line.startswith(when):
                time.sleep(delay)
                child.send_signal(signal.SIGKILL)
                break
            assert not line.startswith("finished"), f"the run ended before {when!r}"
    finally:
        code = child.wait(timeout=120)
        stderr = child.stderr.read() if child.stderr else ""
    assert code == -signal.SIGKILL, f"the child was not killed (exit {code}): {stderr[-2000:]}"
    return code


def _check_nothing_half_done(db: Path, warehouse: Path) -> list[str]:
    from dataset_tui.store import Store
    from dataset_tui.store.materializations import materializations
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    with Store.open(db) as store:
        assert materializations(store, "default", "all_time") == []
    wh = DuckDBWarehouse(warehouse)
    try:
        left = [r[0] for r in wh._fetch("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ml_datasets'")[2]]
        definition = parse_definition(DEFINITION)
        for table in left:
            split = table.rsplit("__", 1)[1]
            rows = collections.Counter(wh.query(f"SELECT * FROM `ml_datasets.{table}`").rows)
            expected = collections.Counter(wh.query(generate_sql(definition, split, as_of=AS_OF)).rows)  # type: ignore[arg-type]
            assert rows == expected, f"{table} was left with {sum(rows.values())} of {sum(expected.values())} rows"
    finally:
        wh.close()
    return left


@pytest.mark.parametrize(
    ("when", "delay"),
    [
        ("creating ml_datasets.default__all_time__v1__train", 0.05),
        ("creating ml_datasets.default__all_time__v1__train", 0.2),
        ("creating ml_datasets.default__all_time__v1__eval", 0.1),
        ("fingerprinting default__all_time__v1__eval", 0.0),
    ],
)
def test_killed_materialize_records_nothing_and_leaves_no_partial_table(
    big_demo: Path, tmp_path: Path, isolated_env: Path, when: str, delay: float
) -> None:
    import shutil

    from dataset_tui.services.context import AppContext
    from dataset_tui.services.materialize import materialize

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(big_demo, warehouse)
    db = tmp_path / "store"
    ctx = AppContext.open(db=db, warehouse=warehouse)
    ctx.store.create(parse_definition(DEFINITION))
    ctx.close()

    _run_and_kill(db, warehouse, when, delay)
    _check_nothing_half_done(db, warehouse)

    # Whatever the kill left (complete tables with no record) a new run replaces.
    ctx = AppContext.open(db=db, warehouse=warehouse)
    try:
        result = materialize(ctx, "all_time", as_of=AS_OF)
        assert [s.split for s in result.record.splits] == ["train", "eval"]
        assert sum(s.rows for s in result.record.splits) > 0
    finally:
        ctx.close()

"""farm_fingerprint is registered on the first query that calls it, not when the file opens.

DuckDB imports numpy to register a Python function (about 0.1 s of CPU per
process); `tables`, `stats` and the like hash nothing and should not pay it.
The function must still be there for every query that calls it: on a thread
whose cursor was made before, and again after the connection was reopened.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import farmhash

ROOT = Path(__file__).resolve().parent.parent


def _signed(value: str) -> int:
    unsigned = farmhash.fingerprint64(value)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def test_a_query_without_hashing_leaves_numpy_unloaded_and_one_with_it_hashes(demo_file: Path) -> None:
    code = f"""
import sys
from pathlib import Path
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
wh = DuckDBWarehouse(Path({str(demo_file)!r}))
print("ROWS", wh.query("SELECT COUNT(*) AS n FROM raw_data.products").rows[0][0])
print("NUMPY_BEFORE", "numpy" in sys.modules)
print("HASH", wh.query("SELECT FARM_FINGERPRINT('abc') AS h").rows[0][0])
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert int(lines["ROWS"]) > 0
    assert lines["NUMPY_BEFORE"] == "False"
    assert int(lines["HASH"]) == _signed("abc")


def test_the_function_reaches_older_cursors_and_survives_a_reopen(demo_file: Path) -> None:
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    warehouse = DuckDBWarehouse(demo_file)
    hashed = "SELECT FARM_FINGERPRINT('user-7') AS h"
    results: list[int] = []

    def on_a_thread() -> None:
        warehouse.query("SELECT 1 AS one")  # this thread's cursor exists before the function does
        barrier.wait()
        barrier.wait()
        results.append(warehouse.query(hashed).rows[0][0])

    barrier = threading.Barrier(2)
    thread = threading.Thread(target=on_a_thread)
    thread.start()
    barrier.wait()
    results.append(warehouse.query(hashed).rows[0][0])  # registers it, from this thread
    barrier.wait()
    thread.join(timeout=60)
    warehouse.close()  # a new database instance on the next query
    results.append(warehouse.query(hashed).rows[0][0])
    warehouse.close()
    assert results == [_signed("user-7")] * 3

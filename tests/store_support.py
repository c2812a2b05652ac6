"""Shared by the store tests: definitions to save, and child processes that save.

Run as a script it is one of those children:
    python store_support.py saver STORE PREFIX COUNT GO_FILE
saves COUNT versions spread over a few datasets named PREFIX_<k>, after
GO_FILE appears, printing `name version hash description` after each save
has returned.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from dataset_tui.domain.definition import Definition, parse_definition
from example_definition import example_dict


def definition_dict(
    name: str = "purchases_6m", *, percent: int = 80, description: str = "", **changes: Any
) -> dict[str, Any]:
    """The example definition, typed, under `name`, with a random split of `percent` to train."""
    split = {"type": "random", "train_percent": percent}
    return example_dict(typed=True, name=name, description=description, split=split, **changes)


def definition(name: str = "purchases_6m", **kwargs: Any) -> Definition:
    return parse_definition(definition_dict(name, **kwargs))


def small_warehouse(path: Path) -> Path:
    """A DuckDB warehouse with the tables the test definitions read (activation checks them)."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute(
        "CREATE TABLE raw_data.transactions"
        " (customer_id VARCHAR, product_id VARCHAR, ts TIMESTAMP, amount DECIMAL(18, 2))"
    )
    con.execute("CREATE TABLE raw_data.products (product_id VARCHAR, category VARCHAR)")
    con.execute("INSERT INTO raw_data.products VALUES ('p1', 'toys')")
    con.execute("INSERT INTO raw_data.transactions VALUES ('c1', 'p1', TIMESTAMP '2025-01-01 10:00:00', 9.99)")
    con.close()
    return path


def save_one(store: Any, name: str, description: str) -> Any:
    """Create `name` or add a version to it; the description makes every save differ."""
    from dataset_tui.store import NameTakenError

    defn = definition(name, description=description)
    if store.name_available("default", name):
        try:
            return store.create(defn)
        except NameTakenError:
            pass  # another saver created it between the check and the create (as services.save does)
    made = store.update(defn, base_revision=None)
    assert made is not None
    return made


def saver_loop(store_dir: Path, prefix: str, count: int, out: Any, datasets: int = 3) -> None:
    from dataset_tui.store import Store

    store = Store.open(store_dir)
    for i in range(count):
        name = f"{prefix}_{i % datasets}"
        description = f"{prefix} save {os.getpid()}-{i}"
        made = save_one(store, name, description)
        out.write(f"{name} {made.number} {made.definition_hash} {description.replace(' ', '~')}\n")
        out.flush()
    store.close()


def read_reports(text: str) -> list[tuple[str, int, str, str]]:
    """Complete report lines only (a killed child may leave half a line)."""
    reports = []
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        name, number, digest, description = line.split()
        reports.append((name, int(number), digest, description.replace("~", " ")))
    return reports


def main(argv: list[str]) -> int:
    command, store_dir, prefix, count, go = argv
    assert command == "saver"
    deadline = time.monotonic() + 30
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.001)
    saver_loop(Path(store_dir), prefix, int(count), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Materialize + fingerprint on the DuckDB demo (1M and 10M transactions), beside the
split queries alone, measured in the same run (medians, seconds).

For each size, one definition (all time, six columns, an 80/20 random split
by user):

- figure: `materialize` of train and eval through the service: a CREATE TABLE
  AS per split in one transaction each, then the fingerprint query over each
  new table (a FARM_FINGERPRINT per row), then the record in the store;
- baseline: the two split queries alone, each run to the end
  (`SELECT COUNT(*) FROM (<split query>)`: every row is produced, none is kept).

The ratio says what reproducibility costs over running the queries. The
figure is also broken down into table writing and fingerprinting.

Run: `make bench` (or `python bench/materialize.py [ROWS...]`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.fixtures import shop_definition  # noqa: E402 - after the path

SIZES = (1_000_000, 10_000_000)
TODAY = dt.date(2025, 6, 15)
DEFINITION: dict[str, Any] = shop_definition(
    "bench",
    {"table": "transactions", "name": "quantity"},
    {"table": "transactions", "name": "channel"},
    split={"type": "random", "train_percent": 80},
)


def runs_for(rows: int) -> int:
    return 3 if rows <= 1_000_000 else 1


def _recorder(steps: list[tuple[str, float]]) -> Any:
    """A progress callback noting when each step ("creating", "fingerprinting", ...) starts."""

    def timed(fraction: float, text: str) -> None:
        steps.append((text.split(" ")[0], time.perf_counter()))

    return timed


def bench_size(folder: Path, rows: int) -> None:
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.materialize import materialize
    from dataset_tui.warehouse.demo import build_demo

    path = folder / f"demo_{rows}.duckdb"
    start = time.perf_counter()
    build_demo(path, rows=rows, seed=1, today=TODAY)
    print(f"  (demo of {rows:,} rows built in {time.perf_counter() - start:.1f} s)")
    ctx = AppContext.open(db=folder / f"store_{rows}", warehouse=path)
    definition = parse_definition(DEFINITION)
    ctx.store.create(definition)
    split_sql = [generate_sql(definition, split, as_of=TODAY) for split in ("train", "eval")]  # type: ignore[arg-type]
    try:
        baseline, figure, writing, hashing = [], [], [], []
        for run in range(runs_for(rows)):
            start = time.perf_counter()
            counted = sum(int(ctx.warehouse().query(f"SELECT COUNT(*) FROM ({sql})").rows[0][0]) for sql in split_sql)
            baseline.append(time.perf_counter() - start)

            steps: list[tuple[str, float]] = []
            timed = _recorder(steps)
            start = time.perf_counter()
            result = materialize(ctx, "bench", as_of=TODAY, to=f"bench_{run}", progress=timed)
            end = time.perf_counter()
            figure.append(end - start)
            assert sum(s.rows for s in result.record.splits) == counted
            spans = [(name, later - at) for (name, at), (_, later) in itertools.pairwise(steps)]
            writing.append(sum(d for name, d in spans if name == "creating"))
            hashing.append(sum(d for name, d in spans if name == "fingerprinting"))
    finally:
        ctx.close()
    b, f = statistics.median(baseline), statistics.median(figure)
    print(
        f"  {rows:>11,} rows  materialize + fingerprint {f:7.2f} s "
        f"(tables {statistics.median(writing):.2f} s, fingerprints {statistics.median(hashing):.2f} s)"
        f"   | split queries alone {b:7.2f} s   x{f / b:.2f}"
    )


def main(argv: list[str]) -> None:
    sizes = tuple(int(a) for a in argv) or SIZES
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            bench_size(Path(tmp), rows)


if __name__ == "__main__":
    main(sys.argv[1:])

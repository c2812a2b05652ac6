"""The embedded DuckDB warehouse on the 1M-row demo, each figure beside a baseline
measured in the same run (medians, seconds unless said otherwise).

1. Demo build (1M transactions + customers, products, returns; target <= 10 s),
   beside writing a plain 1M-row, 7-column table to a new DuckDB file (the
   storage floor: no generation logic at all).
2. Statistics over every column of `transactions` in ONE query, beside one
   query per column (what a naive adapter would do).
3. `analyze` of a typical definition (6 rolling months, top 80% products,
   >= 2 transactions, 80/20 random split), beside counting the rows of its
   full dataset query (the same filters, no analysis).
4. farm_fingerprint inside DuckDB (rows/s, the UDF over a column), beside
   pyfarmhash in a plain Python loop over the same values (the ceiling: the
   UDF cannot beat the Python function it calls).

Run: `make bench` (or `python bench/warehouse.py`).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

ROWS = 1_000_000
TODAY = dt.date(2025, 6, 15)


def median_time(action: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(what: str, figure: str, baseline_what: str, baseline: str, ratio: float) -> None:
    print(f"  {what:<44} {figure:>12}   | {baseline_what:<34} {baseline:>12}   x{ratio:.2f}")


def bench_build(folder: Path) -> Path:
    import duckdb

    from dataset_tui.warehouse.demo import build_demo

    target = folder / "demo.duckdb"
    build = median_time(lambda: build_demo(target, rows=ROWS, seed=42, today=TODAY), 3)

    def plain_table() -> None:
        path = folder / "plain.duckdb"
        path.unlink(missing_ok=True)
        con = duckdb.connect(str(path))
        con.execute(
            f"""CREATE TABLE t AS SELECT 'T' || range AS a, 'C' || (range % 125000) AS b, 'P' || (range % 2000) AS c,
                TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(range) AS d, (range % 1000)::DECIMAL(12, 2) AS e,
                range % 5 AS f, 'web' AS g FROM range({ROWS})"""
        )
        con.execute("CHECKPOINT")
        con.close()

    floor = median_time(plain_table, 3)
    print("demo build")
    line(f"build_demo({ROWS:,} rows)", f"{build:.2f} s", "plain 1M x 7 table, written", f"{floor:.2f} s", build / floor)
    return target


def bench_stats(path: Path) -> None:
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    wh = DuckDBWarehouse(path)
    columns = [c.name for c in wh.schema("raw_data", "transactions").columns]
    wh.column_stats("raw_data", "transactions")  # warm: file pages, schema
    one = median_time(lambda: wh.column_stats("raw_data", "transactions"), 5)
    each = median_time(lambda: [wh.column_stats("raw_data", "transactions", [c]) for c in columns], 5)
    print(f"statistics over the {len(columns)} columns of transactions")
    line("one query, all columns", f"{one:.3f} s", "one query per column", f"{each:.3f} s", one / each)
    wh.close()


def bench_analyze(path: Path) -> None:
    from bench.fixtures import shop_definition
    from dataset_tui.domain.analysis import parse_analysis
    from dataset_tui.domain.analysis_query import analysis_sql
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.domain.quality import quality
    from dataset_tui.domain.sqlgen import SqlContext, generate_sql
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    definition = parse_definition(
        shop_definition(
            "bench",
            filters={"date_range": {"type": "rolling", "months": 6}, "top_products_percent": 80, "min_transactions": 2},
            split={"type": "random", "train_percent": 80},
        )
    )
    wh = DuckDBWarehouse(path)
    analysis = analysis_sql(definition, SqlContext(as_of=TODAY))
    count = f"SELECT COUNT(*) FROM ({generate_sql(definition, 'full', as_of=TODAY)})"

    def analyze() -> None:
        result = wh.query(analysis)
        quality(parse_analysis(result.columns, result.rows), definition)

    analyze()
    rows = wh.query(count).rows[0][0]
    took = median_time(analyze, 5)
    floor = median_time(lambda: wh.query(count), 5)
    print(f"analyze (6 months, top 80%, >= 2 tx, random 80/20: {rows:,} rows)")
    line("analysis query + parse + quality", f"{took:.3f} s", "COUNT(*) of the full query", f"{floor:.3f} s",
         took / floor)
    wh.close()


def bench_fingerprint(path: Path) -> None:
    import farmhash

    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    wh = DuckDBWarehouse(path)
    values = [r[0] for r in wh.query("SELECT transaction_id FROM raw_data.transactions").rows]
    sql = "SELECT SUM(MOD(FARM_FINGERPRINT(transaction_id), 1000)) FROM raw_data.transactions"
    inside = median_time(lambda: wh.query(sql), 3)

    def python_loop() -> int:
        total = 0
        for v in values:
            unsigned = farmhash.fingerprint64(v)
            total += (unsigned - (1 << 64) if unsigned >= (1 << 63) else unsigned) % 1000
        return total

    loop = median_time(python_loop, 3)
    n = len(values)
    print(f"farm_fingerprint over {n:,} strings")
    line("inside DuckDB (rows/s)", f"{n / inside:,.0f}", "pyfarmhash, Python loop (rows/s)", f"{n / loop:,.0f}",
         loop / inside)
    wh.close()


def main() -> int:
    print("bench/warehouse.py — embedded DuckDB warehouse; medians; "
          "ratio = figure / baseline (rows/s: baseline / figure)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = bench_build(folder)
        bench_stats(path)
        bench_analyze(path)
        bench_fingerprint(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

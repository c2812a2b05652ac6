"""Column statistics on wide and long DuckDB tables, each figure beside a baseline
measured in the same run (one run each, seconds; peak RSS of the process that ran it).

1. Wide: statistics over every column of a 200- and a 2,000-column table
   (20,000 rows; a quarter each INT64, FLOAT64, STRING, DATE), beside DuckDB's
   own `SUMMARIZE` of the same table (min, max, approx. distinct, mean,
   stddev, quartiles, null share: a comparable summary, no histograms).
2. Long: statistics over a transactions-like table of 1M / 10M / 30M rows
   (id, customer_id with 1M distinct, amount, channel, ts, day), beside one
   full scan `SELECT COUNT(*), COUNT(DISTINCT customer_id)` (the baseline of
   the issue that asked for this), with the growth ratio between sizes.

Every measurement runs in its own process so its peak RSS is its own. The
tables are generated inside DuckDB (range() and hash()), so building is fast.

Run: `make bench` (or `python bench/stats.py`); `--quick` stops at 10M rows,
`--rows-only` skips the wide tables.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WIDE_ROWS = 20_000
WIDTHS = (200, 2_000)
LENGTHS = (1_000_000, 10_000_000, 30_000_000)


def build_wide(path: Path, width: int) -> None:
    import duckdb

    columns = []
    for i in range(width):
        kind = i % 4
        h = f"hash(range * {i + 7})"
        if kind == 0:
            columns.append(f"CAST({h} % 1000 AS BIGINT) AS i{i}")
        elif kind == 1:
            columns.append(f"CASE WHEN {h} % 10 = 0 THEN NULL ELSE ({h} % 100000) / 7.0 END::DOUBLE AS f{i}")
        elif kind == 2:
            columns.append(f"'v' || ({h} % 50)::VARCHAR AS s{i}")
        else:
            columns.append(f"DATE '2024-01-01' + CAST({h} % 365 AS INTEGER) AS d{i}")
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_data")
    con.execute(f"CREATE TABLE raw_data.wide{width} AS SELECT {', '.join(columns)} FROM range({WIDE_ROWS})")
    con.close()


def build_long(path: Path, rows: int) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("SET threads = 2")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_data")
    con.execute(
        f"CREATE TABLE raw_data.tx{rows} AS SELECT range AS id, CAST(hash(range) % 1000000 AS BIGINT) AS customer_id, "
        "(hash(range * 3) % 100000) / 100.0 AS amount, "
        "['web', 'store', 'app', 'phone', 'partner'][1 + CAST(hash(range * 5) % 5 AS INTEGER)] AS channel, "
        "TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(CAST(hash(range * 7) % 31536000 AS BIGINT)) AS ts, "
        "DATE '2024-01-01' + CAST(hash(range * 11) % 365 AS INTEGER) AS day "
        f"FROM range({rows})"
    )
    con.close()


def child(kind: str, path: str, table: str) -> None:
    """Run one measurement in this process and print {seconds, rss_mb} as JSON."""
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    wh = DuckDBWarehouse(Path(path))
    wh.list_tables("raw_data")  # open the file and read the catalog before the clock starts
    start = time.perf_counter()
    if kind == "stats":
        stats = wh.column_stats("raw_data", table)
        assert stats.row_count > 0 and stats.columns
    else:
        import duckdb

        con = duckdb.connect(path, read_only=True)
        from dataset_tui.warehouse.duckdb import limit_resources

        limit_resources(con)  # the same limits as the statistics run: a fair baseline
        sql = {
            "summarize": f"SUMMARIZE raw_data.{table}",
            "scan": f"SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM raw_data.{table}",
        }[kind]
        con.execute(sql).fetchall()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak RSS: VmHWM (ru_maxrss would carry the parent's peak over fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, path: Path, table: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), table], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        return {"seconds": float("nan"), "rss_mb": float("nan"), "error": out.stderr.strip().splitlines()[-1]}  # type: ignore[dict-item]
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) >= 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    lengths = LENGTHS[:2] if "--quick" in sys.argv else LENGTHS
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as folder:
        widths = () if "--rows-only" in sys.argv else WIDTHS
        if widths:
            print("wide tables (20,000 rows): statistics of every column vs SUMMARIZE")
        for width in widths:
            path = Path(folder) / f"wide{width}.duckdb"
            build_wide(path, width)
            ours, base = measure("stats", path, f"wide{width}"), measure("summarize", path, f"wide{width}")
            print(
                f"  {width:>6,} columns: statistics {ours['seconds']:7.2f} s ({ours['rss_mb']:6.0f} MB)   "
                f"SUMMARIZE {base['seconds']:7.2f} s ({base['rss_mb']:6.0f} MB)   "
                f"ratio x{ours['seconds'] / base['seconds']:.1f}"
                + (f"   ERROR {ours.get('error')}" if "error" in ours else "")
            )
            path.unlink()
        print("long tables: statistics of every column vs one full scan (COUNT(*), COUNT(DISTINCT customer_id))")
        previous, prev_rows = None, 0
        for rows in lengths:
            path = Path(folder) / f"tx{rows}.duckdb"
            build_long(path, rows)
            ours, base = measure("stats", path, f"tx{rows}"), measure("scan", path, f"tx{rows}")
            growth = f"   growth x{ours['seconds'] / previous:.1f} for x{rows // prev_rows}" if previous else ""
            print(
                f"  {rows:>11,} rows: statistics {ours['seconds']:7.2f} s (peak {ours['rss_mb']:6.0f} MB)   "
                f"scan {base['seconds']:7.2f} s (peak {base['rss_mb']:6.0f} MB)   "
                f"ratio x{ours['seconds'] / base['seconds']:.1f}{growth}"
                + (f"   ERROR {ours.get('error')}" if "error" in ours else "")
            )
            previous, prev_rows = ours["seconds"], rows
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())

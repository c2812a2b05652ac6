"""Real-shaped sizes: thousands of tables, thousands of columns, tens of millions
of rows, tens of thousands of datasets. Every figure is a fresh `dataset-tui`
process (what a user waits for), beside a baseline measured in the same run,
and each size beside the one before it: the growth ratio of time for the
growth of work (target: x10 work costs at most x12 time).

- tables   100 / 1,000 / 5,000 (the 5,000 include a 1,100-shard `events_*`
           family): `dataset-tui tables --json`, baseline: the same process
           start plus `duckdb_tables()` listing names (`--help` + a plain
           DuckDB query in one process).
- columns  200 / 2,000 / 10,000 in one table: `schema`, and `stats` of five
           chosen columns, baseline `DESCRIBE` / one full scan of the table.
- rows     1M / 10M / 30M demo transactions: `stats`, `analyze`, baseline
           `COUNT(*), COUNT(DISTINCT customer_id)`; peak RSS of each process;
           each figure in wall time and again in CPU time (all threads, from
           wait4), which another process's load on a shared host stretches less.
- datasets 1,000 / 20,000: one save (`definition import` of one file) and
           `list --json`, each over `--help` (interpreter + imports).
- wizard   in process (bench/wizard_scale.py): the table step at the table
           sizes and the column step at the column sizes, until shown, with
           the longest event-loop stall; baseline the same step on 5 tables /
           20 columns.

Run: `make bench` (or `python bench/scale.py [tables|columns|rows|datasets|wizard]`, one
section or several). The package is byte-compiled first, as an install does.
Sizes can be cut for a quick look with BENCH_QUICK=1, or chosen with
BENCH_ROW_SIZES=1000000,30000000 (the rows section only); BENCH_REPEAT=3
gives the rows section's median of 3 rounds (a shared host is noisy). BENCH_ROWS_DIR=DIR keeps
the row-size demo files in DIR and reuses them (building 30M rows takes
minutes), so a before/after comparison runs on the same files.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

QUICK = os.environ.get("BENCH_QUICK") == "1"
ROWS_DIR = os.environ.get("BENCH_ROWS_DIR")
TABLES = (100, 1000) if QUICK else (100, 1000, 5000)
SHARDS = 1100
COLUMNS = (200, 2000) if QUICK else (200, 2000, 10000)
ROWS = (1_000_000,) if QUICK else (1_000_000, 10_000_000, 30_000_000)
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))  # rows: the median of this many rounds
if os.environ.get("BENCH_ROW_SIZES"):  # e.g. BENCH_ROW_SIZES=30000000: only those sizes
    ROWS = tuple(int(n) for n in os.environ["BENCH_ROW_SIZES"].split(","))
DATASETS = (1000,) if QUICK else (1000, 20_000)
EXAMPLE = ROOT / "examples" / "purchases_6m.json"


# -- running and timing fresh processes ------------------------------------------


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    config = folder / "config.toml"
    if not config.exists():
        config.write_text("")
    env.update(DATASET_TUI_CONFIG=str(config), DATASET_TUI_TODAY="2025-06-15", PYTHONPATH=str(ROOT / "src"))
    for name in ("DATASET_TUI_DB", "DATASET_TUI_WAREHOUSE", "DATASET_TUI_PROFILE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


def compile_sources() -> None:
    """Byte-compile the package once, as installing it does.

    Without .pyc files (PYTHONDONTWRITEBYTECODE set in the environment, or a
    fresh checkout) every process compiles each module it imports again, and
    the figures measure the compiler (hundreds of ms), not a user's wait.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)


# CPU seconds (user + system, all threads) of the last process `run` or
# `python_seconds` waited for: on a shared host another process's load
# stretches wall time, not a process's own CPU time.
LAST_CPU = [0.0]


def run(folder: Path, *args: str, stdin: str | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in MiB, stdout) of one fresh CLI process; fails loudly on a non-zero exit.

    The peak is that process's own (wait4), not the largest child so far;
    its CPU time is left in LAST_CPU.
    """
    import threading

    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "dataset_tui", *args],
        env=_env(folder),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pipes = {"out": child.stdout, "err": child.stderr}
    texts: dict[str, str] = {}

    def drain(name: str) -> None:
        pipe = pipes[name]
        texts[name] = pipe.read() if pipe is not None else ""

    readers = [threading.Thread(target=drain, args=(name,)) for name in pipes]
    for reader in readers:
        reader.start()
    if child.stdin is not None:
        child.stdin.write(stdin or "")
        child.stdin.close()
    for reader in readers:
        reader.join()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    if child.returncode != 0:
        raise SystemExit(f"dataset-tui {' '.join(args)} failed ({child.returncode}):\n{texts['err'][-2000:]}")
    return seconds, usage.ru_maxrss // 1024, texts["out"]


def python_seconds(code: str) -> float:
    """Wall seconds of `python -c code` in a fresh process (its CPU time: LAST_CPU)."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"python -c {code[:80]!r} failed")
    return seconds


def median(values: list[float]) -> float:
    return statistics.median(values)


def line(what: str, seconds: float, baseline_what: str, baseline: float, extra: str = "") -> None:
    ratio = seconds / baseline if baseline else float("nan")
    print(
        f"  {what:<40} {seconds * 1000:>9.0f} ms | {baseline_what:<34} {baseline * 1000:>8.0f} ms"
        f"  x{ratio:5.2f} {extra}"
    )


def growth(label: str, sizes: tuple[int, ...], times: list[float]) -> None:
    for (small, t_small), (big, t_big) in itertools.pairwise(zip(sizes, times, strict=True)):
        print(f"  growth {label}: x{big / small:.0f} work -> x{t_big / t_small:.2f} time")


# -- warehouses generated inside DuckDB -----------------------------------------


def many_tables(path: Path, count: int) -> None:
    """`count` small tables in raw_data; at 5,000 of them 1,100 are a daily shard family."""
    import datetime as dt

    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    shards = SHARDS if count >= 5000 else 0
    day = dt.date(2023, 12, 1)
    con.execute("BEGIN")
    for i in range(count - shards):
        con.execute(
            f"CREATE TABLE raw_data.t{i:05d} AS SELECT range AS id, 'u' || (range % 97) AS user_id, "
            "TIMESTAMP '2025-01-01' + to_seconds(range * 3600) AS ts, range * 1.5 AS amount FROM range(100)"
        )
    for i in range(shards):
        suffix = (day + dt.timedelta(days=i)).strftime("%Y%m%d")
        con.execute(
            f"CREATE TABLE raw_data.events_{suffix} AS SELECT 'u' || (range % 13) AS user_pseudo_id, "
            f"{i} * 86400000000 + range AS event_timestamp, 'purchase' AS event_name FROM range(20)"
        )
    con.execute("COMMIT")
    con.close()


def wide_table(path: Path, columns: int, rows: int = 10_000) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    parts = ["range AS id", "'u' || (range % 1000) AS user_id"]
    parts += [f"(range * {i % 97 + 1}) % 1000 AS c{i:05d}" for i in range(columns - 2)]
    con.execute(f"CREATE TABLE raw_data.wide AS SELECT {', '.join(parts)} FROM range({rows})")
    con.close()


# -- the four figures -------------------------------------------------------------


def bench_tables(folder: Path) -> None:
    print("tables (fresh process `tables --json`; baseline: process start + names from duckdb_tables())")
    times = []
    for count in TABLES:
        path = folder / f"tables_{count}.duckdb"
        many_tables(path, count)
        seconds, _, out = run(folder, "--warehouse", str(path), "tables", "--json")
        entries = json.loads(out)
        baseline = python_seconds(
            "import duckdb, dataset_tui.cli; "
            f"duckdb.connect({str(path)!r}, read_only=True).execute("
            "\"SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw_data'\").fetchall()"
        )
        line(f"{count:,} tables -> {len(entries):,} entries", seconds, "start + listing names", baseline)
        times.append(seconds)
    growth("tables", TABLES, times)


def bench_columns(folder: Path) -> None:
    print("columns (fresh process; baseline: DESCRIBE / one scan in a plain DuckDB process)")
    schema_times, stats_times = [], []
    for count in COLUMNS:
        path = folder / f"wide_{count}.duckdb"
        wide_table(path, count)
        wh = ("--warehouse", str(path))
        seconds, _, _ = run(folder, *wh, "schema", "wide", "--json")
        describe = python_seconds(
            f"import duckdb; duckdb.connect({str(path)!r}, read_only=True).execute('DESCRIBE raw_data.wide').fetchall()"
        )
        line(f"schema, {count:,} columns", seconds, "DESCRIBE", describe)
        chosen = [f"c{i:05d}" for i in (0, 1, 2, count // 2, count - 3)]
        args = [a for c in chosen for a in ("--column", c)]
        stats, _, _ = run(folder, *wh, "stats", "wide", *args, "--json")
        scan = python_seconds(
            f"import duckdb; duckdb.connect({str(path)!r}, read_only=True).execute("
            f"'SELECT {', '.join(f'count(DISTINCT {c})' for c in chosen)} FROM raw_data.wide').fetchall()"
        )
        line(f"stats of 5 of {count:,} columns", stats, "one scan of those 5", scan)
        schema_times.append(seconds)
        stats_times.append(stats)
    growth("columns (schema)", COLUMNS, schema_times)


def build_rows(path: Path, rows: int) -> None:
    """The demo at `rows` rows, built in a child process.

    Not in this one: a child's peak RSS (wait4) starts from its parent's size
    at fork, so a bench process that had built 30M rows itself (GBs) made
    every later figure report that size instead of the command's own.
    The demo command stops at 20M rows (a user's laptop); the bench wants 30M
    rows of the same shape, so the cap is lifted in that child only.
    """
    code = (
        "import datetime as dt, pathlib; from dataset_tui.warehouse import demo; "
        f"demo._MAX_ROWS = max(demo._MAX_ROWS, {rows}); "
        f"demo.build_demo(pathlib.Path({str(path)!r}), rows={rows}, seed=7, today=dt.date(2025, 6, 15))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def bench_rows(folder: Path) -> None:
    print("rows (fresh process; baseline: COUNT(*), COUNT(DISTINCT customer_id) in a plain DuckDB process)")
    if REPEAT > 1:
        print(f"  (median of {REPEAT} rounds, each round the baseline then the commands; peak RSS: the largest)")
    stats_times, analyze_times = [], []
    for rows in ROWS:
        path = Path(ROWS_DIR or folder) / f"rows_{rows}.duckdb"
        if not (ROWS_DIR and path.exists()):
            build_rows(path, rows)
        code = (
            f"import duckdb; duckdb.connect({str(path)!r}, read_only=True).execute("
            "'SELECT count(*), count(DISTINCT customer_id) FROM raw_data.transactions').fetchall()"
        )
        commands = {
            "stats": ("stats", "transactions", "--json"),
            "analyze": ("analyze", "purchases_6m", "--json", "--yes"),
            "preview": ("preview", "purchases_6m", "--json", "--yes"),
        }
        baselines: list[float] = []
        baseline_cpus: list[float] = []
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, int] = dict.fromkeys(commands, 0)
        for round_ in range(REPEAT):
            # A new store each round: stats and analysis are cached per store.
            db = folder / f"store_{rows}_{round_}"
            wh = ("--db", str(db), "--warehouse", str(path))
            run(folder, *wh, "definition", "import", str(EXAMPLE))
            baselines.append(python_seconds(code))
            baseline_cpus.append(LAST_CPU[0])
            for name, args in commands.items():
                seconds, rss, _ = run(folder, *wh, *args)
                times[name].append(seconds)
                cpus[name].append(LAST_CPU[0])
                peaks[name] = max(peaks[name], rss)
        baseline = median(baselines)
        for name in commands:
            line(f"{name}, {rows:,} rows", median(times[name]), "count + distinct users", baseline,
                 f"peak {peaks[name]} MiB")
        # The same figures as CPU time (all threads): what a busy shared host does not stretch.
        baseline_cpu = median(baseline_cpus)
        for name in commands:
            line(f"{name}, {rows:,} rows (CPU)", median(cpus[name]), "count + distinct users (CPU)", baseline_cpu)
        stats_times.append(median(times["stats"]))
        analyze_times.append(median(times["analyze"]))
        if not ROWS_DIR:
            path.unlink()
    growth("rows (stats)", ROWS, stats_times)
    growth("rows (analyze)", ROWS, analyze_times)


def bench_datasets(folder: Path) -> None:
    from bench.store import build_ours

    print("datasets (fresh process, each over `--help` in the same run)")
    save_times, list_times = [], []
    template = json.loads(EXAMPLE.read_text())
    # Files as `definition export` writes them: each column with its type, so
    # a save need not open the warehouse to fill types in.
    kinds = ("STRING", "STRING", "TIMESTAMP", "NUMERIC", "STRING")
    for column, kind in zip(template["columns"], kinds, strict=True):
        column["type"] = kind
    for count in DATASETS:
        db = folder / f"datasets_{count}"
        build_ours(db, count)
        helps = [run(folder, "--help")[0] for _ in range(3)]
        help_ = median(helps)
        saves = []
        for i in range(5):
            one = folder / f"one_{count}_{i}.json"
            one.write_text(json.dumps({**template, "name": f"bench_save_{i}"}))
            saves.append(run(folder, "--db", str(db), "definition", "import", str(one))[0])
        save = median(saves)
        lists = [run(folder, "--db", str(db), "list", "--json")[0] for _ in range(3)]
        listed = median(lists)
        line(f"one save, {count:,} datasets", save, "--help", help_, f"(+{(save - help_) * 1000:.0f} ms)")
        line(f"list --json, {count:,} datasets", listed, "--help", help_, f"(+{(listed - help_) * 1000:.0f} ms)")
        save_times.append(save - help_)
        list_times.append(listed - help_)
        bulk = folder / f"bulk_{count}"
        bulk.mkdir()
        files = []
        for i in range(200):
            f = bulk / f"d{i}.json"
            f.write_text(json.dumps({**template, "name": f"bulk_{i}"}))
            files.append(str(f))
        seconds, _, _ = run(folder, "--db", str(db), "definition", "import", *files)
        line(f"bulk import of 200 files, {count:,} datasets", seconds, "200 x one save", 200 * save)
    growth("datasets (save over --help)", DATASETS, save_times)
    growth("datasets (list over --help)", DATASETS, list_times)


def bench_wizard(folder: Path) -> None:
    from bench.wizard_scale import wizard_step

    print("wizard (in process; until the step shows; baseline: the same step on 5 tables / 20 columns)")
    small = folder / "small_tables.duckdb"
    many_tables(small, 5)
    base, base_stall = wizard_step(small, folder / "s0", columns=False)
    times = []
    for count in TABLES:
        path = folder / f"tables_{count}.duckdb"
        many_tables(path, count)
        seconds, stall = wizard_step(path, folder / f"s{count}", columns=False)
        line(f"table step, {count:,} tables", seconds, "table step, 5 tables", base,
             f"stall {stall * 1000:.0f} ms (5 tables: {base_stall * 1000:.0f} ms)")
        times.append(seconds)
    growth("wizard tables", TABLES, times)
    narrow = folder / "wide_20.duckdb"
    wide_table(narrow, 20, rows=1000)
    base, base_stall = wizard_step(narrow, folder / "c0", columns=True)
    times = []
    for count in COLUMNS:
        path = folder / f"wide_{count}.duckdb"
        wide_table(path, count, rows=1000)
        seconds, stall = wizard_step(path, folder / f"c{count}", columns=True)
        line(f"column step, {count:,} columns", seconds, "column step, 20 columns", base,
             f"stall {stall * 1000:.0f} ms (20 columns: {base_stall * 1000:.0f} ms)")
        times.append(seconds)
    growth("wizard columns", COLUMNS, times)


BENCHES = {
    "tables": bench_tables,
    "columns": bench_columns,
    "rows": bench_rows,
    "datasets": bench_datasets,
    "wizard": bench_wizard,
}


def main(argv: list[str]) -> None:
    chosen = argv or list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        raise SystemExit(f"unknown bench section(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    compile_sources()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        for name in chosen:
            sub = folder / name
            sub.mkdir()
            BENCHES[name](sub)
            shutil.rmtree(sub, ignore_errors=True)
    print(f"(peak RSS of any child: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MiB)")


if __name__ == "__main__":
    main(sys.argv[1:])

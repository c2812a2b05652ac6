"""The DuckDB adapter: types, tables, statistics, samples, queries and dry runs,
each checked against figures computed in plain Python on the same rows."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.warehouse.base import LocalWarehouse, Warehouse
from dataset_tui.warehouse.duckdb import TIB, DuckDBWarehouse

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def _rows(seed: int = 3, n: int = 400) -> list[dict[str, Any]]:
    rnd = random.Random(seed)

    def maybe(value: Any, share: float = 0.1) -> Any:
        return None if rnd.random() < share else value

    rows = []
    for k in range(n):
        start = dt.datetime(2024, 1, 1, tzinfo=UTC)
        rows.append(
            {
                "s": maybe(rnd.choice(["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "eta"])),
                "i": maybe(rnd.randint(-50, 1000)),
                "small": maybe(rnd.randint(1, 5), 0.0),
                "f": maybe(rnd.gauss(10, 3)),
                "n": maybe(Decimal(rnd.randint(-10000, 99999)) / 100),
                "d": maybe(dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randint(0, 400))),
                "d3": maybe(dt.date(2024, 5, 1) + dt.timedelta(days=rnd.randint(0, 2))),
                "ts": maybe(start + dt.timedelta(seconds=rnd.randint(0, 90 * 86400))),
                "naive": maybe(dt.datetime(2023, 3, 1) + dt.timedelta(minutes=rnd.randint(0, 5000))),
                "b": maybe(rnd.random() < 0.3),
                "id": f"row{k:04d}",
            }
        )
    return rows


COLUMNS = (
    "s VARCHAR, i BIGINT, small INTEGER, f DOUBLE, n DECIMAL(12, 2), d DATE, d3 DATE, ts TIMESTAMPTZ, "
    "naive TIMESTAMP, b BOOLEAN, id VARCHAR"
)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return _rows()


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]]) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("wh") / "stats.duckdb"
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA raw_data")
    con.execute(f"CREATE TABLE raw_data.t ({COLUMNS})")
    names = list(_rows(n=1)[0])
    con.executemany(
        f"INSERT INTO raw_data.t VALUES ({', '.join('?' for _ in names)})", [[r[c] for c in names] for r in rows]
    )
    con.execute("CREATE TABLE raw_data.empty (a BIGINT, b VARCHAR, c DATE, d DOUBLE)")
    con.execute(
        "CREATE TABLE raw_data.all_nulls AS SELECT NULL::BIGINT AS a, NULL::VARCHAR AS b, "
        "NULL::TIMESTAMPTZ AS c, NULL::DECIMAL(10, 2) AS d FROM range(7)"
    )
    con.execute(
        "CREATE TABLE raw_data.kinds (s VARCHAR NOT NULL, i INTEGER, big DECIMAL(38, 10), blob BLOB, "
        "st STRUCT(a INTEGER, inner_ STRUCT(x VARCHAR)), l VARCHAR[], m MAP(VARCHAR, INTEGER), t TIME, "
        "u UBIGINT, h HUGEINT, r REAL, ns TIMESTAMP_NS)"
    )
    con.execute(
        "INSERT INTO raw_data.kinds VALUES ('x', 1, 1.5, 'ab'::BLOB, {'a': 1, 'inner_': {'x': 'y'}}, ['p', 'q'], "
        "MAP {'k': 1}, TIME '10:00:00', 5, 6, 1.5, TIMESTAMP_NS '2024-01-01 00:00:00')"
    )
    con.close()
    return path


@pytest.fixture(scope="module")
def wh(warehouse_file: Path) -> DuckDBWarehouse:
    warehouse = DuckDBWarehouse(warehouse_file)
    yield warehouse
    warehouse.close()


def test_implements_the_protocol(wh: DuckDBWarehouse) -> None:
    assert isinstance(wh, Warehouse)
    # The demo build and imports need a file on this machine: DuckDB is one.
    assert isinstance(wh, LocalWarehouse)
    assert (wh.backend, wh.billed, wh.project) == ("duckdb", False, None)


def test_types_are_reported_under_bigquery_names(wh: DuckDBWarehouse) -> None:
    schema = wh.schema("raw_data", "kinds")
    got = {c.name: (c.type, c.mode) for c in schema.columns}
    assert got == {
        "s": ("STRING", "REQUIRED"),
        "i": ("INT64", "NULLABLE"),
        "big": ("BIGNUMERIC", "NULLABLE"),
        "blob": ("BYTES", "NULLABLE"),
        "st": ("STRUCT<a INT64, inner_ STRUCT<x STRING>>", "NULLABLE"),
        "st.a": ("INT64", "NULLABLE"),
        "st.inner_": ("STRUCT<x STRING>", "NULLABLE"),
        "st.inner_.x": ("STRING", "NULLABLE"),
        "l": ("ARRAY<STRING>", "REPEATED"),
        "m": ("ARRAY<STRUCT<key STRING, value INT64>>", "REPEATED"),
        "t": ("TIME", "NULLABLE"),
        "u": ("NUMERIC", "NULLABLE"),
        "h": ("BIGNUMERIC", "NULLABLE"),
        "r": ("FLOAT64", "NULLABLE"),
        "ns": ("DATETIME", "NULLABLE"),
    }
    main = {c.name: c.type for c in wh.schema("raw_data", "t").columns}
    assert main["ts"] == "TIMESTAMP" and main["naive"] == "DATETIME" and main["n"] == "NUMERIC"
    assert main["d"] == "DATE" and main["b"] == "BOOL" and main["f"] == "FLOAT64"


def _logical_bytes(values: list[Any], kind: str) -> int:
    """BigQuery's billed size of a column: 2 + UTF-8 length per string, 8 per INT64..., 0 per NULL."""
    present = [v for v in values if v is not None]
    if kind == "STRING":
        return sum(2 + len(v.encode("utf-8")) for v in present)
    return {"INT64": 8, "FLOAT64": 8, "NUMERIC": 16, "DATE": 8, "TIMESTAMP": 8, "DATETIME": 8, "BOOL": 1}[kind] * len(
        present
    )


def test_list_tables_counts_rows_columns_and_logical_bytes(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    infos = {t.name: t for t in wh.list_tables("raw_data")}
    assert set(infos) == {"t", "empty", "all_nulls", "kinds"}
    t = infos["t"]
    assert (t.rows, t.columns) == (len(rows), 11)
    types = wh.schema("raw_data", "t").types()
    assert t.bytes == sum(_logical_bytes([r[c] for r in rows], types[c]) for c in types)
    assert (infos["empty"].rows, infos["empty"].bytes) == (0, 0)
    assert (infos["all_nulls"].rows, infos["all_nulls"].bytes) == (7, 0)


# -- statistics against plain Python -------------------------------------------------


def _axis(value: Any) -> float:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return (aware - EPOCH) / dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return float((value - dt.date(1970, 1, 1)).days)
    return float(value)


def _expected_histogram(values: list[Any], whole_units: bool) -> list[int]:
    xs = [_axis(v) for v in values]
    if not xs:
        return []
    lo, hi = min(xs), max(xs)
    if whole_units:
        bins = int(min(10, hi - lo + 1))
        counts = [0] * bins
        for x in xs:
            counts[min(math.floor((x - lo) * bins / (hi - lo + 1)), bins - 1)] += 1
        return counts
    if hi == lo:
        return [len(xs)]
    counts = [0] * 10
    for x in xs:
        counts[min(math.floor((x - lo) / (hi - lo) * 10), 9)] += 1
    return counts


def _top(values: list[Any]) -> list[tuple[str, int]]:
    text = [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]
    ranked = sorted(Counter(text).items(), key=lambda item: (-item[1], item[0]))
    top = ranked[:5]
    rest = len(text) - sum(n for _, n in top)
    return top + ([("(other)", rest)] if rest else [])


def test_statistics_equal_python_figures_for_every_column(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    stats = wh.column_stats("raw_data", "t")
    assert stats.row_count == len(rows)
    by_name = {c.name: c for c in stats.columns}
    assert list(by_name) == ["s", "i", "small", "f", "n", "d", "d3", "ts", "naive", "b", "id"]
    for name, c in by_name.items():
        values = [r[name] for r in rows]
        present = [v for v in values if v is not None]
        assert c.count == len(rows), name
        assert c.null_count == len(values) - len(present), name
        assert c.distinct_count == len(set(present)), name
        assert c.min == min(present) and c.max == max(present), name
        if name in ("i", "small", "f", "n"):
            assert c.mean == pytest.approx(statistics.fmean(float(v) for v in present), rel=1e-9), name
            assert c.stddev == pytest.approx(statistics.stdev(float(v) for v in present), rel=1e-9), name
        else:
            assert c.mean is None and c.stddev is None, name
        if name in ("d", "d3", "ts", "naive"):
            day = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
            assert c.range_days == (day(max(present)) - day(min(present))).days, name
        else:
            assert c.range_days is None, name
        counts = [b.count for b in c.histogram]
        if name in ("s", "b", "id"):
            assert [(b.label, b.count) for b in c.histogram] == _top(present), name
        else:
            assert counts == _expected_histogram(present, whole_units=name in ("i", "small", "d", "d3")), name
            assert sum(counts) == len(present), name


def test_narrow_integer_and_date_ranges_get_one_bin_per_value(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    stats = {c.name: c for c in wh.column_stats("raw_data", "t", ["small", "d3"]).columns}
    small = Counter(r["small"] for r in rows)
    assert [(b.label, b.count) for b in stats["small"].histogram] == [(str(v), small[v]) for v in range(1, 6)]
    days = Counter(r["d3"] for r in rows if r["d3"] is not None)
    assert [(b.label, b.count) for b in stats["d3"].histogram] == [
        (day.isoformat(), days[day]) for day in sorted(days)
    ]


def test_statistics_of_an_empty_table_and_a_table_of_nulls(wh: DuckDBWarehouse) -> None:
    empty = wh.column_stats("raw_data", "empty")
    assert empty.row_count == 0
    for c in empty.columns:
        assert (c.count, c.null_count, c.distinct_count) == (0, 0, 0)
        assert (c.min, c.max, c.mean, c.stddev, c.range_days, c.histogram) == (None, None, None, None, None, ())
    nulls = wh.column_stats("raw_data", "all_nulls")
    assert nulls.row_count == 7
    for c in nulls.columns:
        assert (c.count, c.null_count, c.distinct_count) == (7, 7, 0)
        assert (c.min, c.max, c.mean, c.stddev, c.histogram) == (None, None, None, None, ())


def test_nested_and_opaque_columns_get_what_applies(wh: DuckDBWarehouse) -> None:
    stats = {c.name: c for c in wh.column_stats("raw_data", "kinds").columns}
    assert stats["st.inner_.x"].min == "y" and stats["st.inner_.x"].distinct_count == 1
    assert stats["st.a"].mean == 1.0 and stats["st.a"].stddev is None  # one value: no sample stddev
    for opaque in ("st", "l", "m"):
        assert stats[opaque].distinct_count is None and stats[opaque].null_count == 0


def test_statistics_are_one_query(wh: DuckDBWarehouse) -> None:
    import sqlglot

    sql = wh.column_stats_sql("raw_data", "t")
    assert len(sqlglot.parse(sql, read="bigquery")) == 1
    assert wh.query(sql).rows  # the very text runs, as BigQuery SQL


def test_sample_values_are_distinct_and_most_frequent_first(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    counts = Counter(r["s"] for r in rows if r["s"] is not None)
    expected = [v for v, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    assert wh.sample_values("raw_data", "t", "s", limit=3) == expected[:3]
    assert wh.sample_values("raw_data", "t", "s", limit=50) == expected
    assert wh.sample_values("raw_data", "all_nulls", "a") == []


def test_query_with_a_limit_says_when_rows_were_cut(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    ids = sorted(r["id"] for r in rows)
    cut = wh.query("SELECT id, i FROM raw_data.t ORDER BY id", limit=5)
    assert cut.columns == ("id", "i") and cut.types == ("STRING", "INT64")
    assert [r[0] for r in cut.rows] == ids[:5] and cut.truncated
    whole = wh.query("SELECT id FROM raw_data.t ORDER BY id", limit=len(rows))
    assert [r[0] for r in whole.rows] == ids and not whole.truncated
    assert wh.query("SELECT COUNT(*) AS n FROM `raw_data.t`").rows == ((len(rows),),)
    assert wh.query("SELECT id AS x, i AS x FROM raw_data.t", limit=2).columns == ("x", "x")  # as BigQuery names them


def test_dry_run_estimates_the_bytes_of_the_columns_read(wh: DuckDBWarehouse, rows: list[dict[str, Any]]) -> None:
    dry = wh.dry_run("SELECT s, i FROM raw_data.t WHERE f > 0")
    expected = sum(
        _logical_bytes([r[c] for r in rows], kind) for c, kind in (("s", "STRING"), ("i", "INT64"), ("f", "FLOAT64"))
    )
    assert dry.estimated and dry.bytes_processed == expected
    assert dry.cost_usd == pytest.approx(expected / TIB * 6.25)
    assert wh.dry_run("SELECT COUNT(*) FROM raw_data.t").bytes_processed == 0
    joined = wh.dry_run(
        "WITH x AS (SELECT id, n FROM raw_data.t) SELECT x.id, e.b FROM x JOIN raw_data.empty AS e ON e.a = x.n"
    )
    assert joined.bytes_processed == sum(
        _logical_bytes([r[c] for r in rows], kind) for c, kind in (("id", "STRING"), ("n", "NUMERIC"))
    )


def test_a_second_reader_can_open_the_file_while_this_one_has_it(wh: DuckDBWarehouse, warehouse_file: Path) -> None:
    import subprocess
    import sys

    wh.list_tables("raw_data")  # holds the file open, read-only
    code = (
        "import sys; from pathlib import Path; from dataset_tui.warehouse.duckdb import DuckDBWarehouse; "
        "print(len(DuckDBWarehouse(Path(sys.argv[1])).list_tables('raw_data')))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(warehouse_file)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"


def test_table_info_without_sizes_counts_rows_exactly_and_reads_no_values(tmp_path: Path) -> None:
    """What the statistics key needs (rows, modified) costs no scan of the values (bytes: one full scan)."""
    import duckdb

    path = tmp_path / "sizes.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.t AS SELECT 'v' || i AS s, i FROM range(1000) r(i)")
    con.execute("DELETE FROM raw_data.t WHERE i < 10")  # rows the catalog's estimate may still count
    con.close()
    warehouse = DuckDBWarehouse(path)
    seen: list[str] = []
    fetch = warehouse._fetch

    def recording(sql: str, params: Any = None, *, many: int | None = None) -> Any:
        seen.append(sql)
        return fetch(sql, params, many=many)

    warehouse._fetch = recording  # type: ignore[method-assign]
    try:
        light = warehouse.table_info("raw_data", "t", sizes=False)
        assert (light.rows, light.bytes, light.columns) == (990, None, 2)
        assert not any("strlen" in sql for sql in seen)
        full = warehouse.table_info("raw_data", "t")
        expected = sum(2 + len(f"v{i}") for i in range(10, 1000)) + 8 * 990
        assert (full.rows, full.bytes) == (990, expected)
        warehouse.column_bytes("raw_data", "t")  # measured per column (a dry run does): cached
        seen.clear()
        # Once measured, the bytes come from the cache with no scan either.
        assert warehouse.table_info("raw_data", "t", sizes=False).bytes == expected
        assert not any("strlen" in sql for sql in seen)
    finally:
        warehouse.close()

"""The DuckDB execution path made for 30M rows keeps every answer BigQuery would give.

- BigQuery's DATE_SUB/DATE_ADD stay DATEs on DuckDB (it made them TIMESTAMPs);
- a CTE read more than once is computed once (MATERIALIZED) and returns the same rows;
- statistics keep each column's first values by count, ties by key, from a heap
  instead of a sort: checked against Python's own ordering, ties at the cut included.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import duckdb
import pytest

from dataset_tui.warehouse import duckdb_stats
from dataset_tui.warehouse.column_stats import TOP_VALUES
from dataset_tui.warehouse.transpile import prepare_connection, to_duckdb


@pytest.fixture
def con() -> Any:
    connection = duckdb.connect()
    prepare_connection(connection)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("bigquery", "expected"),
    [
        ("DATE_SUB(DATE '2024-03-31', INTERVAL 1 MONTH)", dt.date(2024, 2, 29)),  # clamped to the month's end
        ("DATE_SUB(DATE '2025-06-15', INTERVAL 6 MONTH)", dt.date(2024, 12, 15)),
        ("DATE_ADD(DATE '2024-01-31', INTERVAL 1 MONTH)", dt.date(2024, 2, 29)),
        ("DATE_SUB(DATE '2024-03-01', INTERVAL 1 DAY)", dt.date(2024, 2, 29)),
    ],
)
def test_date_arithmetic_stays_a_date(con: Any, bigquery: str, expected: dt.date) -> None:
    duck = to_duckdb(f"SELECT {bigquery} AS d")
    assert con.execute(f"SELECT d, typeof(d) FROM ({duck})").fetchone() == (expected, "DATE")


def test_a_cte_read_twice_is_materialized_and_returns_the_same_rows(con: Any) -> None:
    con.execute("CREATE TABLE t AS SELECT range AS id, range % 7 AS g FROM range(1000)")
    sql = (
        "WITH once AS (SELECT id, g FROM t WHERE g < 5), "
        "twice AS (SELECT g, COUNT(*) AS n FROM once GROUP BY g) "
        "SELECT a.g, a.n, b.n AS m FROM twice AS a JOIN twice AS b ON a.g = b.g ORDER BY a.g"
    )
    duck = to_duckdb(sql)
    assert "twice AS MATERIALIZED (" in duck
    assert "once AS (" in duck  # read once: DuckDB decides
    sizes = Counter(i % 7 for i in range(1000))
    expected = [(g, sizes[g], sizes[g]) for g in range(5)]
    assert con.execute(duck).fetchall() == expected


def test_top_values_are_the_most_frequent_with_ties_by_key(con: Any) -> None:
    # 30 values: counts 3,3,3,2,2,... with ties across the TOP_VALUES cut, inserted in scrambled order.
    counts = {f"v{i:02d}": 3 if i < 3 else 2 if i < 25 else 1 for i in range(30)}
    rows = [value for value, n in counts.items() for _ in range(n)]
    rows = rows[::7] + [r for i, r in enumerate(rows) if i % 7]  # not in key order
    con.execute("CREATE TABLE s (x VARCHAR)")
    con.executemany("INSERT INTO s VALUES (?)", [(r,) for r in rows] + [(None,)] * 4)

    def fetch(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()

    row = duckdb_stats.compute_row(fetch, "s", [("x", "STRING")])
    ranked = sorted(Counter(rows).items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    assert row["c0_top"] == [{"value": v, "n": n} for v, n in ranked]
    assert row["c0_distinct"] == len(counts)
    assert row["c0_nulls"] == 4


def test_many_distinct_strings_on_a_long_table_keep_exact_counts_of_their_frequent_values(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above EXACT_TOP_MAX_DISTINCT (estimated) a STRING column is not grouped value by value.

    Its frequent values come from a sample and are counted exactly over the
    whole table; its distinct count is the flagged estimate. A column with
    few values is still grouped exactly.
    """
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    path = tmp_path / "long.duckdb"
    build = duckdb.connect(str(path))
    build.execute("CREATE SCHEMA raw_data")
    # 60,000 rows: ids unique except three frequent placeholders (10%, 5%, 2.5%); a 4-valued channel.
    build.execute(
        "CREATE TABLE raw_data.t AS SELECT CASE WHEN range % 10 = 0 THEN 'unknown' "
        "WHEN range % 20 = 1 THEN 'n/a' WHEN range % 40 = 3 THEN '-' ELSE 'id' || range END AS id, "
        "['web', 'app', 'store', 'mail'][range % 4 + 1] AS channel FROM range(60000)"
    )
    ids = [r[0] for r in build.execute("SELECT id FROM raw_data.t").fetchall()]
    build.close()
    monkeypatch.setattr(duckdb_stats, "EXACT_DISTINCT_MAX_ROWS", 1000)
    monkeypatch.setattr(duckdb_stats, "EXACT_TOP_MAX_DISTINCT", 1000)
    stats = DuckDBWarehouse(path).column_stats("raw_data", "t")
    id_stats, channel_stats = stats.columns
    counts = Counter(ids)
    assert id_stats.approximate_distinct and abs(id_stats.distinct_count - len(counts)) < len(counts) * 0.05
    top = [(b.label, b.count) for b in id_stats.histogram][:3]
    assert top == [(v, n) for v, n in counts.most_common(3)] == [("unknown", 6000), ("n/a", 3000), ("-", 1500)]
    assert sum(b.count for b in id_stats.histogram) == len(ids)  # the "(other)" bin holds the rest
    assert channel_stats.distinct_count == 4
    assert sorted((b.label, b.count) for b in channel_stats.histogram) == sorted(
        {"web": 15000, "app": 15000, "store": 15000, "mail": 15000}.items()
    )
    # Only the many-valued column is sampled; the 4-valued one is grouped value by value.
    queries: list[str] = []
    reader = duckdb.connect(str(path), read_only=True)

    def fetch(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        queries.append(sql)
        cursor = reader.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()

    duckdb_stats.compute_row(fetch, "raw_data.t", [("id", "STRING"), ("channel", "STRING")], approx_distinct=True)
    reader.close()
    # One sample of both STRING columns decides which is many-valued (and gives its
    # candidates); only that one pays for a distinct estimate over every row.
    sampled = [q for q in queries if "TABLESAMPLE" in q]
    assert len(sampled) == 1 and '"id"' in sampled[0] and '"channel"' in sampled[0]
    (aggregates,) = [q for q in queries if "row_count" in q]
    assert 'approx_count_distinct(t."id")' in aggregates and 'approx_count_distinct(t."channel")' not in aggregates
    # Its candidates are counted by a filtered query of their own (the scan skips row
    # groups by min/max), not as a key of the groups' pass over every row.
    grouped = [q for q in queries if ("GROUP BY GROUPING SETS" in q or "UNNEST" in q) and q not in sampled]
    assert grouped and not any('"id"' in q for q in grouped)
    assert len([q for q in queries if 'WHERE t."id" IN (' in q]) == 1


def test_a_column_a_sample_misjudges_as_few_valued_is_still_counted_exactly(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values in runs fool a sample of whole vectors: the column is grouped value by value, exactly.

    2,000 values, each in a run of 30 consecutive rows: a ~4,000-row sample holds
    a few hundred, under the many-valued threshold (1,000 here), though the table
    holds 2,000. The price is a grouping of every row; the counts stay exact.
    """
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    path = tmp_path / "runs.duckdb"
    build = duckdb.connect(str(path))
    build.execute("CREATE SCHEMA raw_data")
    build.execute("CREATE TABLE raw_data.t AS SELECT 'r' || (range // 30) AS run FROM range(60000)")
    values = [r[0] for r in build.execute("SELECT run FROM raw_data.t").fetchall()]
    build.close()
    monkeypatch.setattr(duckdb_stats, "EXACT_DISTINCT_MAX_ROWS", 1000)
    monkeypatch.setattr(duckdb_stats, "EXACT_TOP_MAX_DISTINCT", 1000)
    monkeypatch.setattr(duckdb_stats, "SAMPLE_ROWS", 4096)
    (run,) = DuckDBWarehouse(path).column_stats("raw_data", "t").columns
    counts = Counter(values)
    assert run.distinct_count == len(counts) == 2000  # exact: counted from its groups, not estimated
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_VALUES]
    assert [(b.label, b.count) for b in run.histogram][:TOP_VALUES] == ranked
    assert sum(b.count for b in run.histogram) == len(values)

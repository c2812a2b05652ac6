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

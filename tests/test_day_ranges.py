"""A date window on a stored timestamp runs on DuckDB as a timestamp range: the same rows.

`DATE(ts) BETWEEN a AND b` (what the generator writes, whatever ts's type)
becomes `ts >= a AND ts < b + 1 day` on DuckDB when the catalog says ts is a
TIMESTAMP or DATETIME: the cast per row was ~1 s CPU at 30M rows. The rows are
compared with the untouched transpiled text on instants at each edge of the
window (the first and last microsecond of a day, midnight after it, NULL),
and the plan is read for the cast being gone. A day to group by (DATE(ts)
elsewhere) is counted from the stored microseconds: the days are compared
with the cast's, before 1970 and near the year 9999 too, through CTEs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

import duckdb_exec
from dataset_tui.warehouse.day_ranges import ranged_day_filters
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from dataset_tui.warehouse.transpile import prepare_connection, to_duckdb

UTC = dt.UTC
START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)


def _instants() -> list[dt.datetime | None]:
    out: list[dt.datetime | None] = [None]
    far = (dt.date(1969, 12, 31), dt.date(1900, 2, 28), dt.date(2300, 1, 1), dt.date(9999, 12, 30))
    for day in (START - dt.timedelta(days=1), START, END, END + dt.timedelta(days=1), *far):
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=UTC)
        out += [midnight, midnight + dt.timedelta(hours=12), midnight + dt.timedelta(days=1, microseconds=-1)]
    return out


@pytest.fixture
def warehouse(tmp_path: Path) -> Any:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    prepare_connection(con)
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.t (id INTEGER, ts TIMESTAMPTZ, local_ts TIMESTAMP, day DATE, text VARCHAR)")
    rows = []
    for i, instant in enumerate(_instants()):
        naive = None if instant is None else instant.replace(tzinfo=None)
        day = None if instant is None else instant.date()
        rows.append((i, instant, naive, day, None if day is None else day.isoformat()))
    con.executemany("INSERT INTO raw_data.t VALUES (?, ?, ?, ?, ?)", rows)
    con.close()
    return DuckDBWarehouse(path)


def _window(column: str, start: str = f"DATE '{START}'", end: str = f"DATE '{END}'") -> str:
    return f"SELECT `id` FROM `raw_data.t` AS `t` WHERE DATE(`t`.`{column}`) BETWEEN {start} AND {end} ORDER BY `id`"


@pytest.mark.parametrize("column", ["ts", "local_ts", "day", "text"])
@pytest.mark.parametrize(
    "bounds",
    [
        (f"DATE '{START}'", f"DATE '{END}'"),
        (f"DATE_SUB(DATE '{END}', INTERVAL 1 MONTH)", f"DATE '{END}'"),
        (f"DATE '{END}'", f"DATE '{START}'"),  # an empty window stays empty
    ],
)
def test_the_warehouse_returns_the_rows_of_the_cast(warehouse: Any, column: str, bounds: tuple[str, str]) -> None:
    sql = _window(column, *bounds)
    plain = duckdb.connect(str(warehouse.path), read_only=True)
    prepare_connection(plain)
    expected = plain.execute(to_duckdb(sql)).fetchall()
    plain.close()
    got = [tuple(r) for r in warehouse.query(sql).rows]
    assert got == expected
    if bounds[0] == f"DATE '{START}'" and bounds[1] == f"DATE '{END}'":
        assert len(got) == 6  # 00:00, 12:00 and the last microsecond of START and of END


@pytest.mark.parametrize(("column", "rewritten"), [("ts", True), ("local_ts", True), ("day", False), ("text", False)])
def test_only_stored_timestamps_are_compared_as_ranges(warehouse: Any, column: str, rewritten: bool) -> None:
    duck = warehouse._transpile(_window(column))
    assert (f'CAST("t"."{column}" AS DATE)' not in duck) is rewritten
    assert (f'"t"."{column}" >= CAST(' in duck) is rewritten


def test_the_range_runs_inside_the_scan(warehouse: Any) -> None:
    """No per-row cast is left: DuckDB pushes the comparisons into the table scan as filters."""
    plain = duckdb.connect(str(warehouse.path), read_only=True)
    prepare_connection(plain)
    duck = duckdb_exec.warehouse_sql(plain, _window("ts"))
    (_kind, plan), *_ = plain.execute("EXPLAIN " + duck).fetchall()
    plain.close()
    assert "CAST(ts AS DATE)" not in plan and "ts>=" in plan.replace(" ", "")


def test_columns_not_from_a_stored_table_are_left_alone() -> None:
    """A CTE's column has no stored type to read: the text is unchanged (and no lookup is made)."""
    sql = to_duckdb(
        "WITH `base` AS (SELECT CURRENT_TIMESTAMP() AS `ts`) SELECT * FROM `base` "
        "WHERE DATE(`base`.`ts`) BETWEEN DATE '2025-01-01' AND CURRENT_DATE()"
    )

    def no_lookup(dataset: str, table: str, column: str) -> str | None:
        raise AssertionError(f"looked up {dataset}.{table}.{column}")

    assert ranged_day_filters(sql, no_lookup) == sql


DAYS = (
    "WITH `moments` AS (SELECT `t`.`ts` AS `moment`, `t`.`id` FROM `raw_data.t` AS `t`), "
    "`kept` AS (SELECT * FROM `moments` WHERE `id` >= 0) "
    "SELECT DATE(`moment`) AS `day`, COUNT(*) AS `n` FROM `kept` GROUP BY DATE(`moment`) ORDER BY `day`"
)


def test_days_to_group_by_are_the_days_of_the_cast(warehouse: Any) -> None:
    plain = duckdb.connect(str(warehouse.path), read_only=True)
    prepare_connection(plain)
    expected = plain.execute(to_duckdb(DAYS)).fetchall()
    plain.close()
    assert [tuple(r) for r in warehouse.query(DAYS).rows] == expected
    assert len(expected) == 9  # 8 days with 3 instants each, and NULL
    assert "AS DATE)" not in warehouse._transpile(DAYS).replace("CAST('1970-01-01' AS DATE)", "")

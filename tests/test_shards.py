"""Date-sharded families: detection, suffix bounds, and the DuckDB union of shards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dataset_tui.domain.shards import ShardFamily, group_shards, suffix_bounds


def test_families_are_found_and_plain_tables_kept_in_order() -> None:
    names = [
        "customers",
        "events_20240102",
        "events_20240101",
        "events_intraday_20240103",
        "events_intraday_20240104",
        "report_20240101",
        "orders",
        "events_20241301",
    ]
    plain, families = group_shards(names)
    assert plain == ["customers", "orders", "events_20241301", "report_20240101"]
    assert families == [
        ShardFamily("events_", ("20240101", "20240102")),
        ShardFamily("events_intraday_", ("20240103", "20240104")),
    ]
    assert families[0].name == "events_*"
    assert (families[0].first, families[0].last, families[0].count) == (dt.date(2024, 1, 1), dt.date(2024, 1, 2), 2)
    assert families[0].newest_table == "events_20240102"


def test_a_thousand_shards_group_in_one_pass() -> None:
    first = dt.date(2023, 1, 1)
    names = [f"events_{(first + dt.timedelta(days=i)):%Y%m%d}" for i in range(1100)] + ["t1", "t2"]
    plain, families = group_shards(names)
    assert plain == ["t1", "t2"]
    assert len(families) == 1 and families[0].count == 1100
    assert families[0].tables_between("20230110", "20230112") == [
        "events_20230110",
        "events_20230111",
        "events_20230112",
    ]


def test_suffix_bounds_leave_a_day_of_slack_each_side() -> None:
    assert suffix_bounds(dt.date(2024, 3, 1), dt.date(2024, 3, 31)) == ("20240229", "20240401")
    assert suffix_bounds(None, dt.date(2024, 1, 1)) == (None, "20240102")


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import duckdb

    path = tmp_path_factory.mktemp("shards") / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    for day in range(1, 6):
        extra = ", 'x' AS added_later" if day >= 4 else ""
        con.execute(
            f"CREATE TABLE raw_data.events_2024010{day} AS SELECT 'u' || (range % 3) AS user_id, "
            f"{day} * 100 + range AS n{extra} FROM range(10)"
        )
    con.execute("CREATE TABLE raw_data.events_other AS SELECT 1 AS n")
    con.close()
    return path


def _run(path: Path, bigquery_sql: str) -> list[tuple[object, ...]]:
    import duckdb

    from dataset_tui.warehouse.transpile import to_duckdb
    from dataset_tui.warehouse.wildcard import expand_wildcards

    con = duckdb.connect(str(path), read_only=True)

    def shards(dataset: str, prefix: str) -> list[str]:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND starts_with(table_name, ?) ORDER BY 1",
            [dataset, prefix],
        ).fetchall()
        return [r[0] for r in rows]

    try:
        return con.execute(expand_wildcards(to_duckdb(bigquery_sql), shards)).fetchall()
    finally:
        con.close()


def test_wildcard_reads_the_shards_in_suffix_bounds(sharded: Path) -> None:
    rows = _run(
        sharded,
        "SELECT _TABLE_SUFFIX AS s, count(*) AS c, sum(n) AS total FROM `raw_data.events_2024*` AS `events_2024*` "
        "WHERE _TABLE_SUFFIX BETWEEN '0102' AND '0104' GROUP BY s ORDER BY s",
    )
    expected = [(f"010{d}", 10, sum(d * 100 + i for i in range(10))) for d in (2, 3, 4)]
    assert rows == expected


def test_wildcard_without_bounds_is_every_shard_and_missing_columns_read_null(sharded: Path) -> None:
    rows = _run(sharded, "SELECT count(*), count(added_later) FROM `raw_data.events_2024*` AS e")
    assert rows == [(50, 20)]


def test_no_shard_in_range_gives_no_rows(sharded: Path) -> None:
    rows = _run(sharded, "SELECT count(*) FROM `raw_data.events_2024*` AS e WHERE _TABLE_SUFFIX >= '0201'")
    assert rows == [(0,)]


def test_no_shard_in_range_still_has_the_columns(sharded: Path) -> None:
    rows = _run(sharded, "SELECT user_id, n FROM `raw_data.events_2024*` AS e WHERE _TABLE_SUFFIX >= '0201'")
    assert rows == []

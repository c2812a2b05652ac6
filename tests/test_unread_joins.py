"""A LEFT JOIN whose columns nothing reads joins only its duplicate keys on DuckDB: the same rows.

The analysis selects only the role columns, so its joins to a products (or
customers) table are there for the row counts alone; the DuckDB warehouse
then joins only the keys that occur more than once (`unread_joins`). These
tests run the analysis with joined tables that have duplicate, single and
missing keys against the Python reference (`sqlref`), check that the
rewrite did happen there, and check each case where it must not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

import duckdb_exec
import sqlref
from dataset_tui.domain.analysis_query import analysis_sql
from dataset_tui.domain.definition import Definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.warehouse.transpile import to_duckdb
from dataset_tui.warehouse.unread_joins import unread_left_joins
from sqlref import FIXED_DAY, make, tables  # noqa: F401  (pytest fixtures)

REWRITTEN = "QUALIFY COUNT(*) OVER"

# p00 three times, p01 twice, p02-p09 once, the rest never; NULL keys (never equal) and a key no row has, twice.
TAGS = (
    [{"product_id": "p00", "tag": t} for t in ("a", "b", "c")]
    + [{"product_id": "p01", "tag": t} for t in ("a", None)]
    + [{"product_id": f"p{i:02d}", "tag": "x"} for i in range(2, 10)]
    + [{"product_id": None, "tag": "n"}, {"product_id": None, "tag": "m"}]
    + [{"product_id": "zz", "tag": "z"}, {"product_id": "zz", "tag": "z"}]
)


@pytest.fixture(scope="module")
def tagged(tables: sqlref.Tables) -> sqlref.Tables:
    return {**tables, "product_tags": TAGS}


@pytest.fixture(scope="module")
def con(tagged: sqlref.Tables) -> Iterator[Any]:
    connection = duckdb_exec.connect()
    sqlref.load(connection, tagged)
    yield connection
    connection.close()


def _tags_join(left: str = "transactions.product_id", kind: str = "left") -> dict[str, Any]:
    return {"table": "product_tags", "type": kind, "on": [{"left": left, "right": "product_tags.product_id"}]}


TAG_COLUMN = {"table": "product_tags", "name": "tag", "type": "STRING"}
CUSTOMERS_JOIN = {
    "table": "customers",
    "type": "left",
    "on": [{"left": "transactions.customer_id", "right": "customers.customer_id"}],
}
COUNTRY = {"table": "customers", "name": "country", "type": "STRING"}

DEFINITIONS = {
    "tags-all-filters": make(
        date_range=sqlref.ROLLING_PART, top=70, min_tx=2, split=sqlref.RANDOM_PART,
        extra_columns=[TAG_COLUMN], extra_joins=[_tags_join()],
    ),
    "tags-after-a-chain": make(
        top=60, min_tx=3, split=sqlref.TIME_PART, joins=2,
        extra_columns=[TAG_COLUMN], extra_joins=[_tags_join("products.product_id")],
    ),
    "tags-and-customers": make(
        date_range=sqlref.FIXED_PART, min_tx=2, split=sqlref.RANDOM_PART, joins=1,
        extra_columns=[TAG_COLUMN, COUNTRY], extra_joins=[_tags_join(), CUSTOMERS_JOIN],
    ),
    "tags-inner": make(top=70, extra_columns=[TAG_COLUMN], extra_joins=[_tags_join(kind="inner")]),
}  # fmt: skip


def _check_analysis(con: Any, tagged: sqlref.Tables, definition: Definition) -> None:
    names, rows = duckdb_exec.run(con, analysis_sql(definition, SqlContext(as_of=FIXED_DAY)))
    records = [dict(zip(names, r, strict=True)) for r in rows]
    total, days = records[0], records[1:]
    want = sqlref.expected_analysis(definition, tagged, FIXED_DAY)
    for field in ("rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "null_key_rows"):
        assert total[field] == want[field], field
    assert total["total_revenue"] == pytest.approx(want["total_revenue"])
    assert {r["day"]: r["rows"] for r in days} == want["days"]


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_analysis_over_duplicate_keys_matches_the_reference(con: Any, tagged: sqlref.Tables, name: str) -> None:
    definition = DEFINITIONS[name]
    _check_analysis(con, tagged, definition)
    duck = duckdb_exec.warehouse_sql(con, analysis_sql(definition, SqlContext(as_of=FIXED_DAY)))
    # Every left join was rewritten (product_tags; brands in the chain; products and customers);
    # not an inner join, nor the products a later join's ON reads (in the chain).
    expected = {"tags-all-filters": 1, "tags-after-a-chain": 2, "tags-and-customers": 3, "tags-inner": 0}[name]
    assert duck.count(REWRITTEN) == expected


def test_the_duplicates_do_change_the_counts(con: Any, tagged: sqlref.Tables) -> None:
    """Without the duplicate keys the counts differ: the rewritten join still multiplies rows."""
    definition = DEFINITIONS["tags-all-filters"]
    joined = sqlref.expected_analysis(definition, tagged, FIXED_DAY)
    alone = sqlref.expected_analysis(make(date_range=sqlref.ROLLING_PART, top=70, min_tx=2, split=sqlref.RANDOM_PART),
                                     tagged, FIXED_DAY)  # fmt: skip
    assert joined["rows"] > alone["rows"]
    _check_analysis(con, tagged, definition)


def test_rows_that_read_the_joined_columns_are_not_rewritten(con: Any, tagged: sqlref.Tables) -> None:
    definition = DEFINITIONS["tags-all-filters"]
    sql = generate_sql(definition, "full", as_of=FIXED_DAY)
    assert REWRITTEN not in duckdb_exec.warehouse_sql(con, sql)
    got = duckdb_exec.run(con, sql)[1]
    assert Counter(got) == Counter(sqlref.expected_rows(definition, tagged, FIXED_DAY))


@pytest.fixture(scope="module")
def plain() -> Iterator[Any]:
    connection = duckdb_exec.connect()
    connection.execute("CREATE SCHEMA s")
    connection.execute("CREATE TABLE s.t (k VARCHAR, n BIGINT, f DOUBLE, v INTEGER)")
    connection.execute("CREATE TABLE s.p (k VARCHAR, n BIGINT, f DOUBLE, v VARCHAR, w INTEGER)")
    connection.execute(
        "INSERT INTO s.t VALUES ('a', 1, 0.0, 1), ('b', 2, -0.0, 2), ('c', 3, 1.5, 3), (NULL, 1, NULL, 1)"
    )
    connection.execute(
        "INSERT INTO s.p VALUES ('a', 1, 0.0, '1', 1), ('a', 1, -0.0, '01', 1), ('b', 2, 1.5, '2', 2), "
        "(NULL, NULL, NULL, NULL, NULL), (NULL, NULL, NULL, NULL, NULL)"
    )
    yield connection
    connection.close()


def _rewrite(con: Any, sql: str) -> str:
    def duckdb_type(dataset: str, table: str, column: str) -> str | None:
        from dataset_tui.warehouse.unread_joins import stored_duckdb_type

        return stored_duckdb_type(lambda q, p: con.execute(q, p).fetchall(), dataset, table, column)

    return unread_left_joins(to_duckdb(sql), duckdb_type)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",
        "SELECT t.k, COUNT(*) AS c FROM s.t AS t LEFT OUTER JOIN s.p AS p ON p.k = t.k AND t.n = p.n GROUP BY t.k",
        "WITH x AS (SELECT t.k AS key FROM s.t AS t) SELECT x.key FROM x AS x LEFT JOIN s.p AS p ON x.key = p.k",
    ],
)
def test_a_join_only_for_its_rows_is_rewritten_and_gives_the_same_rows(plain: Any, sql: str) -> None:
    rewritten = _rewrite(plain, sql)
    assert REWRITTEN in rewritten
    assert Counter(plain.execute(rewritten).fetchall()) == Counter(plain.execute(to_duckdb(sql)).fetchall())


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT t.k, p.v FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",  # a joined column is read
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k WHERE p.v IS NULL",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k LEFT JOIN s.t AS u ON u.k = p.v",
        "SELECT t.k, (SELECT MAX(p.n)) AS m FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",
        "SELECT k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",  # unqualified: might be p's
        "SELECT * FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",
        "SELECT t.* FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k",
        "SELECT t.k FROM s.t AS t INNER JOIN s.p AS p ON t.k = p.k",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k OR t.n = p.n",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.n < p.n",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.k = p.k AND t.n = 1",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.f = p.f",  # DOUBLE: -0.0 = 0.0, grouped apart
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.v = p.v",  # INTEGER = VARCHAR: a cast
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p ON t.v = p.w AND t.v = p.n",  # INTEGER = BIGINT: a cast
        "SELECT t.k FROM s.t AS t LEFT JOIN (SELECT * FROM s.p) AS p ON t.k = p.k",
        "SELECT t.k FROM s.t AS t LEFT JOIN s.p AS p USING (k)",
    ],
)
def test_a_join_that_decides_more_than_the_rows_is_kept(plain: Any, sql: str) -> None:
    assert ') AS "p"' not in _rewrite(plain, sql)  # the join to p is as written

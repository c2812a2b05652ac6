"""Running BigQuery SQL on DuckDB: sqlglot transpiling plus FARM_FINGERPRINT.

The product generates BigQuery GoogleSQL only; the embedded warehouse runs the
same text after this translation, so a local result is what BigQuery returns.
FarmHash `fingerprint64` read as a signed 64-bit integer equals BigQuery's
FARM_FINGERPRINT, so a local random split puts every key exactly where
BigQuery will.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=256)
def to_duckdb(sql: str) -> str:
    """Translate one BigQuery statement into DuckDB SQL (cached: screens rerun the same query)."""
    import sqlglot
    from sqlglot import exp

    trees = [t for t in sqlglot.parse(sql, read="bigquery") if t is not None]
    if len(trees) != 1:
        raise ValueError(f"expected one SQL statement, got {len(trees)}")
    tree = trees[0]
    for node in list(tree.find_all(exp.UnixSeconds)):
        # BigQuery's UNIX_SECONDS rounds down to the second; sqlglot's CAST(EPOCH(x) AS BIGINT)
        # rounds to the nearest, a second late for half the sub-second timestamps.
        floor = f"CAST(FLOOR(UNIX_MICROS({node.this.sql('bigquery')}) / 1000000) AS INT64)"
        node.replace(sqlglot.parse_one(floor, read="bigquery"))
    _dates_stay_dates(tree)
    _materialize_shared_ctes(tree)
    duck = tree.sql(dialect="duckdb")
    if "UNNEST" in duck.upper():
        duck = _qualify_unnest_fields(duck)
    return duck


def _dates_stay_dates(tree: Any) -> None:
    """Keep BigQuery's DATE_ADD/DATE_SUB a DATE on DuckDB.

    BigQuery's DATE_SUB(DATE, INTERVAL n MONTH) is a DATE; DuckDB's
    ``date - INTERVAL`` is a TIMESTAMP (midnight of the same day, the same
    end-of-month clamping), so ``DATE(ts) BETWEEN DATE_SUB(..) AND ..`` made
    DuckDB cast every row's DATE back to a TIMESTAMP to compare: the same
    answer, at a cost on every row of a 30M-row scan. Casting the bound to DATE
    once keeps the comparison DATE to DATE.
    """
    from sqlglot import exp

    for node in list(tree.find_all(exp.DateSub, exp.DateAdd)):
        node.replace(exp.Cast(this=node.copy(), to=exp.DataType.build("DATE")))


def _materialize_shared_ctes(tree: Any) -> None:
    """Compute a CTE read more than once a single time on DuckDB (BigQuery decides alone).

    The analysis query reads the date-filtered rows four times (product
    revenue, active users, the kept rows, the revenue total); DuckDB inlined
    that CTE and filtered the whole base again for each read. MATERIALIZED
    computes it once; rows and their order are the same either way (a CTE has
    no side effects), so only the DuckDB text changes.
    """
    from sqlglot import exp

    for with_ in list(tree.find_all(exp.With)):
        if with_.args.get("recursive") or with_.parent is None:
            continue
        names = {cte.alias_or_name.lower(): cte for cte in with_.expressions}
        reads: dict[str, int] = {}
        for table in with_.parent.find_all(exp.Table):
            if not table.args.get("db") and table.name.lower() in names:
                reads[table.name.lower()] = reads.get(table.name.lower(), 0) + 1
        for name, count in reads.items():
            if count > 1 and names[name].args.get("materialized") is None:
                names[name].set("materialized", True)


def _qualify_unnest_fields(duck_sql: str) -> str:
    """Make `element.field` of an unnested array unambiguous on DuckDB.

    BigQuery's ``CROSS JOIN UNNEST(t.items) AS items`` makes ``items`` a range
    variable, which wins over the column ``t.items``; sqlglot writes it as
    ``UNNEST(t.items) AS _t1(items)``, where DuckDB finds two columns called
    ``items`` (``t.items`` and ``_t1.items``) and refuses ``items.item_id``.
    Prefixing the field path with the unnest's table alias (``_t1.items.item_id``)
    names the element, as BigQuery means.
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(duck_sql, read="duckdb")
    for unnest in list(tree.find_all(exp.Unnest)):
        alias = unnest.args.get("alias")
        if not isinstance(alias, exp.TableAlias) or len(alias.columns) != 1 or not alias.name:
            continue
        element = alias.columns[0].name
        scope = unnest.find_ancestor(exp.Select)
        if scope is None:
            continue
        for column in list(scope.find_all(exp.Column)):
            parts = column.parts
            if len(parts) < 2 or parts[0].name != element:
                continue
            head = exp.column(exp.to_identifier(element, quoted=True), table=exp.to_identifier(alias.name))
            column.replace(exp.Dot.build([head, *(p.copy() for p in parts[1:])]))
    return tree.sql(dialect="duckdb")


def farm_fingerprint(value: str | None) -> int | None:
    """BigQuery's FARM_FINGERPRINT(STRING): FarmHash fingerprint64 as signed INT64."""
    return None if value is None else _fingerprint_not_null(value)


def _fingerprint_not_null(value: str) -> int:
    import farmhash

    unsigned: int = farmhash.fingerprint64(value)
    return unsigned - (1 << 64) if unsigned >= (1 << 63) else unsigned


def _row_fingerprint() -> Any:
    """The function DuckDB calls once per row: no import and no global lookups inside.

    DuckDB's Python UDFs (without pyarrow) are called row at a time, so the
    per-call overhead is the cost on a 30M-row split: the module import and
    the constants are bound once here, not looked up on every call.
    """
    import farmhash

    fingerprint64 = farmhash.fingerprint64
    top, wrap = 1 << 63, 1 << 64

    def fingerprint(value: str) -> int:
        unsigned: int = fingerprint64(value)
        return unsigned - wrap if unsigned >= top else unsigned

    return fingerprint


def register_farm_fingerprint(con: Any) -> None:
    """Register `farm_fingerprint(VARCHAR) -> BIGINT` on a DuckDB connection."""
    from duckdb.sqltypes import BIGINT, VARCHAR

    # Default null handling: NULL in gives NULL out without calling Python.
    # side_effects=False (the default) lets DuckDB compute a repeated
    # expression once per row.
    con.create_function("farm_fingerprint", _row_fingerprint(), [VARCHAR], BIGINT)


def prepare_connection(con: Any) -> None:
    """What every DuckDB connection running our SQL needs: UTC and FARM_FINGERPRINT."""
    con.execute("SET TimeZone = 'UTC'")
    register_farm_fingerprint(con)

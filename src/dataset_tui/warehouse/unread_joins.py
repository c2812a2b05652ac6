"""A LEFT JOIN whose columns nothing reads joins only its duplicate keys on DuckDB (same rows, less work).

Such a join still counts: a row whose key matches n > 1 rows of the joined
table comes out n times, so the analysis (which reads no column of a joined
products table, only the transactions' own columns) keeps the join for the
counts to be BigQuery's. But it decides nothing else: a row comes out
max(1, n) times, whatever the joined columns hold. Joining only the rows of
the joined table whose key occurs more than once gives every row the same
max(1, n): a key with n >= 2 rows keeps all of them, a key with one row or
none gives one row either way. On the 30M-row demo (unique product ids) that
table is empty, and DuckDB skips probing an empty hash table: ~1 s CPU of a
six-month analysis saved.

Rewritten only when that reasoning holds, else left as it is:

- the join is a plain LEFT [OUTER] JOIN (no USING, NATURAL) of a stored table;
- its ON is a conjunction of equalities, each between a column of that table
  and a column of another FROM item that resolves to a stored column
  (through CTEs, as `day_ranges` follows them) of exactly the same DuckDB type,
  one for which grouping and `=` agree (strings, integers, dates, booleans:
  not floats, where -0.0 = 0.0, nor a comparison that casts);
- nothing else in that SELECT (projections, WHERE, other joins, subqueries)
  names the table's alias, no column is unqualified (it might be one of the
  table's), and there is no `*` projection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# DuckDB types whose GROUP BY equality is `=` (a key grouped with another is equal to it, and back).
EXACT_KEY_TYPES = frozenset(
    {"VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT",
     "UTINYINT", "DATE", "BOOLEAN"}
)  # fmt: skip

DuckType = Callable[[str, str, str], "str | None"]  # (dataset, table, column) → DuckDB type, None if unknown
Rows = Callable[[str, list[str]], list[tuple[Any, ...]]]  # (DuckDB SQL, parameters) → rows


def stored_duckdb_type(rows: Rows, dataset: str, table: str, column: str) -> str | None:
    """The DuckDB type of one stored top-level column (names ignore case), None if there is none."""
    from dataset_tui.warehouse.day_ranges import stored_types

    return stored_types(rows, dataset, table).get(column.lower())


def unread_left_joins(duck_sql: str, column_type: DuckType) -> str:
    """`duck_sql` with each LEFT JOIN whose columns nothing reads joining only its duplicate keys."""
    if "LEFT" not in duck_sql.upper():
        return duck_sql
    import sqlglot
    from sqlglot import exp

    from dataset_tui.warehouse.day_ranges import cte_bodies

    tree = sqlglot.parse_one(duck_sql, read="duckdb")
    ctes = cte_bodies(tree)
    changed = False
    for select in list(tree.find_all(exp.Select)):
        # Every join judged on the SELECT as written, before any is replaced.
        judged = [
            (join, _multiplicity_only_keys(select, join, ctes, column_type)) for join in select.args.get("joins") or []
        ]
        for join, keys in judged:
            if keys is not None:
                join.set("this", _duplicate_keys(join.this, keys))
                changed = True
    return tree.sql(dialect="duckdb") if changed else duck_sql


def _multiplicity_only_keys(select: Any, join: Any, ctes: dict[str, Any], column_type: DuckType) -> list[str] | None:
    """The joined table's key columns when `join` only multiplies rows (see the module text), else None."""
    from sqlglot import exp

    from dataset_tui.warehouse.day_ranges import stored_column

    table, on = join.this, join.args.get("on")
    if (
        (join.side or "").upper() != "LEFT"
        or (join.kind or "").upper() not in ("", "OUTER")
        or join.args.get("using")
        or join.args.get("method")
        or on is None
        or not isinstance(table, exp.Table)
        or not table.db
        or table.catalog
    ):
        return None
    alias = table.alias_or_name.lower()
    if any(s.alias_or_name.lower() == alias for s in _sources(select) if s is not table):
        return None
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in select.expressions):
        return None
    for column in select.find_all(exp.Column):
        inside_on = column.find_ancestor(exp.Join) is join
        if not column.table or (column.table.lower() == alias and not inside_on):
            return None
    keys: dict[str, str] = {}
    for condition in on.flatten() if isinstance(on, exp.And) else [on]:
        pair = _key_pair(condition, alias)
        if pair is None:
            return None
        own, other = pair
        found = stored_column(select, other, ctes)
        own_type = column_type(table.db, table.name, own.name)
        if found is None or own_type is None or own_type.upper() not in EXACT_KEY_TYPES:
            return None
        if column_type(*found) != own_type:
            return None
        keys.setdefault(own.name.lower(), own.name)
    return list(keys.values())


def _key_pair(condition: Any, alias: str) -> tuple[Any, Any] | None:
    """(the joined table's column, the other column) of `own = other` in either order, else None."""
    from sqlglot import exp

    if not isinstance(condition, exp.EQ):
        return None
    left, right = condition.this, condition.expression
    if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
        return None
    if left.table.lower() == alias and right.table.lower() != alias:
        return left, right
    if right.table.lower() == alias and left.table.lower() != alias:
        return right, left
    return None


def _sources(select: Any) -> list[Any]:
    from_ = select.args.get("from_") or select.args.get("from")  # the key sqlglot 30 uses, and older ones
    return ([from_.this] if from_ is not None else []) + [j.this for j in select.args.get("joins") or []]


def _duplicate_keys(table: Any, keys: list[str]) -> Any:
    """`(SELECT keys FROM table QUALIFY COUNT(*) OVER (PARTITION BY keys) > 1) AS alias`."""
    import sqlglot
    from sqlglot import exp

    alias = table.alias_or_name
    stored = table.copy()
    stored.set("alias", None)
    names = ", ".join(exp.to_identifier(k, quoted=True).sql(dialect="duckdb") for k in keys)
    inner = f"SELECT {names} FROM {stored.sql(dialect='duckdb')} QUALIFY COUNT(*) OVER (PARTITION BY {names}) > 1"
    select = sqlglot.parse_one(inner, read="duckdb")
    assert isinstance(select, exp.Select)
    return select.subquery(exp.to_identifier(alias, quoted=True))

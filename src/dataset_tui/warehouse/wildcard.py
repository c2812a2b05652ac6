"""BigQuery wildcard tables (`` `ds.events_*` ``) on DuckDB: the union of the shards.

BigQuery reads ``events_*`` as every table whose name starts with ``events_``,
with a ``_TABLE_SUFFIX`` pseudo-column holding the rest of each name; a
``_TABLE_SUFFIX`` bound in the WHERE clause limits which shards are scanned.
DuckDB has no wildcard tables, so the embedded warehouse replaces each one,
after transpiling, with ``(SELECT *, '<suffix>' AS _TABLE_SUFFIX FROM shard
UNION ALL BY NAME ...)``. BY NAME because shards gain columns over time (GA4
adds fields); a missing column reads as NULL there, as in BigQuery.

Shards outside literal ``_TABLE_SUFFIX`` bounds that are plain AND-terms of a
WHERE are left out of the union, so a narrow window reads few shards here too
(the bound itself stays in the query and still decides).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dataset_tui.domain.shards import WILDCARD

SUFFIX_COLUMN = "_TABLE_SUFFIX"
# (dataset, prefix) -> every table name in the dataset that starts with prefix
ShardLister = Callable[[str, str], list[str]]


def has_wildcard(duck_sql: str) -> bool:
    """Cheap pre-check before parsing: most queries name no wildcard table."""
    return f'{WILDCARD}"' in duck_sql


def expand_wildcards(duck_sql: str, shards: ShardLister) -> str:
    """`duck_sql` with every ``dataset."prefix*"`` table replaced by the union of its shards."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(duck_sql, read="duckdb")
    for table in list(tree.find_all(exp.Table)):
        if not table.name.endswith(WILDCARD):
            continue
        prefix = table.name[: -len(WILDCARD)]
        low, high = _literal_bounds(table)
        every = shards(table.db, prefix)
        names = [
            n for n in every if (low is None or n[len(prefix) :] >= low) and (high is None or n[len(prefix) :] <= high)
        ]
        union = _union_sql(table.db, prefix, names, newest=every[-1] if every else None)
        alias = table.alias or table.name
        replacement = exp.Subquery(
            this=sqlglot.parse_one(union, read="duckdb"),
            alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
        )
        table.replace(replacement)
    return tree.sql(dialect="duckdb")


def _union_sql(dataset: str, prefix: str, names: list[str], *, newest: str | None) -> str:
    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    if not names:
        if newest is None:
            from dataset_tui.warehouse.base import NotFoundError

            raise NotFoundError(f"no table in {dataset} matches {prefix}{WILDCARD}")
        # No shard in range: no rows, with the columns of the newest shard (as BigQuery).
        return f"SELECT *, NULL::VARCHAR AS {SUFFIX_COLUMN} FROM {quoted(dataset)}.{quoted(newest)} WHERE false"
    parts = [f"SELECT *, '{n[len(prefix) :]}' AS {SUFFIX_COLUMN} FROM {quoted(dataset)}.{quoted(n)}" for n in names]
    return " UNION ALL BY NAME ".join(parts)


def _literal_bounds(table: Any) -> tuple[str | None, str | None]:
    """Literal ``_TABLE_SUFFIX`` bounds that certainly apply to the SELECT reading `table`."""
    from sqlglot import exp

    select = table.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if where is None:
        return None, None
    low: str | None = None
    high: str | None = None
    for term in _and_terms(where.this):
        if isinstance(term, exp.Between) and _is_suffix(term.this):
            lo, hi = term.args.get("low"), term.args.get("high")
            if isinstance(lo, exp.Literal) and lo.is_string:
                low = max(low or "", lo.this)
            if isinstance(hi, exp.Literal) and hi.is_string:
                high = hi.this if high is None else min(high, hi.this)
        elif isinstance(term, (exp.GTE, exp.LTE)) and _is_suffix(term.this):
            value = term.expression
            if isinstance(value, exp.Literal) and value.is_string:
                if isinstance(term, exp.GTE):
                    low = max(low or "", value.this)
                else:
                    high = value.this if high is None else min(high, value.this)
    return low, high


def _and_terms(node: Any) -> list[Any]:
    from sqlglot import exp

    if isinstance(node, exp.And):
        return _and_terms(node.this) + _and_terms(node.expression)
    if isinstance(node, exp.Paren):
        return _and_terms(node.this)
    return [node]


def _is_suffix(node: Any) -> bool:
    from sqlglot import exp

    return isinstance(node, exp.Column) and node.name.upper() == SUFFIX_COLUMN

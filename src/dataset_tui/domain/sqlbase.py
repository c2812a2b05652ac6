"""The `base` CTE of the generated SQL: tables, joins and BigQuery's own shapes.

Step 1 of DESIGN §4 (the primary table joined as defined, columns under their
output names), plus what real BigQuery data needs before any other step:

- a source table may be qualified (`dataset.table`, `project.dataset.table`)
  or a shard family (`events_*`, a wildcard table). The wildcard table that
  holds the timestamp column gets `_TABLE_SUFFIX` bounds from the date window,
  widened by a day each side (`shards.suffix_bounds`), so BigQuery scans only
  those shards; with no range only the upper bound (the anchor) applies. A
  shard dated after the anchor therefore also drops its rows that have no
  timestamp: the shard's date stands in for the missing one.
- a column may be a nested path (`ecommerce.purchase_revenue`), a field of
  an unnested array (`CROSS JOIN UNNEST(t.items) AS unnested_items`: one row per
  element; a row whose array is empty or NULL is dropped), the value of one
  key of a key/value array (a scalar subquery over UNNEST, the first match),
  or an INT64 epoch read with TIMESTAMP_SECONDS/MILLIS/MICROS.
- row filters (`filters.where`): the column is one of the given literals.
- partition pruning: when the timestamp column is the table's partitioning
  column (`"partitioning": true`, or the ingestion-time pseudo-columns
  `_PARTITIONTIME`/`_PARTITIONDATE` used as the timestamp), the date window is
  also written as a direct predicate on the stored column (no function around
  it), which is what BigQuery prunes by. It keeps exactly the rows the date
  step keeps, so the rows do not change. An ingestion-time table whose
  timestamp role is another column is not pruned: the load time says nothing
  exact about the event time.
- partition floors (previews only, `SqlContext.partition_floors`): a table
  that requires a partition filter the date window does not give is read from
  its latest partitions, `alias.partition_column >= start of the Nth newest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dataset_tui.domain.definition import Column, Definition, FixedRange, RollingRange
from dataset_tui.domain.shards import is_wildcard, suffix_bounds
from dataset_tui.domain.sql_context import PartitionFloor
from dataset_tui.domain.sqlformat import (
    SqlGenError,
    date_literal,
    number_literal,
    quote_column,
    quote_column_path,
    quote_ident,
    source_ref,
    string_literal,
)
from dataset_tui.domain.table_refs import EPOCH_FUNCTIONS, PARTITION_PSEUDO_COLUMNS, table_alias
from dataset_tui.domain.window import months_before

SUFFIX = "_TABLE_SUFFIX"


@dataclass(frozen=True)
class Window:
    """The date window as SQL DATE expressions; `start` None: no lower bound (no range)."""

    start: str | None
    end: str
    # The same days as dates when they are known when writing the SQL.
    start_day: dt.date | None = None
    end_day: dt.date | None = None


def canonical_table(definition: Definition, name: str) -> str:
    # Table references compare ignoring case (validation does the same);
    # aliases are always the declared spelling.
    for table in definition.source.tables:
        if table.lower() == name.lower():
            return table
    raise SqlGenError(f"table {name!r} is not the primary table or a joined table")


def alias_of(definition: Definition, name: str) -> str:
    """The quoted alias of a table the definition names."""
    return quote_ident(table_alias(canonical_table(definition, name)))


def _path(definition: Definition, table: str, name: str) -> str:
    return f"{alias_of(definition, table)}.{quote_column_path(name)}"


def window(definition: Definition, today_sql: str, as_of: dt.date | None) -> Window | None:
    """The date window the rows must fall in (None: no timestamp role, no window)."""
    rng = definition.filters.date_range
    today = as_of
    if isinstance(rng, FixedRange):
        return Window(date_literal(rng.start), date_literal(rng.end), rng.start, rng.end)
    if definition.role_column("timestamp") is None:
        return None
    if isinstance(rng, RollingRange):
        start = f"DATE_SUB({today_sql}, INTERVAL {int(rng.months)} MONTH)"
        return Window(start, today_sql, _start_day(today, rng.months), today)
    return Window(None, today_sql, None, today)


def _start_day(today: dt.date | None, months: int) -> dt.date | None:
    """The rolling window's first day when "today" is pinned; None when unknown or before year 1."""
    if today is None:
        return None
    try:
        return months_before(today, months)
    except (ValueError, OverflowError):
        return None  # the SQL keeps DATE_SUB, which fails on the warehouse with its own message


def _suffix_bound(day: dt.date | None, expr: str | None, shift: str) -> str | None:
    """One `_TABLE_SUFFIX` bound: a literal when the day is known, else FORMAT_DATE of the expression."""
    if day is not None:
        low, high = suffix_bounds(day, day)
        return string_literal((low if shift == "DATE_SUB" else high) or "")
    if expr is None:
        return None
    return f"FORMAT_DATE('%Y%m%d', {shift}({expr}, INTERVAL 1 DAY))"


def suffix_predicate(definition: Definition, ts: Column, win: Window) -> str | None:
    """`_TABLE_SUFFIX` bounds for the wildcard table holding the timestamp column."""
    table = canonical_table(definition, ts.table)
    if not is_wildcard(table):
        return None
    wildcards = [t for t in definition.source.tables if is_wildcard(t)]
    column = SUFFIX if len(wildcards) == 1 else f"{alias_of(definition, table)}.{SUFFIX}"
    high = _suffix_bound(win.end_day, win.end, "DATE_ADD")
    low = _suffix_bound(win.start_day, win.start, "DATE_SUB") if win.start is not None else None
    if low is None:
        return f"{column} <= {high}"
    return f"{column} BETWEEN {low} AND {high}"


def partition_predicate(definition: Definition, ts: Column, win: Window) -> str | None:
    """The date window on the stored partitioning column itself, so BigQuery prunes partitions."""
    if not ts.partition_column or ts.unit or ts.param or ts.unnest:
        return None
    kind = ts.source_base_type or PARTITION_PSEUDO_COLUMNS.get(ts.name.upper())
    if kind not in ("DATE", "TIMESTAMP", "DATETIME"):
        return None  # the stored type is unknown: no predicate rather than a wrong one
    col = _path(definition, ts.table, ts.name)

    def at(day: str) -> str:
        return day if kind == "DATE" else f"{kind}({day})"

    def after(day: str) -> str:
        return at(day) if kind == "DATE" else at(f"DATE_ADD({day}, INTERVAL 1 DAY)")

    op = "<=" if kind == "DATE" else "<"
    if win.start is None:
        return f"({col} {op} {after(win.end)} OR {col} IS NULL)"
    if kind == "DATE":
        return f"{col} BETWEEN {win.start} AND {win.end}"
    return f"{col} >= {at(win.start)} AND {col} < {after(win.end)}"


def _fresh(name: str, taken: set[str]) -> str:
    while name.lower() in taken:
        name += "_"
    return name


@dataclass(frozen=True)
class Aliases:
    """Range variables the base adds beside the tables: the unnested element and the key/value row."""

    unnest: str | None
    kv: str


def _aliases(definition: Definition) -> Aliases:
    taken = {table_alias(t).lower() for t in definition.source.tables}
    unnest = next((c for c in definition.columns if c.unnest), None)
    # Not the array's own name: `AS items` beside a column `items` relies on the range variable
    # winning, which BigQuery does but engines that run its SQL elsewhere may not.
    element = _fresh("unnested_" + unnest.unnest.rsplit(".", 1)[-1], taken) if unnest and unnest.unnest else None
    if element:
        taken.add(element.lower())
    return Aliases(element, _fresh("kv", taken))


def column_expr(definition: Definition, column: Column, aliases: Aliases) -> str:
    """The SQL of a column's value in the base."""
    if column.unnest is not None and aliases.unnest is not None:
        rest = column.name[len(column.unnest) + 1 :]
        expr = f"{quote_ident(aliases.unnest)}.{quote_column_path(rest)}"
    elif column.param is not None:
        kv = quote_ident(aliases.kv)
        array = _path(definition, column.table, column.name)
        value = quote_ident(column.param.value)
        expr = (
            f"(SELECT {kv}.`value`.{value} FROM UNNEST({array}) AS {kv} "
            f"WHERE {kv}.`key` = {string_literal(column.param.key)} LIMIT 1)"
        )
    else:
        expr = _path(definition, column.table, column.name)
    if column.unit is not None:
        expr = f"{EPOCH_FUNCTIONS[column.unit]}({expr})"
    return expr


def _early_window(definition: Definition, ts: Column, win: Window) -> bool:
    return (
        win.start is not None
        and ts.param is None
        and ts.unnest is None
        and partition_predicate(definition, ts, win) is None
    )


def date_step_in_base(definition: Definition, today_sql: str, as_of: dt.date | None) -> bool:
    """Whether the base's WHERE already is the date step (§4 step 2), so no later CTE repeats it."""
    ts = definition.role_column("timestamp")
    win = window(definition, today_sql, as_of)
    return ts is not None and win is not None and _early_window(definition, ts, win)


def window_predicate(definition: Definition, ts: Column, win: Window, aliases: Aliases) -> str | None:
    """The date range written on the timestamp's own expression in the base, before the other steps.

    It is the date step's own condition (`DATE(timestamp) BETWEEN start AND
    end`, DESIGN §4 step 2) with the output name replaced by the expression the
    base selects under it. A WHERE applies after the joins, so joins that
    duplicate or drop rows do so exactly as before, and the rows it keeps are
    the ones the date step kept when it was a CTE of its own after the base
    (`date_step_in_base`: then there is no such CTE). What changes is the plan:
    an engine filters the primary table's rows before joining (DuckDB did not
    move a later CTE's filter below a LEFT JOIN, and joined every row of a
    30M-row table first) and skips blocks by the column's min/max.

    Not written with no range (`d <= anchor OR timestamp IS NULL` keeps
    nearly every row: nothing to gain; the date step stays a CTE), for a
    key/value parameter (a subquery per row) or a field of an unnested array,
    nor when the partition predicate is written (the date step then stays a
    CTE, as the partition predicate is only a bound for pruning).
    """
    if not _early_window(definition, ts, win):
        return None
    value = column_expr(definition, ts, aliases)
    day = value if ts.base_type == "DATE" else f"DATE({value})"
    return f"{day} BETWEEN {win.start} AND {win.end}"


def _row_filters(definition: Definition) -> list[str]:
    out = []
    for f in definition.filters.where or []:
        values = ", ".join(string_literal(v) if isinstance(v, str) else number_literal(v) for v in f.values)
        out.append(f"{_path(definition, f.table, f.column)} IN ({values})")
    return out


def base_sql(
    definition: Definition,
    project: str | None,
    today_sql: str,
    as_of: dt.date | None,
    out: Callable[[Column], str],
    floors: tuple[PartitionFloor, ...] = (),
    selected: tuple[Column, ...] | None = None,
) -> str:
    """The base CTE's SELECT: the `selected` columns (default: every column of the definition).

    Whatever is selected, the FROM is the definition's own (every join, the
    unnested array), so the rows are the same; a query that reads a few
    columns (the analysis) selects only those.
    """
    d = definition
    src = d.source
    aliases = _aliases(d)
    columns = d.columns if selected is None else selected
    select = ",\n".join(f"{column_expr(d, c, aliases)} AS {out(c)}" for c in columns)
    lines = [
        f"SELECT {select}",
        f"FROM {source_ref(src.primary, src.dataset, project)} AS {alias_of(d, src.primary)}",
    ]
    for join in src.joins:
        kind = "LEFT JOIN" if join.type == "left" else "INNER JOIN"
        on = " AND ".join(
            f"{alias_of(d, p.left_table)}.{quote_column(p.left_column)} = "
            f"{alias_of(d, p.right_table)}.{quote_column(p.right_column)}"
            for p in join.on
        )
        lines.append(f"{kind} {source_ref(join.table, src.dataset, project)} AS {alias_of(d, join.table)} ON {on}")
    unnest = next((c for c in d.columns if c.unnest), None)
    if unnest is not None and unnest.unnest is not None and aliases.unnest is not None:
        lines.append(
            f"CROSS JOIN UNNEST({_path(d, unnest.table, unnest.unnest)}) AS {quote_ident(aliases.unnest)}"
        )
    where = _row_filters(d)
    ts = d.role_column("timestamp")
    win = window(d, today_sql, as_of)
    if ts is not None and win is not None:
        where += [p for p in (partition_predicate(d, ts, win), window_predicate(d, ts, win, aliases)) if p]
        where += [p for p in (suffix_predicate(d, ts, win),) if p]
    where += [f"{_path(d, f.table, f.column)} >= {f.literal()}" for f in floors]
    if where:
        lines.append("WHERE " + "\nAND ".join(where))
    return "\n".join(lines)

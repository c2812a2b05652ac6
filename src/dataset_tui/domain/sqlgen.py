"""BigQuery GoogleSQL from a dataset definition (DESIGN §4, revised).

One query per split, built as a chain of CTEs that follows the steps of §4 in
order, so a reader can check each step against the design:

    base            the primary table joined as defined, columns under their output names
    in_range        the date range on DATE(timestamp); with no range (and a timestamp
                    role) the days up to the anchor and the rows without a timestamp.
                    A range on a plain column is the base's own WHERE instead, so an
                    engine filters before joining (the same condition, on the column
                    the base selects as the timestamp; the joins come before WHERE)
    product_revenue, ranked_products, top_products
                    the top-N% products, computed on the date-filtered rows
    active_users    users with at least min_transactions date-filtered rows
    filtered        the date-filtered rows of kept products and active users
    final SELECT    the split condition and the output columns (TFX casts only here)

Only the CTEs a definition needs are written. Safety rules (see `sqlformat`):
every identifier is validated and backtick-quoted, dates and numbers appear
only as literals of validated values, and free text appears only in comments.

The anchor is the fixed range's end, else "today" (the as-of date, else
CURRENT_DATE()). Nothing dated after it is in any output: a rolling range
ends at today, a fixed one at its end, no range keeps `d <= today OR
timestamp IS NULL`, and a time split's eval is `cutoff <= d <= anchor`. So
as-of SQL returns the same rows however many rows land later.

Decisions where DESIGN is silent (written down here and in the header):
- The top-N% total is the revenue of the date-filtered rows that have a
  product (rows with a NULL product belong to no product and are dropped
  whenever the filter is on).
- A DATE-typed timestamp column is compared as it is; any other (or unknown)
  type goes through DATE(x), which is UTC for TIMESTAMP.
- A fixed range is not cut at today: its end is its anchor, so as-of does
  not change it and a range ending in the future takes rows as they land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from dataset_tui.domain.definition import (
    Column,
    Definition,
    FixedRange,
    RandomSplit,
    TimeSplit,
)
from dataset_tui.domain.split_names import SplitName, split_name_problem
from dataset_tui.domain.sql_context import LIVE, SqlContext
from dataset_tui.domain.sqlformat import (
    SqlGenError,
    date_literal,
    quote_ident,
    render,
)
from dataset_tui.domain.sqlheader import anchor_text, header_comment
from dataset_tui.domain.tfx_types import tfx_expr, tfx_problems

__all__ = ["LIVE", "SqlContext", "SqlGenError", "anchor_text", "generate_sql", "header_comment", "preview_sql"]



# -- building the query ----------------------------------------------------


@dataclass
class Query:
    """The pieces of one query: CTEs in order and the names of the row sets built so far."""

    definition: Definition
    context: SqlContext
    ctes: list[tuple[str, str]] = field(default_factory=list)
    rows: str = "base"  # CTE holding the rows after the steps added so far
    in_range: str = "base"  # CTE holding the date-filtered rows
    # The columns the base selects (None: all); the rows are the same either way.
    selected: tuple[Column, ...] | None = None

    def add(self, name: str, sql: str) -> None:
        self.ctes.append((name, sql))


def out(column: Column) -> str:
    """The column under its output name (in every CTE after `base`)."""
    return quote_ident(column.output_name)


def day_of(column: Column) -> str:
    """DATE of the timestamp column, in a CTE after `base`."""
    ref = out(column)
    return ref if column.base_type == "DATE" else f"DATE({ref})"


def fresh(name: str, taken: set[str]) -> str:
    """An internal column name that no output name uses (ignoring case)."""
    while name.lower() in taken:
        name += "_"
    return name


def role(definition: Definition, name: str, what: str) -> Column:
    column = definition.role_column(name)
    if column is None:
        raise SqlGenError(f"{what} needs a column with the {name!r} role")
    return column


def _base(q: Query) -> None:
    from dataset_tui.domain.sqlbase import base_sql

    ctx = q.context
    q.add(
        "base",
        base_sql(q.definition, ctx.project, ctx.today, ctx.as_of, out, ctx.partition_floors, selected=q.selected),
    )


def _date_range(q: Query) -> None:
    from dataset_tui.domain.sqlbase import date_step_in_base

    d = q.definition
    rng = d.filters.date_range
    today = q.context.today
    if date_step_in_base(d, today, q.context.as_of):
        return  # the base's WHERE is this step, on the timestamp's own expression (sqlbase.window_predicate)
    if rng is None:
        ts = d.role_column("timestamp")
        if ts is None:
            return  # no dates to judge rows by
        # Nothing after the anchor; a row without a timestamp has no date to be after it.
        where = f"{day_of(ts)} <= {today} OR {out(ts)} IS NULL"
    else:
        ts = role(d, "timestamp", "a date range")
        if isinstance(rng, FixedRange):
            start, end = date_literal(rng.start), date_literal(rng.end)
        else:
            start, end = f"DATE_SUB({today}, INTERVAL {int(rng.months)} MONTH)", today
        where = f"{day_of(ts)} BETWEEN {start} AND {end}"
    q.add("in_range", f"SELECT *\nFROM {quote_ident(q.rows)}\nWHERE {where}")
    q.rows = q.in_range = "in_range"


def _top_products(q: Query) -> str | None:
    d = q.definition
    percent = d.filters.top_products_percent
    if percent is None:
        return None
    product = out(role(d, "product_id", "the top products filter"))
    revenue = out(role(d, "revenue", "the top products filter"))
    taken = {product.strip("`").lower()}
    rev = quote_ident(fresh("product_revenue", taken))
    before = quote_ident(fresh("revenue_before", taken))
    total = quote_ident(fresh("revenue_total", taken))
    src = quote_ident(q.in_range)
    # NULL revenue counts as 0; a product whose revenue is all NULL has 0.
    q.add(
        "product_revenue",
        f"SELECT {product}, COALESCE(SUM({revenue}), 0) AS {rev}\n"
        f"FROM {src}\nWHERE {product} IS NOT NULL\nGROUP BY {product}",
    )
    q.add(
        "ranked_products",
        f"SELECT {product},\n"
        f"COALESCE(SUM({rev}) OVER (ORDER BY {rev} DESC, {product} ASC "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS {before},\n"
        f"SUM({rev}) OVER () AS {total}\n"
        f"FROM `product_revenue`",
    )
    # Keep a product while the revenue ranked strictly before it is below N%
    # of the total; with no positive revenue there is nothing to rank by.
    q.add(
        "top_products",
        f"SELECT {product}\nFROM `ranked_products`\n"
        f"WHERE {total} <= 0 OR 100 * {before} < {int(percent)} * {total}",
    )
    return f"{product} IN (SELECT {product} FROM `top_products`)"


def _active_users(q: Query) -> str | None:
    d = q.definition
    minimum = d.filters.min_transactions
    if minimum is None:
        return None
    user = out(role(d, "user_id", "the minimum transactions filter"))
    q.add(
        "active_users",
        f"SELECT {user}\nFROM {quote_ident(q.in_range)}\nWHERE {user} IS NOT NULL\n"
        f"GROUP BY {user}\nHAVING COUNT(*) >= {int(minimum)}",
    )
    return f"{user} IN (SELECT {user} FROM `active_users`)"


def filtered_rows(definition: Definition, context: SqlContext, selected: tuple[Column, ...] | None = None) -> Query:
    """Steps 1-4 of §4: the full rows, as CTEs ending in `q.rows`.

    `selected`: the output columns the caller reads (None: all); the steps'
    own columns (the roles) must be among them.
    """
    q = Query(definition, context, selected=selected)
    _base(q)
    _date_range(q)
    keep = [c for c in (_top_products(q), _active_users(q)) if c is not None]
    if keep:
        q.add("filtered", f"SELECT *\nFROM {quote_ident(q.rows)}\nWHERE " + "\nAND ".join(keep))
        q.rows = "filtered"
    return q


def split_conditions(definition: Definition, context: SqlContext) -> tuple[str, str, str] | None:
    """(train, eval, in-neither) conditions on the full rows, or None without a split."""
    split = definition.split
    if isinstance(split, RandomSplit):
        key = definition.split_key()
        if key is None:
            raise SqlGenError("the random split has no key: set split.key to an output column")
        ref = out(key)
        # ABS(MOD(...)), not MOD(ABS(...)): ABS of the smallest INT64 errors.
        bucket = f"ABS(MOD(FARM_FINGERPRINT(CAST({ref} AS STRING)), 100))"
        pct = int(split.train_percent)
        return f"{bucket} < {pct}", f"{bucket} >= {pct}", f"{ref} IS NULL"
    if isinstance(split, TimeSplit):
        ts = role(definition, "timestamp", "a time split")
        rng = definition.filters.date_range
        anchor = date_literal(rng.end) if isinstance(rng, FixedRange) else context.today
        cutoff = f"DATE_SUB({anchor}, INTERVAL {int(split.eval_days)} DAY)"
        day = day_of(ts)
        # The date range already ends at the anchor; eval says so itself so
        # the query reads as §4 does.
        return f"{day} < {cutoff}", f"{day} BETWEEN {cutoff} AND {anchor}", f"{out(ts)} IS NULL"
    return None


# -- public entry points -----------------------------------------------------


def _context(
    context: SqlContext | None, project: str | None, as_of: dt.date | None, label: str | None
) -> SqlContext:
    if context is None:
        return SqlContext(project, as_of, label)
    if (project, as_of, label) != (None, None, None):
        raise SqlGenError("give either a SqlContext or project/as_of/label, not both")
    return context


def generate_sql(
    definition: Definition,
    split: SplitName = "full",
    context: SqlContext | None = None,
    *,
    tfx: bool = False,
    project: str | None = None,
    as_of: dt.date | None = None,
    label: str | None = None,
) -> str:
    """The formatted BigQuery query for one split, starting with its header comment.

    `context` says the project, the as-of date and the version label (the
    keywords `project`, `as_of` and `label` build one, for callers with a
    single query to make). `tfx` casts the output columns to the types
    BigQueryExampleGen reads; it needs every column's `type`.
    """
    ctx = _context(context, project, as_of, label)
    problem = split_name_problem(definition, split)
    if problem is not None:
        raise SqlGenError(problem)
    if tfx:
        problems = tfx_problems(definition)
        if problems:
            raise SqlGenError("cannot make the TFX variant:\n" + "\n".join(f"  {p}" for p in problems))
    q = filtered_rows(definition, ctx)
    columns = []
    for column in definition.columns:
        ref = out(column)
        expr = tfx_expr(column, ref) if tfx else ref
        columns.append(ref if expr == ref else f"{expr} AS {ref}")
    body = f"SELECT {', '.join(columns)}\nFROM {quote_ident(q.rows)}"
    if split != "full":
        conditions = split_conditions(definition, ctx)
        assert conditions is not None  # split_name_problem made sure there is a split
        body += f"\nWHERE {conditions[0] if split == 'train' else conditions[1]}"
    return f"{header_comment(definition, split, ctx, tfx=tfx)}\n{render(q.ctes, body)}\n"


# The role columns a preview is ordered by, most telling first.
PREVIEW_ORDER = ("timestamp", "user_id", "product_id", "revenue")


def preview_sql(definition: Definition, split: SplitName = "full", context: SqlContext = LIVE, *, limit: int) -> str:
    """The first `limit` rows of a split in a stable order: by time, then user, then product.

    Without an order, a parallel engine returns whichever rows finish first,
    so pressing preview twice would show different rows. (The row count
    asked of the engine is `limit`; callers wanting to know whether more
    exist ask for one more.)
    """
    if limit < 1:
        raise SqlGenError("a preview needs a limit of at least 1 row")
    inner = generate_sql(definition, split, replace(context, label=context.label or "preview"))
    keys = [c.output_name for name in PREVIEW_ORDER if (c := definition.role_column(name)) is not None]
    order = f"\nORDER BY {', '.join(quote_ident(k) for k in keys)}" if keys else ""
    return f"SELECT *\nFROM (\n{inner}\n){order}\nLIMIT {int(limit)}\n"

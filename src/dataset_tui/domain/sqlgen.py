"""BigQuery GoogleSQL from a dataset definition (DESIGN §4).

One query per split, built as a chain of CTEs that follows the steps of §4 in
order, so a reader can check each step against the design:

    base            the primary table joined as defined, columns under their output names
    in_range        the date range on DATE(timestamp)
    product_revenue, ranked_products, top_products
                    the top-N% products, computed on the date-filtered rows
    active_users    users with at least min_transactions date-filtered rows
    filtered        the date-filtered rows of kept products and active users
    final SELECT    the split condition and the output columns (TFX casts only here)

Only the CTEs a definition needs are written. Safety rules: every identifier
is validated and backtick-quoted, dates and numbers appear only as literals of
validated values, and free text (the description, a version label) appears
only in `-- ` comment lines with every line break neutralised.

Decisions where DESIGN is silent (written down here and in the header):
- The top-N% total is the revenue of the date-filtered rows that have a
  product (rows with a NULL product belong to no product and are dropped
  whenever the filter is on).
- A DATE-typed timestamp column is compared as it is; any other (or unknown)
  type goes through DATE(x), which is UTC for TIMESTAMP.
- TIME columns are refused by the TFX variant like the other types
  BigQueryExampleGen cannot read.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from dataset_tui.domain.definition import (
    MAX_IDENT,
    TABLE_RE,
    Column,
    Definition,
    FixedRange,
    RandomSplit,
    RollingRange,
    TimeSplit,
)

SplitName = Literal["full", "train", "eval"]
SPLIT_NAMES: tuple[SplitName, ...] = ("full", "train", "eval")

# A Google Cloud project id (6-30 chars in practice; BigQuery accepts up to
# 63), optionally in the legacy domain-scoped form `example.com:my-project`.
PROJECT_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?:)?[a-z][a-z0-9-]{4,61}[a-z0-9]")

# BigQueryExampleGen reads only these; each entry says how to get there.
TFX_PASS_THROUGH = ("INT64", "FLOAT64", "BOOL", "STRING")
TFX_CASTS = {
    "TIMESTAMP": "UNIX_SECONDS({})",
    "DATETIME": "UNIX_SECONDS(TIMESTAMP({}))",
    "DATE": "UNIX_DATE({})",
    "NUMERIC": "CAST({} AS FLOAT64)",
    "BIGNUMERIC": "CAST({} AS FLOAT64)",
}
TFX_REFUSED = ("ARRAY", "STRUCT", "BYTES", "JSON", "GEOGRAPHY", "RANGE", "INTERVAL", "TIME")


class SqlGenError(ValueError):
    """The definition cannot become the SQL asked for; the message says what to change."""


# -- quoting ---------------------------------------------------------------


def quote_ident(name: str) -> str:
    """`name` in backticks, after checking it is a plain identifier (tables may hold `-`)."""
    if not isinstance(name, str) or len(name) > MAX_IDENT or not TABLE_RE.fullmatch(name):
        raise SqlGenError(
            f"{name!r} cannot be used as an identifier: it must match {TABLE_RE.pattern}"
        )
    return f"`{name}`"


def table_ref(dataset: str, table: str, project: str | None = None) -> str:
    """`` `project.dataset.table` `` or `` `dataset.table` ``: one pair of backticks around the path."""
    quote_ident(table)
    if not isinstance(dataset, str) or "-" in dataset:
        raise SqlGenError(f"dataset name {dataset!r} may hold only letters, digits and underscores")
    quote_ident(dataset)
    if project is None:
        return f"`{dataset}.{table}`"
    if not isinstance(project, str) or not PROJECT_RE.fullmatch(project):
        raise SqlGenError(
            f"project {project!r} is not a Google Cloud project id (lowercase letters, digits "
            "and hyphens, 6-63 characters, starting with a letter; or domain.com:project)"
        )
    return f"`{project}.{dataset}.{table}`"


def date_literal(day: dt.date) -> str:
    """A GoogleSQL DATE literal of a real date (never text from a user)."""
    return f"DATE '{dt.date(day.year, day.month, day.day).isoformat()}'"


def comment_safe(text: str) -> list[str]:
    """Free text as lines that cannot leave a `--` comment.

    Every line break Python knows (\\r, \\x0b, \\x0c, \\x1c-\\x1e, \\x85,
    \\u2028, \\u2029 as well as \\n) splits a line, and every other control or
    format character (NUL, bidi overrides, zero-width marks) becomes U+FFFD,
    so no engine or editor can end the comment early or show it reordered.
    """
    lines = []
    for line in str(text).splitlines() or [""]:
        cleaned = "".join(
            " " if ch == "\t" else ("\ufffd" if unicodedata.category(ch).startswith("C") else ch)
            for ch in line
        )
        lines.append(cleaned.rstrip())
    return lines


# -- types -----------------------------------------------------------------


def bigquery_type(column: Column) -> str | None:
    """The column's base GoogleSQL type (`NUMERIC(10,2)` → NUMERIC, `INTEGER` → INT64), if known."""
    return column.base_type


def tfx_problems(definition: Definition) -> list[str]:
    """Why the TFX variant cannot be made, one message per column (empty: it can)."""
    problems = []
    for i, column in enumerate(definition.columns):
        where = f"columns[{i}] ({column.table}.{column.name} as {column.output_name})"
        kind = bigquery_type(column)
        if kind is None:
            problems.append(
                f"{where}: the TFX variant needs the column's type; add \"type\" to the column "
                "(for example \"type\": \"TIMESTAMP\"), or import the definition with a warehouse "
                "at hand so types are filled in"
            )
        elif kind in TFX_REFUSED:
            problems.append(
                f"{where} is {column.type}, which BigQueryExampleGen cannot read (it reads only "
                "INT64, FLOAT64, BOOL and STRING); remove the column from the definition or select "
                "a scalar field of it"
            )
        elif kind not in TFX_PASS_THROUGH and kind not in TFX_CASTS:
            problems.append(
                f"{where} has type {column.type}, which is not a BigQuery type dataset-tui knows "
                "how to give to TFX; correct its \"type\""
            )
    return problems


def _tfx_expr(column: Column, ref: str) -> str:
    kind = bigquery_type(column)
    return TFX_CASTS[kind].format(ref) if kind in TFX_CASTS else ref


# -- building the query ----------------------------------------------------


@dataclass
class _Query:
    """The pieces of one query: CTEs in order and the name of the current row set."""

    definition: Definition
    project: str | None
    today: str  # SQL for "today": CURRENT_DATE() or a DATE literal
    ctes: list[tuple[str, str]] = field(default_factory=list)
    rows: str = "base"  # CTE holding the rows after the steps added so far
    in_range: str = "base"  # CTE holding the date-filtered rows

    def add(self, name: str, sql: str) -> None:
        self.ctes.append((name, sql))


def _canonical_table(definition: Definition, name: str) -> str:
    # Table references compare ignoring case (validation does the same);
    # aliases are always the declared spelling.
    for table in definition.source.tables:
        if table.lower() == name.lower():
            return table
    raise SqlGenError(f"table {name!r} is not the primary table or a joined table")


def _source_expr(definition: Definition, column: Column) -> str:
    table = _canonical_table(definition, column.table)
    return ".".join([quote_ident(table), *(quote_ident(part) for part in column.name.split("."))])


def _out(column: Column) -> str:
    return quote_ident(column.output_name)


def _day(column: Column) -> str:
    """DATE of the timestamp column, in a CTE after `base` (so under its output name)."""
    ref = _out(column)
    return ref if bigquery_type(column) == "DATE" else f"DATE({ref})"


def _fresh(name: str, taken: set[str]) -> str:
    # Internal column names must not collide with an output name (ignoring case).
    while name.lower() in taken:
        name += "_"
    return name


def _base(q: _Query) -> None:
    d = q.definition
    src = d.source
    select = ",\n".join(f"{_source_expr(d, c)} AS {_out(c)}" for c in d.columns)
    lines = [
        f"SELECT {select}",
        f"FROM {table_ref(src.dataset, src.primary, q.project)} AS {quote_ident(src.primary)}",
    ]
    for join in src.joins:
        kind = "LEFT JOIN" if join.type == "left" else "INNER JOIN"
        on = " AND ".join(
            f"{quote_ident(_canonical_table(d, p.left_table))}.{quote_ident(p.left_column)} = "
            f"{quote_ident(_canonical_table(d, p.right_table))}.{quote_ident(p.right_column)}"
            for p in join.on
        )
        lines.append(f"{kind} {table_ref(src.dataset, join.table, q.project)} AS {quote_ident(join.table)} ON {on}")
    q.add("base", "\n".join(lines))


def _date_range(q: _Query) -> None:
    d = q.definition
    rng = d.filters.date_range
    if rng is None:
        return
    ts = _role(d, "timestamp", "a date range")
    if isinstance(rng, FixedRange):
        start, end = date_literal(rng.start), date_literal(rng.end)
    else:
        start, end = f"DATE_SUB({q.today}, INTERVAL {int(rng.months)} MONTH)", q.today
    q.add("in_range", f"SELECT *\nFROM {quote_ident(q.rows)}\nWHERE {_day(ts)} BETWEEN {start} AND {end}")
    q.rows = q.in_range = "in_range"


def _top_products(q: _Query) -> str | None:
    d = q.definition
    percent = d.filters.top_products_percent
    if percent is None:
        return None
    product = _out(_role(d, "product_id", "the top products filter"))
    revenue = _out(_role(d, "revenue", "the top products filter"))
    taken = {product.strip("`").lower()}
    rev = quote_ident(_fresh("product_revenue", taken))
    before = quote_ident(_fresh("revenue_before", taken))
    total = quote_ident(_fresh("revenue_total", taken))
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


def _active_users(q: _Query) -> str | None:
    d = q.definition
    minimum = d.filters.min_transactions
    if minimum is None:
        return None
    user = _out(_role(d, "user_id", "the minimum transactions filter"))
    q.add(
        "active_users",
        f"SELECT {user}\nFROM {quote_ident(q.in_range)}\nWHERE {user} IS NOT NULL\n"
        f"GROUP BY {user}\nHAVING COUNT(*) >= {int(minimum)}",
    )
    return f"{user} IN (SELECT {user} FROM `active_users`)"


def _filtered_rows(definition: Definition, project: str | None, today: str) -> _Query:
    """Steps 1-4 of §4: the full rows, as CTEs ending in `q.rows`."""
    q = _Query(definition, project, today)
    _base(q)
    _date_range(q)
    keep = [c for c in (_top_products(q), _active_users(q)) if c is not None]
    if keep:
        q.add("filtered", f"SELECT *\nFROM {quote_ident(q.rows)}\nWHERE " + "\nAND ".join(keep))
        q.rows = "filtered"
    return q


def _role(definition: Definition, role: str, what: str) -> Column:
    column = definition.role_column(role)
    if column is None:
        raise SqlGenError(f"{what} needs a column with the {role!r} role")
    return column


def _split_conditions(definition: Definition, today: str) -> tuple[str, str, str] | None:
    """(train, eval, null-key) conditions on the full rows, or None without a split."""
    split = definition.split
    if isinstance(split, RandomSplit):
        key = definition.split_key()
        if key is None:
            raise SqlGenError("the random split has no key: set split.key to an output column")
        ref = _out(key)
        # ABS(MOD(...)), not MOD(ABS(...)): ABS of the smallest INT64 errors.
        bucket = f"ABS(MOD(FARM_FINGERPRINT(CAST({ref} AS STRING)), 100))"
        pct = int(split.train_percent)
        return f"{bucket} < {pct}", f"{bucket} >= {pct}", f"{ref} IS NULL"
    if isinstance(split, TimeSplit):
        ts = _role(definition, "timestamp", "a time split")
        rng = definition.filters.date_range
        anchor = date_literal(rng.end) if isinstance(rng, FixedRange) else today
        cutoff = f"DATE_SUB({anchor}, INTERVAL {int(split.eval_days)} DAY)"
        day = _day(ts)
        return f"{day} < {cutoff}", f"{day} >= {cutoff}", f"{_out(ts)} IS NULL"
    return None


def _today(as_of: dt.date | None) -> str:
    if as_of is None:
        return "CURRENT_DATE()"
    if not isinstance(as_of, dt.date):
        raise SqlGenError(f"as-of must be a date, not {as_of!r}")
    return date_literal(as_of)


def _check_split_name(definition: Definition, split: str) -> None:
    if split not in SPLIT_NAMES:
        raise SqlGenError(f"split must be one of {', '.join(SPLIT_NAMES)}, not {split!r}")
    if split != "full" and definition.split is None:
        raise SqlGenError(
            f"the {split} split was asked for, but the definition has no \"split\"; "
            "ask for the full data, or add a random or time split to the definition"
        )


def _uses_today(definition: Definition, splits_rows: bool) -> bool:
    """Whether the query depends on today: a rolling range, or a time split anchored at today."""
    rng = definition.filters.date_range
    if isinstance(rng, RollingRange):
        return True
    return splits_rows and isinstance(definition.split, TimeSplit) and not isinstance(rng, FixedRange)


# -- formatting --------------------------------------------------------------


def _render(ctes: list[tuple[str, str]], body: str) -> str:
    """The query laid out by sqlparse: each CTE as `name AS (` / its indented SELECT / `)`.

    Each CTE and the final SELECT are formatted on their own (and cached), so
    the train, eval and full queries of one definition, which differ only in
    the final WHERE, share the work.
    """
    blocks = [f"{quote_ident(name)} AS (\n{textwrap.indent(_format_piece(sql), '  ')}\n)" for name, sql in ctes]
    head = "WITH " + ",\n".join(blocks) + "\n" if blocks else ""
    return head + _format_piece(body)


@functools.lru_cache(maxsize=1024)
def _format_piece(sql: str) -> str:
    """sqlparse's layout of one SELECT, kept only if it is token for token the same query."""
    import sqlparse

    pretty = sqlparse.format(sql, reindent=True, keyword_case="upper").strip()
    return pretty if _same_tokens(sql, pretty) else sql


def _same_tokens(a: str, b: str) -> bool:
    """Whether two texts are the same BigQuery query up to layout and keyword case.

    Equal token streams parse to the same query, so this is the check that
    formatting changed nothing a parser sees (and it is cheaper than parsing).
    """
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    exact = {TokenType.STRING, TokenType.IDENTIFIER}
    dialect = Dialect.get_or_raise("bigquery")

    def stream(sql: str) -> list[tuple[Any, str]]:
        return [(t.token_type, t.text if t.token_type in exact else t.text.upper()) for t in dialect.tokenize(sql)]

    try:
        return stream(a) == stream(b)
    except SqlglotError:
        return False


def _describe_split(definition: Definition, split: str) -> str:
    s = definition.split
    if s is None:
        return "full: all rows (the definition has no split)"
    if isinstance(s, RandomSplit):
        key = definition.split_key()
        how = (
            f"random split by {key.output_name if key else '?'}: "
            f"bucket = ABS(MOD(FARM_FINGERPRINT(CAST(key AS STRING)), 100)); "
            f"train bucket < {s.train_percent}, eval bucket >= {s.train_percent}; NULL keys in neither"
        )
    else:
        rng = definition.filters.date_range
        anchor = f"the range end {rng.end}" if isinstance(rng, FixedRange) else "today"
        how = (
            f"time split: eval = the last {s.eval_days} days before {anchor} plus that day, "
            "train = earlier days; NULL timestamps in neither"
        )
    if split == "full":
        return f"full: all rows, train and eval together ({how})"
    return f"{split} ({how})"


def header_comment(
    definition: Definition,
    split: str,
    label: str | None,
    as_of: dt.date | None,
    *,
    tfx: bool = False,
    purpose: str | None = None,
    splits_rows: bool | None = None,
) -> str:
    """The `-- ` comment block that starts every generated query.

    `purpose` adds a line saying what the query is for; `splits_rows` says
    whether the query applies the split conditions (default: for train and
    eval), which decides whether a time split makes it depend on today.
    """
    if splits_rows is None:
        splits_rows = split != "full"
    lines = [
        f"dataset-tui: dataset {definition.name} (model {definition.model})",
        f"version: {label}" if label else "version: unsaved definition",
        f"split: {_describe_split(definition, split)}",
    ]
    if purpose:
        lines.insert(1, purpose)
    if as_of is not None:
        lines.append(f"as of {as_of.isoformat()}: today is fixed, so this query returns the same rows on any day")
    else:
        live = "live: CURRENT_DATE()"
        if not _uses_today(definition, splits_rows):
            live += " (this query does not depend on the date)"
        else:
            live += ", so the date window moves with each run"
        lines.append(live)
    if tfx:
        lines.append("TFX variant: dates and times as integers, NUMERIC as FLOAT64 (BigQueryExampleGen types)")
    lines.append(f"definition sha256: {definition.content_hash()}")
    if definition.description.strip():
        lines.append("description:")
        lines += ["  " + line for line in comment_safe(definition.description)]
    out = []
    for line in lines:
        out += comment_safe(line)
    return "\n".join(f"-- {line}".rstrip() for line in out)


# -- public entry points -----------------------------------------------------


def generate_sql(
    definition: Definition,
    split: SplitName = "full",
    *,
    project: str | None = None,
    as_of: dt.date | None = None,
    tfx: bool = False,
    label: str | None = None,
) -> str:
    """The formatted BigQuery query for one split, starting with its header comment.

    `as_of` pins "today" to a DATE literal (the reproducible form); without it
    the query uses CURRENT_DATE(). `tfx` casts the output columns to the types
    BigQueryExampleGen reads; it needs every column's `type`.
    """
    _check_split_name(definition, split)
    if tfx:
        problems = tfx_problems(definition)
        if problems:
            raise SqlGenError("cannot make the TFX variant:\n" + "\n".join(f"  {p}" for p in problems))
    today = _today(as_of)
    q = _filtered_rows(definition, project, today)
    columns = []
    for column in definition.columns:
        ref = _out(column)
        expr = _tfx_expr(column, ref) if tfx else ref
        columns.append(ref if expr == ref else f"{expr} AS {ref}")
    body = f"SELECT {', '.join(columns)}\nFROM {quote_ident(q.rows)}"
    if split != "full":
        conditions = _split_conditions(definition, today)
        assert conditions is not None  # _check_split_name made sure there is a split
        body += f"\nWHERE {conditions[0] if split == 'train' else conditions[1]}"
    sql = _render(q.ctes, body)
    return f"{header_comment(definition, split, label, as_of, tfx=tfx)}\n{sql}\n"


def tfx_input_config(
    definition: Definition,
    *,
    project: str | None = None,
    as_of: dt.date | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """`{"splits": [{"name": "train", "pattern": SQL}, {"name": "eval", "pattern": SQL}]}`."""
    if definition.split is None:
        raise SqlGenError(
            "the TFX export needs train and eval queries, but the definition has no \"split\"; "
            "add a random or time split"
        )
    return {
        "splits": [
            {
                "name": name,
                "pattern": generate_sql(definition, name, project=project, as_of=as_of, tfx=True, label=label),
            }
            for name in ("train", "eval")
        ]
    }


def tfx_snippet(
    definition: Definition,
    *,
    project: str | None = None,
    as_of: dt.date | None = None,
    label: str | None = None,
    config: dict[str, Any] | None = None,
) -> str:
    """Ready-to-paste Python that builds a BigQueryExampleGen reading train and eval.

    `config` (an input_config) replaces the generated queries, e.g. one reading materialized tables.
    """
    config = config or tfx_input_config(definition, project=project, as_of=as_of, label=label)
    queries = {split["name"]: split["pattern"] for split in config["splits"]}
    head = [
        f"BigQueryExampleGen for dataset {definition.name}",
        f"version: {label}" if label else "version: unsaved definition",
        f"as of {as_of.isoformat()}" if as_of is not None else "live: the queries use CURRENT_DATE()",
        "Generated by dataset-tui. Needs `pip install tfx`; the pipeline's",
        "beam_pipeline_args must name a project and a gs:// temp_location.",
    ]
    out = [f"# {line}".rstrip() for entry in head for line in comment_safe(entry)]
    out += ["", "from tfx import v1 as tfx", ""]
    for name, sql in queries.items():
        out.append(f"{name.upper()}_QUERY = (")
        # One JSON string literal per line: with ensure_ascii it is also a
        # valid Python literal, whatever the SQL's comments hold.
        out += [f"    {json.dumps(line, ensure_ascii=True)}" for line in sql.splitlines(keepends=True)]
        out.append(")")
        out.append("")
    out += [
        "input_config = tfx.proto.Input(",
        "    splits=[",
        '        tfx.proto.Input.Split(name="train", pattern=TRAIN_QUERY),',
        '        tfx.proto.Input.Split(name="eval", pattern=EVAL_QUERY),',
        "    ]",
        ")",
        "example_gen = tfx.extensions.google_cloud_big_query.BigQueryExampleGen(",
        "    input_config=input_config",
        ")",
    ]
    return "\n".join(out) + "\n"


def analysis_sql(
    definition: Definition,
    *,
    project: str | None = None,
    as_of: dt.date | None = None,
    label: str | None = None,
) -> str:
    """One query with the counts `analyze` needs, over the final (filtered, full) rows.

    Result columns, in this order (BigQuery types):

    ==============  =======  ===========================================================
    kind            STRING   'total' (exactly one row, first) or 'day' (one per day)
    day             DATE     total: NULL; day: DATE(timestamp), ascending
    rows            INT64    total: number of final rows; day: final rows on that day
    users           INT64    total: distinct non-NULL user_id outputs; NULL without a
                             user_id role; day: NULL
    products        INT64    total: distinct non-NULL product_id outputs; NULL without a
                             product_id role; day: NULL
    date_min        DATE     total: earliest DATE(timestamp); NULL without a timestamp
                             role or with no rows; day: NULL
    date_max        DATE     total: latest DATE(timestamp), as date_min; day: NULL
    train_rows      INT64    total: rows in train; NULL when the definition has no split
    eval_rows       INT64    total: rows in eval; NULL when the definition has no split
    null_key_rows   INT64    total: rows in neither split (NULL random key, or NULL
                             timestamp for a time split); NULL without a split
    total_revenue   FLOAT64  total: SUM(revenue) of the date-filtered rows before the
                             top-products step (NULL revenue as 0), over the rows with a
                             product when there is a product_id role (the total the
                             top-N% rule uses; <= 0 means every product is kept);
                             NULL without a revenue role; day: NULL
    ==============  =======  ===========================================================

    'day' rows exist only with a timestamp role; rows with a NULL timestamp
    count in the total only. train_rows + eval_rows + null_key_rows = rows.
    """
    today = _today(as_of)
    d = definition
    q = _filtered_rows(d, project, today)
    rows = quote_ident(q.rows)
    user, product = d.role_column("user_id"), d.role_column("product_id")
    ts, revenue = d.role_column("timestamp"), d.role_column("revenue")
    null_int, null_date = "CAST(NULL AS INT64)", "CAST(NULL AS DATE)"

    def distinct(column: Column | None) -> str:
        return f"COUNT(DISTINCT {_out(column)})" if column else null_int

    split = _split_conditions(d, today)
    train, eval_, null_key = (
        (f"COUNTIF({c})" for c in split) if split else (null_int, null_int, null_int)
    )
    if revenue is None:
        total_revenue = "CAST(NULL AS FLOAT64)"
    else:
        where = f"\nWHERE {_out(product)} IS NOT NULL" if product else ""
        total_revenue = (
            f"(SELECT CAST(COALESCE(SUM({_out(revenue)}), 0) AS FLOAT64)\n"
            f"FROM {quote_ident(q.in_range)}{where})"
        )
    total = (
        f"SELECT 'total' AS `kind`, {null_date} AS `day`, COUNT(*) AS `rows`,\n"
        f"{distinct(user)} AS `users`, {distinct(product)} AS `products`,\n"
        f"{f'MIN({_day(ts)})' if ts else null_date} AS `date_min`,\n"
        f"{f'MAX({_day(ts)})' if ts else null_date} AS `date_max`,\n"
        f"{train} AS `train_rows`, {eval_} AS `eval_rows`, {null_key} AS `null_key_rows`,\n"
        f"{total_revenue} AS `total_revenue`\n"
        f"FROM {rows}"
    )
    body = total
    if ts is not None:
        body += (
            f"\nUNION ALL\n"
            f"SELECT 'day', {_day(ts)}, COUNT(*), {null_int}, {null_int}, {null_date}, {null_date},\n"
            f"{null_int}, {null_int}, {null_int}, CAST(NULL AS FLOAT64)\n"
            f"FROM {rows}\nWHERE {_out(ts)} IS NOT NULL\nGROUP BY {_day(ts)}"
        )
    body += "\nORDER BY `kind` DESC, `day`"
    sql = _render(q.ctes, body)
    header = header_comment(
        d, "full", label, as_of, purpose="analysis: counts for `dataset-tui analyze`", splits_rows=True
    )
    return f"{header}\n{sql}\n"


# The role columns a preview is ordered by, most telling first.
PREVIEW_ORDER = ("timestamp", "user_id", "product_id", "revenue")


def preview_sql(
    definition: Definition,
    split: SplitName = "full",
    *,
    limit: int,
    project: str | None = None,
    as_of: dt.date | None = None,
) -> str:
    """The first `limit` rows of a split in a stable order: by time, then user, then product.

    Without an order, a parallel engine returns whichever rows finish first,
    so pressing preview twice would show different rows. (The row count
    asked of the engine is `limit`; callers wanting to know whether more
    exist ask for one more.)
    """
    if limit < 1:
        raise SqlGenError("a preview needs a limit of at least 1 row")
    inner = generate_sql(definition, split, project=project, as_of=as_of, label="preview")
    keys = [c.output_name for role in PREVIEW_ORDER if (c := definition.role_column(role)) is not None]
    order = f"\nORDER BY {', '.join(quote_ident(k) for k in keys)}" if keys else ""
    return f"SELECT *\nFROM (\n{inner}\n){order}\nLIMIT {int(limit)}\n"

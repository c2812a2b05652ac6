"""The one query `analyze` runs: counts over a definition's final rows (DESIGN §4 steps 1-5).

Every count is written so that it is a number on every engine, also over no
rows: COUNT(*), COUNT(DISTINCT x) and COUNT(CASE WHEN c THEN 1 END) are 0 on
empty input in BigQuery and in DuckDB. (COUNTIF is not: sqlglot turns it into
DuckDB's COUNT_IF, which is NULL over zero rows; SUM is NULL over zero rows
everywhere, hence the COALESCE on revenue.)
"""

from __future__ import annotations

from dataset_tui.domain.definition import Column, Definition, RandomSplit
from dataset_tui.domain.sql_context import LIVE, SqlContext
from dataset_tui.domain.sqlformat import quote_ident, render
from dataset_tui.domain.sqlgen import Query, day_of, filtered_rows, fresh, out, split_conditions
from dataset_tui.domain.sqlheader import header_comment

NULL_INT, NULL_DATE, NULL_FLOAT = "CAST(NULL AS INT64)", "CAST(NULL AS DATE)", "CAST(NULL AS FLOAT64)"


def count_where(condition: str) -> str:
    """Rows meeting `condition`: 0, never NULL, over no rows (unlike COUNTIF on DuckDB)."""
    return f"COUNT(CASE WHEN {condition} THEN 1 END)"


def _counts_per_key(q: Query, key: Column, conditions: tuple[str, str, str]) -> tuple[str, str, str]:
    """Train / eval / neither row counts of a random split, judged once per distinct key.

    A random split's conditions read only the key, so the final rows are
    grouped by it and each key's bucket is computed once, its rows added as a
    weight: the same counts as judging every row, with FARM_FINGERPRINT run per
    key instead of per row (on DuckDB a Python call each: 30M rows have ~8×
    fewer keys). The train condition is judged once per key, in the grouping:
    eval is its complement (`bucket >= p` is `NOT bucket < p`) and both are
    NULL for a NULL key, which is neither. SUM is NULL over no keys, hence
    the COALESCE.
    """
    taken = {key.output_name.lower()}
    weight = quote_ident(fresh("key_rows", taken))
    in_train = quote_ident(fresh("in_train", taken))
    train, _eval, neither = conditions
    q.add(
        "split_keys",
        f"SELECT {out(key)}, COUNT(*) AS {weight}, {train} AS {in_train}\n"
        f"FROM {quote_ident(q.rows)}\nGROUP BY {out(key)}",
    )

    def rows_where(condition: str) -> str:
        return f"(SELECT CAST(COALESCE(SUM(CASE WHEN {condition} THEN {weight} END), 0) AS INT64)\nFROM `split_keys`)"

    return rows_where(in_train), rows_where(f"NOT {in_train}"), rows_where(neither)


def _read_columns(definition: Definition) -> tuple[Column, ...] | None:
    """The output columns the analysis reads: every role column and the split key (None: none, select all).

    The base selects only these. Its FROM stays the definition's (every join,
    the unnested array), so the rows and their counts are the same; but a
    joined table none of whose columns is read is then only in its ON, which
    lets the DuckDB warehouse join just its duplicate keys (`unread_joins`).
    """
    key = definition.split_key()
    read = [c for c in definition.columns if c.role is not None or c is key]
    return tuple(read) or None


def analysis_sql(definition: Definition, context: SqlContext = LIVE) -> str:
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

    Counts that exist are numbers, 0 over no rows. 'day' rows exist only with
    a timestamp role; rows with a NULL timestamp count in the total only.
    train_rows + eval_rows + null_key_rows = rows.
    """
    d = definition
    q = filtered_rows(d, context, _read_columns(d))
    rows = quote_ident(q.rows)
    user, product = d.role_column("user_id"), d.role_column("product_id")
    ts, revenue = d.role_column("timestamp"), d.role_column("revenue")

    def distinct(column: Column | None) -> str:
        return f"COUNT(DISTINCT {out(column)})" if column else NULL_INT

    split = split_conditions(d, context)
    key = d.split_key() if isinstance(d.split, RandomSplit) else None
    users = distinct(user)
    if split and key is not None:
        train, eval_, neither = _counts_per_key(q, key, split)
        if user is not None and key.output_name.lower() == user.output_name.lower():
            # The split's keys are the users: count them from those groups, not in another hash table.
            users = f"(SELECT COUNT({out(key)})\nFROM `split_keys`)"
    elif split:
        train, eval_, neither = (count_where(c) for c in split)
    else:
        train, eval_, neither = NULL_INT, NULL_INT, NULL_INT
    if revenue is None:
        total_revenue = NULL_FLOAT
    else:
        where = f"\nWHERE {out(product)} IS NOT NULL" if product else ""
        total_revenue = (
            f"(SELECT CAST(COALESCE(SUM({out(revenue)}), 0) AS FLOAT64)\n"
            f"FROM {quote_ident(q.in_range)}{where})"
        )
    date_min = date_max = NULL_DATE
    if ts is not None:
        # Rows per day, each row's day computed once: the total's first and
        # last day are those of the days (MIN/MAX skip NULL timestamps anyway).
        q.add(
            "per_day",
            f"SELECT {day_of(ts)} AS `day`, COUNT(*) AS `rows`\nFROM {rows}\n"
            f"WHERE {out(ts)} IS NOT NULL\nGROUP BY {day_of(ts)}",
        )
        date_min, date_max = ("(SELECT MIN(`day`)\nFROM `per_day`)", "(SELECT MAX(`day`)\nFROM `per_day`)")
    body = (
        f"SELECT 'total' AS `kind`, {NULL_DATE} AS `day`, COUNT(*) AS `rows`,\n"
        f"{users} AS `users`, {distinct(product)} AS `products`,\n"
        f"{date_min} AS `date_min`,\n"
        f"{date_max} AS `date_max`,\n"
        f"{train} AS `train_rows`, {eval_} AS `eval_rows`, {neither} AS `null_key_rows`,\n"
        f"{total_revenue} AS `total_revenue`\n"
        f"FROM {rows}"
    )
    if ts is not None:
        body += (
            f"\nUNION ALL\n"
            f"SELECT 'day', `day`, `rows`, {NULL_INT}, {NULL_INT}, {NULL_DATE}, {NULL_DATE},\n"
            f"{NULL_INT}, {NULL_INT}, {NULL_INT}, {NULL_FLOAT}\n"
            f"FROM `per_day`"
        )
    body += "\nORDER BY `kind` DESC, `day`"
    header = header_comment(d, "full", context, purpose="analysis: counts for `dataset-tui analyze`")
    # Run, never shown: not laid out (see render).
    return f"{header}\n{render(q.ctes, body, layout=False)}\n"

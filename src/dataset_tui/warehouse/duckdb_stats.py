"""Column statistics on DuckDB in batches: two scans of the table per batch, whatever its width.

The shared BigQuery text (column_stats.py) reads the table once per histogram
column and nests one CTE per column: a 300-column table ran out of memory and
from ~500 columns DuckDB refused it ("Max expression depth limit of 1000
exceeded"). Here, per batch of columns, written directly in DuckDB SQL:

1. one scan of plain aggregates: row count, NULLs, distinct counts (numbers,
   dates, bytes, times), min, max, mean, sample stddev, and each histogram
   axis's bounds;
2. one scan counting (column, key) pairs in one hash table: the key is a
   histogram column's bin (computed from the bounds of step 1, written as
   literals) or a STRING/BOOL column's value (for its distinct count and top
   values); a per-column top-k heap then keeps each column's first groups.
   On a long table (estimates, above EXACT_DISTINCT_MAX_ROWS) a STRING
   column with very many distinct values keeps its estimate and is not a
   key here: the candidates a small sample finds (EXACT_TOP_MAX_DISTINCT)
   are counted by a filtered query of their own (candidates_sql), which
   reads that one column and skips row groups by their min/max. Which
   STRING columns those are, a sample of the table decides (many_valued_sql)
   before step 1, so that only they pay for a HyperLogLog estimate there.

The result is the same row the shared query returns (``c<i>_nulls``,
``c<i>_bins`` …), read by :func:`column_stats.parse_column_stats`, so both
engines give identical statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from dataset_tui.domain.types import base_type
from dataset_tui.warehouse.column_stats import (
    BINS,
    TOP_VALUES,
    WHOLE_UNIT_TYPES,
    stat_kind,
)

# Columns per batch: bounds the hash tables built in one pass (memory) and the
# size of one statement; a 10,000-column table is 50 batches of 200
# (each query on a very wide table pays a fixed cost to bind it: fewer is faster).
BATCH_COLUMNS = 200
# Grouping sets per scan (each is a hash table built in the same pass).
MAX_GROUPINGS = BATCH_COLUMNS
# Up to this many grouped columns, GROUPING SETS; above, pairs in one hash table.
GROUPING_SETS_MAX = 16

# Above this many rows, distinct counts are HyperLogLog estimates (flagged
# approximate_distinct, as BigQuery's approx_distinct): exact counts of several
# high-cardinality columns at once cost ×20 a plain scan at 10M rows (hash
# tables per column, spilled under the memory limit); an estimate costs a scan.
EXACT_DISTINCT_MAX_ROWS = 2_000_000
# On such long tables a STRING column with more distinct values than this
# (estimated) is not grouped value by value: 30M unique ids in one hash table
# spilled under the memory limit and cost ×5 a scan, for top values that are
# all "1 row each". Its most frequent values are found in a sample of the table
# instead, then counted exactly in the full pass (as BigQuery's own statistics
# use APPROX_TOP_COUNT): a value that is a visible share of the rows is found.
EXACT_TOP_MAX_DISTINCT = 100_000
# The sample's size (rows, read as whole vectors: DuckDB's SYSTEM sampling).
SAMPLE_ROWS = 300_000
# A STRING column is many-valued when the sample alone holds more distinct
# values than EXACT_TOP_MAX_DISTINCT (estimated): then the table holds at least
# as many. The table's own estimate decided this before, at the price of a
# HyperLogLog of every STRING column over every row (30M rows: ~0.7 s CPU for a
# 60,000-product and a 3-channel column, whose distinct counts come exact from
# their groups anyway). A sample can only judge a column few-valued wrongly
# when values repeat in runs (the sample reads whole vectors): such a column is
# then grouped value by value, exactly; it costs time, never a wrong count.
# Candidates taken from the sample, counted exactly, of which TOP_VALUES are kept.
CANDIDATES = 4 * TOP_VALUES

Fetch = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]


def _dq(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_ref(name: str) -> str:
    """`device.category` → t."device"."category" (a STRUCT field of the aliased table)."""
    return "t." + ".".join(_dq(part) for part in name.split("."))


def _axis(ref: str, base: str) -> str:
    """The column as DOUBLE on its histogram axis (as column_stats._as_number), NaN/inf dropped."""
    if base == "DATE":
        return f"CAST(date_diff('day', DATE '1970-01-01', {ref}) AS DOUBLE)"
    if base in ("TIMESTAMP", "DATETIME"):
        return f"CAST(epoch_us({ref}) AS DOUBLE)"
    x = f"CAST({ref} AS DOUBLE)"
    if base == "FLOAT64":
        return f"CASE WHEN isnan({x}) OR isinf({x}) THEN NULL ELSE {x} END"
    return x


def _literal(value: float) -> str:
    return f"CAST({float(value)!r} AS DOUBLE)"


def _bin(axis: str, base: str, lo: float, hi: float) -> str:
    # DuckDB's LEAST skips NULLs (LEAST(NULL, 9) = 9): a missing value must stay NULL explicitly.
    lo_s, hi_s = _literal(lo), _literal(hi)
    if base in WHOLE_UNIT_TYPES:
        bins = min(BINS, int(hi - lo + 1))
        value = f"LEAST(CAST(floor(({axis} - {lo_s}) * {bins} / ({hi_s} - {lo_s} + 1)) AS BIGINT), {bins - 1})"
    elif hi == lo:
        value = "0"
    else:
        value = f"LEAST(CAST(floor(({axis} - {lo_s}) / ({hi_s} - {lo_s}) * {BINS}) AS BIGINT), {BINS - 1})"
    return f"CASE WHEN {axis} IS NULL THEN NULL ELSE {value} END"


def batches(columns: Sequence[tuple[str, str]], size: int = BATCH_COLUMNS) -> list[list[tuple[str, str]]]:
    """The columns cut into batches; at most MAX_GROUPINGS grouped columns in each."""
    out: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    grouped = 0
    for column in columns:
        needs_group = stat_kind(column[1]) in ("number", "time", "top")
        if current and (len(current) >= size or (needs_group and grouped >= MAX_GROUPINGS)):
            out.append(current)
            current, grouped = [], 0
        current.append(column)
        grouped += needs_group
    if current or not out:
        out.append(current)
    return out


def bounds_sql(table_ref: str, columns: Sequence[tuple[str, str]]) -> str | None:
    """Step 1a: each column's MIN and MAX alone (None if no column has them).

    Asked apart from the other aggregates, DuckDB answers plain MIN/MAX of
    stored columns from its per-block min/max (only blocks that can hold a
    new extreme are read): exact, and at 10M rows ~0.02 s where the same
    aggregates beside the others cost ~1.5 s of string comparisons.
    """
    parts = []
    for i, (name, bq_type) in enumerate(columns):
        if stat_kind(bq_type) != "opaque":
            ref = column_ref(name)
            parts += [f"min({ref}) AS c{i}_min", f"max({ref}) AS c{i}_max"]
    return ("SELECT " + ",\n  ".join(parts) + f"\nFROM {table_ref} AS t") if parts else None


def aggregates_sql(
    table_ref: str,
    columns: Sequence[tuple[str, str]],
    *,
    approx_distinct: bool,
    many_valued: Collection[int] = (),
) -> str:
    """Step 1: one scan, one row of plain aggregates (MIN and MAX: bounds_sql).

    A top-value column gets a distinct estimate only when it is in
    `many_valued` (the others count their groups in step 2, exactly).
    """
    parts = ["count(*) AS row_count"]
    for i, (name, bq_type) in enumerate(columns):
        ref, c, kind, base = column_ref(name), f"c{i}", stat_kind(bq_type), base_type(bq_type)
        # count(x) reads only the validity mask: cheaper than testing each value for NULL.
        parts.append(f"count(*) - count({ref}) AS {c}_nulls")
        if kind == "opaque":
            continue
        if kind == "top":
            if approx_distinct and i in many_valued:
                parts.append(f"approx_count_distinct({ref}) AS {c}_distinct")
        elif approx_distinct:
            parts.append(f"approx_count_distinct({ref}) AS {c}_distinct")
        else:
            parts.append(f"count(DISTINCT {ref}) AS {c}_distinct")
        if kind == "number":
            parts.append(f"avg(CAST({ref} AS DOUBLE)) AS {c}_mean")
            parts.append(f"stddev_samp(CAST({ref} AS DOUBLE)) AS {c}_stddev")
        if kind in ("number", "time"):
            axis = _axis(ref, base)
            parts.append(f"min({axis}) AS {c}_lo")
            parts.append(f"max({axis}) AS {c}_hi")
    return "SELECT " + ",\n  ".join(parts) + f"\nFROM {table_ref} AS t"


def _string_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sample_percent(row_count: int) -> str:
    return f"{min(100.0, max(0.01, 100.0 * SAMPLE_ROWS / max(row_count, 1))):.4f}"


def sampled_strings(columns: Sequence[tuple[str, str]]) -> list[int]:
    """The columns a sample judges many- or few-valued: STRING ones (a BOOL has 2 values)."""
    return [i for i, (_name, bq_type) in enumerate(columns) if base_type(bq_type) == "STRING"]


def sample_groups_sql(table_ref: str, columns: Sequence[tuple[str, str]], row_count: int) -> str | None:
    """Each STRING column's distinct values in ONE sample of about SAMPLE_ROWS rows, ranked.

    One row per column (ranked_groups_sql): how many distinct values the
    sample holds, and its CANDIDATES most frequent (ties by value). The count
    decides whether the column is many-valued; for one that is, the values
    are the candidates counted over the whole table (candidates_sql). One
    pass for all of them: a sample of a dictionary-compressed column costs
    a read of its own (~0.13 s CPU at 30M rows), so none is read twice.
    """
    indexes = sampled_strings(columns)
    if not indexes:
        return None
    sample = f"TABLESAMPLE {_sample_percent(row_count)} PERCENT (system)"
    groups = groups_sql(table_ref, columns, {}, only=indexes, sample=sample)
    return None if groups is None else ranked_groups_sql(groups, keep=CANDIDATES)


def many_valued(
    fetch: Fetch, table_ref: str, columns: Sequence[tuple[str, str]], row_count: int
) -> dict[int, list[str]]:
    """The many-valued STRING columns (more than EXACT_TOP_MAX_DISTINCT in the sample), with their candidates."""
    sql = sample_groups_sql(table_ref, columns, row_count)
    if sql is None:
        return {}
    _names, per_column = fetch(sql)
    return {
        int(col): [str(first["key"]) for first in firsts]
        for col, groups_in_sample, firsts in per_column
        if int(groups_in_sample) > EXACT_TOP_MAX_DISTINCT
    }


def groups_sql(
    table_ref: str,
    columns: Sequence[tuple[str, str]],
    bounds: dict[int, tuple[float, float]],
    candidates: Mapping[int, Sequence[str]] | None = None,
    *,
    only: Collection[int] | None = None,
    sample: str = "",
) -> str | None:
    """Step 2: one scan counting the groups of every histogram / top-value column (None if none).

    Each result row is one group of one column: (column index, key as text,
    count). A column in `candidates` is left out: candidates_sql counts them.
    `only` limits the columns to those indexes; `sample` (a TABLESAMPLE
    clause) reads a sample instead of every row.
    """
    keys: list[str] = []
    indexes: list[int] = []
    for i, (name, bq_type) in enumerate(columns):
        if only is not None and i not in only:
            continue
        ref, kind, base = column_ref(name), stat_kind(bq_type), base_type(bq_type)
        if kind in ("number", "time") and i in bounds:
            lo, hi = bounds[i]
            keys.append(f"{_bin(_axis(ref, base), base, lo, hi)} AS k{i}")
        elif kind == "top" and candidates is not None and i in candidates:
            continue
        elif kind == "top":
            keys.append(f"{ref} AS k{i}")
        else:
            continue
        indexes.append(i)
    if not keys:
        return None
    exprs = [key.rsplit(" AS ", 1)[0] for key in keys]
    if len(indexes) <= GROUPING_SETS_MAX:
        # Few columns (long tables): GROUPING SETS, one hash table per column
        # filled in the same pass, the fastest on many rows.
        sets = ", ".join(f"(k{i})" for i in indexes)
        which = "CASE " + " ".join(f"WHEN GROUPING(k{i}) = 0 THEN {i}" for i in indexes) + " END"
        key = "CASE " + " ".join(f"WHEN GROUPING(k{i}) = 0 THEN CAST(k{i} AS VARCHAR)" for i in indexes) + " END"
        return (
            f"SELECT {which} AS col, {key} AS key, count(*) AS n\n"
            f"FROM (SELECT {', '.join(keys)} FROM {table_ref} AS t {sample})\n"
            f"GROUP BY GROUPING SETS ({sets})"
        )
    # Many columns (wide tables): one (column, key) pair per grouped column per
    # row, counted in ONE hash table; grouping sets would allocate a table per
    # column up front (200 of them ran out of a 1 GB limit on 20,000 rows).
    pairs = ", ".join(
        f"struct_pack(col := {i}, key := CAST({expr} AS VARCHAR))" for i, expr in zip(indexes, exprs, strict=True)
    )
    return (
        f"SELECT col, key, count(*) AS n\n"
        f"FROM (SELECT UNNEST([{pairs}], recursive := true) FROM {table_ref} AS t {sample})\n"
        f"GROUP BY col, key"
    )


def candidates_sql(table_ref: str, name: str, bq_type: str, values: Sequence[str]) -> str | None:
    """Exact counts of a many-valued column's sampled candidates, the first TOP_VALUES (None if none).

    A query of its own, not a key of the groups' scan: as a filter, DuckDB
    tests the values in the scan itself and skips the row groups whose
    min/max rule them out. Inside the groups' pass (a CASE over every row,
    then a grouping set of mostly NULL keys) two such columns cost more than
    all the other groups together: 10 s CPU against 4.7 s at 30M rows.
    """
    if not values:
        return None
    ref = column_ref(name)
    # A STRING column is compared as it is stored (no CAST per row).
    text = ref if base_type(bq_type) == "STRING" else f"CAST({ref} AS VARCHAR)"
    listed = ", ".join(_string_literal(v) for v in values)
    return (
        f"SELECT CAST({ref} AS VARCHAR) AS key, count(*) AS n\n"
        f"FROM {table_ref} AS t WHERE {text} IN ({listed})\n"
        f"GROUP BY key ORDER BY n DESC, key LIMIT {TOP_VALUES}"
    )


def ranked_groups_sql(groups: str, keep: int = max(TOP_VALUES, BINS)) -> str:
    """Per column: how many non-NULL groups it has and its first few by count (ties by key).

    One row per column, the first groups as a list of (-n, key) structs in
    ascending order, i.e. ``ORDER BY n DESC, key``. DuckDB's ``min(x, k)``
    keeps a k-sized heap per column, so a 30M-distinct column costs one pass
    over its groups, not a sort of all of them (the window this replaced
    sorted every group of every column: 40 s → well under 1 s for 60 columns
    was the first step; the heap removes the sort itself).
    """
    return (
        f"WITH groups AS ({groups})\n"
        "SELECT col, count(*) AS groups_in_col, min({'m': -n, 'key': key}, "
        f"{keep}) AS firsts\n"
        "FROM groups WHERE key IS NOT NULL GROUP BY col ORDER BY col"
    )


def compute_row(
    fetch: Fetch,
    table_ref: str,
    columns: Sequence[tuple[str, str]],
    *,
    approx_distinct: bool = False,
    row_count: int | None = None,
) -> dict[str, Any]:
    """The statistics row of one batch (the shape parse_column_stats reads).

    `row_count` (the table's, when the caller knows it) sizes the sample.
    """
    candidates: dict[int, list[str]] = {}  # the many-valued STRING columns' sampled candidates
    if approx_distinct:
        if row_count is None:
            _names, total = fetch(f"SELECT count(*) FROM {table_ref} AS t")
            row_count = int(total[0][0])
        candidates = many_valued(fetch, table_ref, columns, row_count)
    many = set(candidates)
    names, rows = fetch(aggregates_sql(table_ref, columns, approx_distinct=approx_distinct, many_valued=many))
    row: dict[str, Any] = dict(zip(names, rows[0], strict=True))
    extremes = bounds_sql(table_ref, columns)
    if extremes is not None:
        names, rows = fetch(extremes)
        row.update(zip(names, rows[0], strict=True))
    bounds: dict[int, tuple[float, float]] = {}
    for i, (_name, bq_type) in enumerate(columns):
        kind = stat_kind(bq_type)
        if kind in ("number", "time"):
            row[f"c{i}_bins"] = []
            lo, hi = row.get(f"c{i}_lo"), row.get(f"c{i}_hi")
            if lo is not None and hi is not None:
                bounds[i] = (float(lo), float(hi))
        elif kind == "top":
            row[f"c{i}_top"] = []
            if i not in many:  # many distinct values keep the estimate; their candidates are counted below
                row[f"c{i}_distinct"] = 0  # counted exactly from its groups below
    for i, values in candidates.items():
        counted = candidates_sql(table_ref, columns[i][0], columns[i][1], values)
        if counted is not None:
            _names, found = fetch(counted)
            row[f"c{i}_top"] = [{"value": key, "n": int(n)} for key, n in found]
    groups = groups_sql(table_ref, columns, bounds, candidates)
    if groups is not None:
        _names, per_column = fetch(ranked_groups_sql(groups))
        ranked = [(col, first["key"], -first["m"], total) for col, total, firsts in per_column for first in firsts]
        for col, key, n, groups_in_col in ranked:
            if stat_kind(columns[col][1]) == "top":
                row[f"c{col}_distinct"] = int(groups_in_col)  # candidates' columns are not grouped here
                if len(row[f"c{col}_top"]) < TOP_VALUES:
                    row[f"c{col}_top"].append({"value": key, "n": int(n)})
            else:  # a histogram has at most BINS bins: all of them are kept
                row[f"c{col}_bins"].append({"bin": int(key), "n": int(n)})
    return row

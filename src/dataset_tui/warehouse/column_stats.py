"""Column statistics for many columns in ONE query, written in BigQuery SQL.

The same text runs on BigQuery as it is and on DuckDB after transpiling, so
both adapters can share it (and the cost guard can dry-run it first). The
query returns a single row: the aggregates of every column side by side, plus
one ARRAY of (bin, count) or (value, count) per column for its histogram or
top values. Histograms need the column's min and max first; that second pass
is a CTE of the same statement, so the whole thing is still one query.

What each column gets depends on its type:

- numbers (INT64, FLOAT64, NUMERIC, BIGNUMERIC): nulls, distinct, min, max,
  mean, sample stddev, and a histogram of up to 10 equal-width bins (INT64
  ranges narrower than 10 get one bin per value);
- DATE, DATETIME, TIMESTAMP: nulls, distinct, min, max, range_days (calendar
  days from the first to the last date, UTC) and a histogram over time (DATE
  ranges narrower than 10 days get one bin per day);
- STRING and BOOL: nulls, distinct, min, max and the 5 most frequent values
  (ties by value), plus an "(other)" bin for the rest;
- BYTES, TIME: nulls, distinct, min and max;
- ARRAY, STRUCT, JSON, INTERVAL and the like: nulls only (BigQuery cannot
  compare or group all of them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from dataset_tui.domain.types import base_type
from dataset_tui.warehouse.base import ColumnStats, HistogramBin, TableStats

BINS = 10
TOP_VALUES = 5

NUMBER_TYPES = frozenset({"INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC"})
TIME_TYPES = frozenset({"DATE", "DATETIME", "TIMESTAMP"})
TOP_TYPES = frozenset({"STRING", "BOOL"})
PLAIN_TYPES = frozenset({"BYTES", "TIME"})
# Types whose histogram bins are whole units (integers, days): a narrow range
# gets one bin per value instead of fractional bins.
WHOLE_UNIT_TYPES = frozenset({"INT64", "DATE"})

_UNIX_EPOCH = dt.date(1970, 1, 1)


def stat_kind(bq_type: str) -> str:
    """Which statistics a column of this type gets: number|time|top|plain|opaque."""
    base = base_type(bq_type)
    if base in NUMBER_TYPES:
        return "number"
    if base in TIME_TYPES:
        return "time"
    if base in TOP_TYPES:
        return "top"
    if base in PLAIN_TYPES:
        return "plain"
    return "opaque"


def quote_path(name: str) -> str:
    """`device.category` → `` `device`.`category` `` (each part a legal BigQuery column name).

    Any flexible column name (`order date`, `Größe`) is quoted; a part that
    could leave the backticks (a backtick, backslash, control character) is
    refused, as a definition refuses it (table_refs.column_part_problem).
    """
    from dataset_tui.domain.table_refs import column_part_problem

    parts = name.split(".")
    for part in parts:
        problem = column_part_problem(part)
        if problem is not None:
            raise ValueError(f"column name {name!r} cannot be queried: {part!r} {problem}")
    return ".".join(f"`{part}`" for part in parts)


def _as_number(alias: str, base: str) -> str:
    """The column as FLOAT64, the axis its histogram is drawn on."""
    if base == "DATE":
        return f"CAST(UNIX_DATE({alias}) AS FLOAT64)"
    if base == "TIMESTAMP":
        return f"CAST(UNIX_MICROS({alias}) AS FLOAT64)"
    if base == "DATETIME":
        return f"CAST(UNIX_MICROS(TIMESTAMP({alias})) AS FLOAT64)"
    return f"CAST({alias} AS FLOAT64)"


def column_stats_sql(
    table_ref: str, columns: Sequence[tuple[str, str]], *, approx_distinct: bool = False
) -> str:
    """One BigQuery statement computing statistics of `columns` [(name, BigQuery type)].

    `table_ref` is the already quoted table (`` `raw_data`.`transactions` ``).
    Output columns are named `c<i>_<stat>` after the column's position.
    """
    selects = []
    aggregates = ["COUNT(*) AS row_count"]
    bounds = []
    axis_selects = []  # the columns that get a histogram: only they are read for its bounds
    extra_ctes = []
    arrays = []
    distinct = "APPROX_COUNT_DISTINCT({})" if approx_distinct else "COUNT(DISTINCT {})"
    for i, (name, bq_type) in enumerate(columns):
        c = f"c{i}"
        selects.append(f"{quote_path(name)} AS {c}")
        # Each histogram reads its own column straight from the table: a shared
        # CTE of every column would be materialized (copied) by some engines.
        own = f"(SELECT {quote_path(name)} AS {c} FROM {table_ref}) AS base"
        kind = stat_kind(bq_type)
        base = base_type(bq_type)
        aggregates.append(f"COUNTIF({c} IS NULL) AS {c}_nulls")
        if kind == "opaque":
            continue
        if kind != "top":  # top-value columns count their groups instead (below)
            aggregates.append(f"{distinct.format(c)} AS {c}_distinct")
        aggregates.append(f"MIN({c}) AS {c}_min")
        aggregates.append(f"MAX({c}) AS {c}_max")
        if kind == "number":
            aggregates.append(f"AVG(CAST({c} AS FLOAT64)) AS {c}_mean")
            aggregates.append(f"STDDEV_SAMP(CAST({c} AS FLOAT64)) AS {c}_stddev")
        if kind in ("number", "time"):
            x = _as_number(c, base)
            # NaN and infinities have no place on an axis (and break the bin cast).
            usable = f"IS_NAN({x}) OR IS_INF({x})" if base == "FLOAT64" else None
            axis = f"IF({usable}, NULL, {x})" if usable else x
            axis_selects.append(f"{quote_path(name)} AS {c}")
            bounds.append(f"MIN({axis}) AS {c}_lo")
            bounds.append(f"MAX({axis}) AS {c}_hi")
            lo, hi = f"bounds.{c}_lo", f"bounds.{c}_hi"
            if base in WHOLE_UNIT_TYPES:
                bins = f"LEAST({BINS}, {hi} - {lo} + 1)"
                bin_expr = f"LEAST(CAST(FLOOR(({axis} - {lo}) * {bins} / ({hi} - {lo} + 1)) AS INT64), {bins} - 1)"
            else:
                index = f"CAST(FLOOR(({axis} - {lo}) / ({hi} - {lo}) * {BINS}) AS INT64)"
                bin_expr = f"IF({hi} = {lo}, 0, LEAST({index}, {BINS - 1}))"
            extra_ctes.append(
                f"{c}_bins AS (SELECT {bin_expr} AS bin, COUNT(*) AS n FROM {own} CROSS JOIN bounds "
                f"WHERE {axis} IS NOT NULL GROUP BY bin)"
            )
            arrays.append(f"ARRAY(SELECT AS STRUCT bin, n FROM {c}_bins ORDER BY bin) AS {c}_bins")
        elif kind == "top":
            # One grouping gives both the distinct count and the most frequent
            # values: counting distinct separately would hash every value twice.
            extra_ctes.append(
                f"{c}_groups AS (SELECT {c} AS value, COUNT(*) AS n FROM {own} WHERE {c} IS NOT NULL GROUP BY value)"
            )
            arrays.append(f"(SELECT COUNT(*) FROM {c}_groups) AS {c}_distinct")
            arrays.append(
                f"ARRAY(SELECT AS STRUCT CAST(value AS STRING) AS value, n FROM {c}_groups "
                f"ORDER BY n DESC, value LIMIT {TOP_VALUES}) AS {c}_top"
            )
    every = f"(SELECT {', '.join(selects) if selects else '1 AS unused'} FROM {table_ref}) AS base"
    ctes = ["agg AS (SELECT " + ", ".join(aggregates) + f" FROM {every})"]
    sources = "agg"
    if bounds:
        axes = f"(SELECT {', '.join(axis_selects)} FROM {table_ref}) AS base"
        ctes.append("bounds AS (SELECT " + ", ".join(bounds) + f" FROM {axes})")
        sources = "agg CROSS JOIN bounds"
    ctes += extra_ctes
    outputs = ["agg.*"] + (["bounds.*"] if bounds else []) + arrays
    return "WITH " + ",\n".join(ctes) + "\nSELECT " + ", ".join(outputs) + f"\nFROM {sources}"


def parse_column_stats(
    table: str,
    columns: Sequence[tuple[str, str]],
    row: Mapping[str, Any],
    *,
    approx_distinct: bool = False,
    table_modified: dt.datetime | None = None,
) -> TableStats:
    """Turn the single result row of :func:`column_stats_sql` into TableStats."""
    row_count = int(row["row_count"] or 0)
    stats = []
    for i, (name, bq_type) in enumerate(columns):
        c = f"c{i}"
        kind = stat_kind(bq_type)
        base = base_type(bq_type)
        nulls = int(row[f"{c}_nulls"] or 0)
        if kind == "opaque":
            stats.append(ColumnStats(name=name, type=bq_type, count=row_count, null_count=nulls, distinct_count=None))
            continue
        lo_value, hi_value = row[f"{c}_min"], row[f"{c}_max"]
        mean = stddev = range_days = None
        histogram: tuple[HistogramBin, ...] = ()
        if kind == "number":
            mean = _float(row[f"{c}_mean"])
            stddev = _float(row[f"{c}_stddev"])
        if kind == "time" and lo_value is not None and hi_value is not None:
            range_days = (_to_date(hi_value) - _to_date(lo_value)).days
        if kind in ("number", "time"):
            histogram = _histogram(base, row[f"{c}_lo"], row[f"{c}_hi"], row[f"{c}_bins"])
        elif kind == "top":
            histogram = _top_values(row[f"{c}_top"], row_count - nulls)
        stats.append(
            ColumnStats(
                name=name,
                type=bq_type,
                count=row_count,
                null_count=nulls,
                distinct_count=_int(row[f"{c}_distinct"]),
                min=lo_value,
                max=hi_value,
                mean=mean,
                stddev=stddev,
                range_days=range_days,
                histogram=histogram,
                approximate_distinct=approx_distinct,
            )
        )
    return TableStats(table=table, row_count=row_count, columns=tuple(stats), table_modified=table_modified)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        return moment.date()
    return cast(dt.date, value)  # the engine returns DATE values as datetime.date


def _field(item: Any, name: str, index: int) -> Any:
    # BigQuery's client gives a dict per STRUCT; DuckDB too (tuples are tolerated).
    return item[name] if isinstance(item, Mapping) else item[index]


def bin_edges(base: str, lo: float, hi: float) -> list[float]:
    """The lower edges of each bin plus the upper end, on the FLOAT64 axis."""
    if base in WHOLE_UNIT_TYPES:
        count = int(min(BINS, hi - lo + 1))
        width = (hi - lo + 1) / count
    else:
        count = 1 if hi == lo else BINS
        width = (hi - lo) / count if hi != lo else 0.0
    return [lo + k * width for k in range(count)] + [hi if base not in WHOLE_UNIT_TYPES else hi + 1]


def _histogram(base: str, lo: Any, hi: Any, bins: Any) -> tuple[HistogramBin, ...]:
    if lo is None or hi is None:
        return ()
    lo, hi = float(lo), float(hi)
    edges = bin_edges(base, lo, hi)
    counts = [0] * (len(edges) - 1)
    for item in bins or ():
        k, n = int(_field(item, "bin", 0)), int(_field(item, "n", 1))
        counts[min(max(k, 0), len(counts) - 1)] += n
    return tuple(
        HistogramBin(label=_bin_label(base, edges[k], edges[k + 1]), count=counts[k]) for k in range(len(counts))
    )


def _bin_label(base: str, lo: float, hi: float) -> str:
    if base in WHOLE_UNIT_TYPES:
        first, last = math.ceil(lo), math.ceil(hi) - 1
        render = (lambda v: (_UNIX_EPOCH + dt.timedelta(days=v)).isoformat()) if base == "DATE" else str
        return render(first) if last <= first else f"{render(first)} – {render(last)}"
    if base in ("TIMESTAMP", "DATETIME"):
        start = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=lo)
        end = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=hi)
        fmt = "%Y-%m-%d" if hi - lo >= 2 * 86_400e6 else "%Y-%m-%d %H:%M"
        return f"{start:{fmt}} – {end:{fmt}}"
    return f"{lo:.4g} – {hi:.4g}"


def _top_values(items: Any, non_null: int) -> tuple[HistogramBin, ...]:
    bins = [HistogramBin(label=str(_field(i, "value", 0)), count=int(_field(i, "n", 1))) for i in items or ()]
    rest = non_null - sum(b.count for b in bins)
    if rest > 0:
        bins.append(HistogramBin(label="(other)", count=rest))
    return tuple(bins)

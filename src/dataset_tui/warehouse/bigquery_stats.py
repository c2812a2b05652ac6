"""Column statistics on BigQuery: one query for many columns, and its reading.

One scan bills each referenced column once, so every statistic of every
requested column is one aggregate in a single SELECT (DESIGN §6):

- every column: ``COUNTIF(c IS NULL)`` (empty arrays count as NULL: BigQuery
  stores a NULL array as an empty one), and for groupable types the distinct
  count, exact (``COUNT(DISTINCT)``) or approximate (``APPROX_COUNT_DISTINCT``,
  HyperLogLog++, per the profile's ``approx_distinct``);
- numbers: MIN, MAX, AVG, STDDEV (sample), and ``APPROX_QUANTILES(c, 20)``;
- DATE / DATETIME / TIMESTAMP: MIN, MAX, ``DATE_DIFF`` in days, quantiles;
- STRING / BOOL: MIN, MAX and ``APPROX_TOP_COUNT(c, 10)`` (top values).

The histogram of a number or a date is rebuilt from the 21 quantile
boundaries: each of the 20 intervals holds a twentieth of the non-NULL rows,
spread evenly over its range and re-binned into 10 equal-width bins. It is an
estimate (exact equal-width bins would need MIN/MAX first: a second scan).
Top values keep BigQuery's counts. An engine that returns top values without
counts (the test emulator) gets no histogram rather than invented counts.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dataset_tui.warehouse.base import ColumnSchema, ColumnStats, HistogramBin
from dataset_tui.warehouse.bigquery_schema import quote_path

NUMBER_TYPES = frozenset({"INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC"})
TIME_TYPES = frozenset({"DATE", "DATETIME", "TIMESTAMP"})
TOP_VALUE_TYPES = frozenset({"STRING", "BOOL"})
ORDERED_TYPES = NUMBER_TYPES | TIME_TYPES | TOP_VALUE_TYPES | {"TIME"}
# Types COUNT(DISTINCT) accepts.
GROUPABLE_TYPES = ORDERED_TYPES | {"BYTES"}

QUANTILES = 20
HISTOGRAM_BINS = 10
TOP_VALUES = 10


@dataclass(frozen=True)
class StatsPlan:
    """The statistics query and what each of its output columns means."""

    sql: str
    columns: tuple[ColumnSchema, ...]
    approx_distinct: bool


def build_stats_sql(table_ref: str, columns: Sequence[ColumnSchema], *, approx_distinct: bool) -> StatsPlan:
    """One SELECT of aggregates over `table_ref` (already quoted) for `columns`."""
    parts = ["COUNT(*) AS row_count"]
    for i, column in enumerate(columns):
        parts.extend(_aggregates(i, column, approx_distinct))
    body = ",\n  ".join(parts)
    sql = f"SELECT\n  {body}\nFROM {table_ref}"
    return StatsPlan(sql=sql, columns=tuple(columns), approx_distinct=approx_distinct)


# BigQuery refuses a result wider than 10,000 columns and a query text longer
# than 1,024K characters; each batch stays well inside both.
MAX_RESULT_COLUMNS = 10_000
BATCH_RESULT_COLUMNS = 9_000
BATCH_SQL_CHARS = 900_000


def plan_stats_batches(
    table_ref: str, columns: Sequence[ColumnSchema], *, approx_distinct: bool
) -> list[StatsPlan]:
    """The statistics of `columns` as as few queries as fit BigQuery's limits.

    Each batch is one SELECT of aggregates, so it reads the table once; as
    BigQuery bills per column read, the batches together bill what a single
    query over every column would (plus the 10 MB minimum per query).
    """
    batches: list[list[ColumnSchema]] = []
    current: list[ColumnSchema] = []
    width = 1  # row_count
    chars = 0
    for column in columns:
        parts = _aggregates(len(current), column, approx_distinct)
        size = sum(len(p) + 4 for p in parts)
        if current and (width + len(parts) > BATCH_RESULT_COLUMNS or chars + size > BATCH_SQL_CHARS):
            batches.append(current)
            current, width, chars = [], 1, 0
            parts = _aggregates(0, column, approx_distinct)
            size = sum(len(p) + 4 for p in parts)
        current.append(column)
        width += len(parts)
        chars += size
    if current or not batches:
        batches.append(current)
    return [build_stats_sql(table_ref, batch, approx_distinct=approx_distinct) for batch in batches]


def _aggregates(i: int, column: ColumnSchema, approx_distinct: bool) -> list[str]:
    expr = quote_path(column.name)
    kind = column.type
    p = f"c{i}_"
    if kind.startswith("ARRAY<"):
        return [f"COUNTIF(ARRAY_LENGTH({expr}) = 0) AS {p}nulls"]
    out = [f"COUNTIF({expr} IS NULL) AS {p}nulls"]
    if kind in GROUPABLE_TYPES:
        distinct = f"APPROX_COUNT_DISTINCT({expr})" if approx_distinct else f"COUNT(DISTINCT {expr})"
        out.append(f"{distinct} AS {p}distinct")
    if kind in ORDERED_TYPES:
        out.append(f"MIN({expr}) AS {p}min")
        out.append(f"MAX({expr}) AS {p}max")
    if kind in NUMBER_TYPES:
        out.append(f"AVG(CAST({expr} AS FLOAT64)) AS {p}mean")
        out.append(f"STDDEV(CAST({expr} AS FLOAT64)) AS {p}stddev")
    if kind == "DATE":
        out.append(f"DATE_DIFF(MAX({expr}), MIN({expr}), DAY) AS {p}range_days")
    elif kind in ("DATETIME", "TIMESTAMP"):
        out.append(f"DATE_DIFF(DATE(MAX({expr})), DATE(MIN({expr})), DAY) AS {p}range_days")
    if kind in NUMBER_TYPES or kind in TIME_TYPES:
        out.append(f"APPROX_QUANTILES({expr}, {QUANTILES}) AS {p}quantiles")
    elif kind in TOP_VALUE_TYPES:
        out.append(f"APPROX_TOP_COUNT({expr}, {TOP_VALUES}) AS {p}top")
    return out


def read_stats(plan: StatsPlan, row: Mapping[str, Any]) -> tuple[int, tuple[ColumnStats, ...]]:
    """(row count, statistics per column) from the query's single row."""
    total = int(row["row_count"] or 0)
    stats = []
    for i, column in enumerate(plan.columns):
        p = f"c{i}_"
        nulls = int(row.get(f"{p}nulls") or 0)
        distinct = row.get(f"{p}distinct")
        mean = row.get(f"{p}mean")
        stddev = row.get(f"{p}stddev")
        range_days = row.get(f"{p}range_days")
        if f"{p}quantiles" in row:
            histogram = histogram_from_quantiles(row[f"{p}quantiles"], total - nulls, column.type)
        elif f"{p}top" in row:
            histogram = histogram_from_top(row[f"{p}top"])
        else:
            histogram = ()
        stats.append(
            ColumnStats(
                name=column.name,
                type=column.type,
                count=total,
                null_count=nulls,
                distinct_count=None if distinct is None else int(distinct),
                min=row.get(f"{p}min"),
                max=row.get(f"{p}max"),
                mean=None if mean is None else float(mean),
                stddev=None if stddev is None else float(stddev),
                range_days=None if range_days is None else int(range_days),
                histogram=histogram,
                approximate_distinct=plan.approx_distinct and distinct is not None,
            )
        )
    return total, tuple(stats)


def histogram_from_top(top: Any) -> tuple[HistogramBin, ...]:
    """BigQuery's APPROX_TOP_COUNT result: [{value, count}, ...], most frequent first."""
    bins = []
    for item in top or ():
        if not isinstance(item, Mapping) or "count" not in item:
            return ()  # values without counts: no honest histogram
        if item.get("value") is None:
            continue  # NULLs are already reported as null_count
        bins.append(HistogramBin(label=_label_value(item["value"]), count=int(item["count"])))
    return tuple(bins)


def _label_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def histogram_from_quantiles(quantiles: Any, non_null: int, type_: str) -> tuple[HistogramBin, ...]:
    """Equal-width bins estimated from quantile boundaries (see the module docstring)."""
    numbers = [_to_number(q) for q in quantiles or () if q is not None]
    values = [v for v in numbers if v is not None and math.isfinite(v)]
    if non_null <= 0 or len(values) < 2:
        return ()
    lo, hi = values[0], values[-1]
    if hi <= lo:
        return (HistogramBin(label=_format_edge(lo, type_, 0), count=non_null),)
    width = (hi - lo) / HISTOGRAM_BINS
    share = non_null / (len(values) - 1)
    mass = [0.0] * HISTOGRAM_BINS

    def index(x: float) -> int:
        return min(HISTOGRAM_BINS - 1, max(0, int((x - lo) / width)))

    for a, b in itertools.pairwise(values):
        if b <= a:
            mass[index(a)] += share
            continue
        for k in range(index(a), index(b) + 1):
            left, right = lo + k * width, lo + (k + 1) * width
            overlap = min(b, right) - max(a, left)
            if overlap > 0:
                mass[k] += share * overlap / (b - a)
    counts = _round_preserving_total(mass, non_null)
    span = hi - lo
    return tuple(
        HistogramBin(
            label=f"{_format_edge(lo + k * width, type_, span)} – {_format_edge(lo + (k + 1) * width, type_, span)}",
            count=counts[k],
        )
        for k in range(HISTOGRAM_BINS)
    )


def _round_preserving_total(mass: list[float], total: int) -> list[int]:
    """Largest-remainder rounding, so the bins add up to the non-NULL count."""
    floors = [math.floor(m) for m in mass]
    missing = total - sum(floors)
    by_remainder = sorted(range(len(mass)), key=lambda k: mass[k] - floors[k], reverse=True)
    for k in by_remainder[: max(0, missing)]:
        floors[k] += 1
    return floors


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _to_number(value: Any) -> float | None:
    """Dates as day ordinals, times as epoch seconds, numbers as floats."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return (aware - _EPOCH).total_seconds()
    if isinstance(value, dt.date):
        return float(value.toordinal())
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return float(value)
    return None


def _format_edge(x: float, type_: str, span: float) -> str:
    if type_ == "DATE":
        return dt.date.fromordinal(round(x)).isoformat()
    if type_ in ("DATETIME", "TIMESTAMP"):
        moment = _EPOCH + dt.timedelta(seconds=x)
        return moment.strftime("%Y-%m-%d") if span >= 3 * 86400 else moment.strftime("%Y-%m-%d %H:%M")
    if type_ == "INT64":
        return str(round(x))
    return f"{x:.4g}"

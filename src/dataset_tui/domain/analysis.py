"""Split estimates and quality metrics from the counts of one analysis query.

The analysis query (``sqlgen.analysis_sql``) returns one ``total`` row —
rows, distinct users and products, the date range, rows per split, rows with
a NULL split key, total revenue — and one ``day`` row per calendar day with
its row count. This module turns those rows into numbers (whichever engine
produced them), judges the data's quality for a recommender, estimates split
sizes (measured when the counts have them, else from the definition alone,
for the wizard's live summary), and reads and writes the ``analyze`` JSON
shape of DESIGN §8.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from dataset_tui.domain.definition import Definition, FixedRange, RandomSplit, RollingRange, TimeSplit

Severity = Literal["info", "warning", "error"]


class AnalysisError(ValueError):
    """Analysis rows or cached JSON that do not have the expected shape."""


# -- counts -------------------------------------------------------------------


@dataclass(frozen=True)
class DailyCount:
    day: dt.date
    rows: int


@dataclass(frozen=True)
class AnalysisCounts:
    rows: int
    users: int | None  # None: the definition has no user_id role
    products: int | None  # None: no product_id role
    date_min: dt.date | None  # None: no timestamp role (or no dated rows)
    date_max: dt.date | None
    train_rows: int | None  # None: the definition has no split
    eval_rows: int | None
    null_key_rows: int | None
    total_revenue: float | None = None  # None: no revenue role
    per_day: tuple[DailyCount, ...] = ()

    @property
    def date_span_days(self) -> int | None:
        """Calendar days from the first to the last day, both included."""
        if self.date_min is None or self.date_max is None:
            return None
        return (self.date_max - self.date_min).days + 1


ANALYSIS_COLUMNS = (
    "kind", "day", "rows", "users", "products", "date_min", "date_max",
    "train_rows", "eval_rows", "null_key_rows", "total_revenue",
)


def _int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise AnalysisError(f"{what} should be a count, got {value!r}")
    try:
        number = Decimal(str(value)) if not isinstance(value, (int, Decimal)) else Decimal(value)
    except ArithmeticError:
        raise AnalysisError(f"{what} should be a count, got {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise AnalysisError(f"{what} should be a whole number, got {value!r}")
    return int(number)


def _float(value: Any, what: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{what} should be a number, got {value!r}") from None


def _date(value: Any, what: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise AnalysisError(f"{what} should be a date, got {value!r}")


def parse_analysis(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> AnalysisCounts:
    """Counts from the rows of the analysis query, as either engine returns them.

    Values may be int, Decimal, float, str, date or datetime; column names
    compare ignoring case. Exactly one ``total`` row is expected.
    """
    index = {name.lower(): i for i, name in enumerate(columns)}
    missing = [c for c in ANALYSIS_COLUMNS if c not in index]
    if missing:
        raise AnalysisError(f"the analysis query returned no column(s) {', '.join(missing)}")

    def get(row: Sequence[Any], name: str) -> Any:
        return row[index[name]]

    totals = [r for r in rows if str(get(r, "kind")).lower() == "total"]
    if len(totals) != 1:
        raise AnalysisError(f"the analysis query returned {len(totals)} total rows instead of one")
    total = totals[0]
    days: dict[dt.date, int] = {}
    for row in rows:
        kind = str(get(row, "kind")).lower()
        if kind == "total":
            continue
        if kind != "day":
            raise AnalysisError(f"unexpected analysis row kind {get(row, 'kind')!r}")
        day = _date(get(row, "day"), "day")
        if day is None:
            continue  # rows with no timestamp have no day; the total counts them
        days[day] = days.get(day, 0) + (_int(get(row, "rows"), "rows of a day") or 0)

    rows_total = _int(get(total, "rows"), "rows")
    return AnalysisCounts(
        rows=rows_total or 0,
        users=_int(get(total, "users"), "users"),
        products=_int(get(total, "products"), "products"),
        date_min=_date(get(total, "date_min"), "date_min"),
        date_max=_date(get(total, "date_max"), "date_max"),
        train_rows=_int(get(total, "train_rows"), "train_rows"),
        eval_rows=_int(get(total, "eval_rows"), "eval_rows"),
        null_key_rows=_int(get(total, "null_key_rows"), "null_key_rows"),
        total_revenue=_float(get(total, "total_revenue"), "total_revenue"),
        per_day=tuple(DailyCount(d, n) for d, n in sorted(days.items())),
    )


# -- quality --------------------------------------------------------------------


@dataclass(frozen=True)
class QualityIssue:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class Quality:
    score: float  # 0–1: 1 is no issue; each issue multiplies it down
    issues: tuple[QualityIssue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "issues": [{"code": i.code, "severity": i.severity, "message": i.message} for i in self.issues],
        }


# Thresholds. Each is where a recommender starts to suffer, not a hard limit.
# Below 2 rows per user on average most users appear once: nothing to learn
# about their taste, and nothing left to evaluate on once one row is held out.
MIN_ROWS_PER_USER = 2.0
# Below 5 rows per product most products are seen too rarely to learn an
# embedding; they are noise in the catalogue.
MIN_ROWS_PER_PRODUCT = 5.0
# With fewer users or products than this a model memorises rather than
# generalises, and new users or products (cold start) dominate evaluation.
MIN_USERS = 100
MIN_PRODUCTS = 20
# Under 0.001 % of user–product pairs observed, collaborative filtering has
# almost no overlap between users to learn from (MovieLens is ~4 %, large
# retail logs ~0.01 %).
MIN_DENSITY = 1e-5
# Less than four weeks does not show each weekday more than three times nor
# any monthly pattern, and leaves a time split little to train on.
MIN_DATE_RANGE_DAYS = 28
# Up to this share of rows with a NULL split key is normal (anonymous users);
# above it the split silently loses a real part of the data.
NULL_KEY_WARNING_SHARE = 0.05

# How much each issue lowers the score (it is multiplied by 1 - penalty), so
# every extra issue lowers it and an empty result drives it to zero.
SEVERITY_PENALTY: dict[str, float] = {"info": 0.05, "warning": 0.2, "error": 0.6}
EMPTY_RESULT_PENALTY = 1.0

# The stable codes, for the UI and scripts that act on them.
ISSUE_CODES = (
    "empty_result",
    "empty_train_split",
    "empty_eval_split",
    "low_engagement",
    "sparse_products",
    "cold_start",
    "extreme_sparsity",
    "short_date_range",
    "null_split_keys",
    "top_products_keeps_all",
    "tfx_unsupported_type",
)

# Types the TFX variant can hand to BigQueryExampleGen, directly or cast
# (DESIGN §4); anything else makes the TFX export fail.
TFX_TYPES = frozenset(
    {"INT64", "FLOAT64", "BOOL", "STRING", "TIMESTAMP", "DATETIME", "DATE", "NUMERIC", "BIGNUMERIC",
     "INTEGER", "FLOAT", "BOOLEAN", "DECIMAL", "BIGDECIMAL"}
)


def _count(n: int) -> str:
    return f"{n:,}"


def _issue(code: str, severity: Severity, message: str) -> QualityIssue:
    return QualityIssue(code, severity, message)


def score_of(issues: Sequence[QualityIssue]) -> float:
    """1 with no issue; each issue multiplies by (1 - its penalty)."""
    score = 1.0
    for issue in issues:
        penalty = EMPTY_RESULT_PENALTY if issue.code == "empty_result" else SEVERITY_PENALTY[issue.severity]
        score *= 1.0 - penalty
    return round(score, 4)


def quality(counts: AnalysisCounts, definition: Definition | None = None) -> Quality:
    """Quality issues for a recommender, worst first, and a 0–1 score."""
    issues: list[QualityIssue] = []
    if counts.rows <= 0:
        issues.append(_issue(
            "empty_result", "error",
            "The dataset has no rows. Widen the date range, lower the minimum transactions, "
            "raise the top products percentage, or check the joins (an inner join drops unmatched rows).",
        ))
        return Quality(score_of(issues), tuple(issues))
    issues += _split_issues(counts, definition)
    issues += _shape_issues(counts)
    issues += _definition_issues(counts, definition)
    order = {"error": 0, "warning": 1, "info": 2}
    issues.sort(key=lambda i: order[i.severity])  # stable: rule order within a severity
    return Quality(score_of(issues), tuple(issues))


def _split_issues(counts: AnalysisCounts, d: Definition | None) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    split = d.split if d is not None else None
    if counts.train_rows is not None and counts.eval_rows is not None:
        if isinstance(split, TimeSplit):
            train_fix = (
                f"the train split needs rows older than the last {split.eval_days + 1} days: "
                "lower eval_days or widen the date range"
            )
            eval_fix = (
                f"the eval split is the last {split.eval_days + 1} days up to the anchor date and holds "
                "no rows: raise eval_days, or move a fixed date range to where the data is"
            )
        elif isinstance(split, RandomSplit):
            train_fix = (
                f"every split key hashed into eval: raise train_percent ({split.train_percent}%) "
                "or hash a key with more distinct values"
            )
            eval_fix = (
                f"every split key hashed into train: lower train_percent ({split.train_percent}%) "
                "or hash a key with more distinct values"
            )
        else:
            train_fix = eval_fix = "change the split"
        if counts.train_rows == 0:
            out.append(_issue("empty_train_split", "error", f"The train split has no rows; {train_fix}."))
        if counts.eval_rows == 0:
            out.append(_issue("empty_eval_split", "error", f"The eval split has no rows; {eval_fix}."))
    if counts.null_key_rows:
        share = counts.null_key_rows / counts.rows
        if isinstance(split, TimeSplit):
            key = "timestamp"
        else:
            column = d.split_key() if d is not None else None
            key = f"split key ({column.output_name})" if column is not None else "split key"
        severity: Severity = "warning" if share > NULL_KEY_WARNING_SHARE else "info"
        out.append(_issue(
            "null_split_keys", severity,
            f"{_count(counts.null_key_rows)} rows ({share:.1%}) have a NULL {key} and are in neither "
            "train nor eval. Filter them out upstream or choose a split key that is always set.",
        ))
    return out


def _shape_issues(c: AnalysisCounts) -> list[QualityIssue]:
    out: list[QualityIssue] = []
    if c.users:
        per_user = c.rows / c.users
        if per_user < MIN_ROWS_PER_USER:
            out.append(_issue(
                "low_engagement", "warning",
                f"Users have {per_user:.2f} rows each on average (under {MIN_ROWS_PER_USER:g}): most appear "
                "once, so a model learns little about them. Set minimum transactions to 2 or more, "
                "or widen the date range.",
            ))
    if c.products:
        per_product = c.rows / c.products
        if per_product < MIN_ROWS_PER_PRODUCT:
            out.append(_issue(
                "sparse_products", "warning",
                f"Products have {per_product:.2f} rows each on average (under {MIN_ROWS_PER_PRODUCT:g}): "
                "most are seen too rarely to learn from. Keep only the top products by revenue "
                "(for example 80%), or widen the date range.",
            ))
    few = []
    if c.users is not None and c.users < MIN_USERS:
        few.append(f"{_count(c.users)} users (under {MIN_USERS})")
    if c.products is not None and c.products < MIN_PRODUCTS:
        few.append(f"{_count(c.products)} products (under {MIN_PRODUCTS})")
    if few:
        out.append(_issue(
            "cold_start", "warning",
            f"Only {' and '.join(few)}: too few for a model to generalise, and new ones will dominate "
            "evaluation. Widen the date range or relax the filters.",
        ))
    if c.users and c.products:
        density = c.rows / (c.users * c.products)
        if density < MIN_DENSITY:
            out.append(_issue(
                "extreme_sparsity", "warning",
                f"Only {density:.5%} of user–product pairs have a row (under {MIN_DENSITY:.3%}): "
                "users share too few products for collaborative filtering. Keep the top products "
                "and set minimum transactions to concentrate the data.",
            ))
    span = c.date_span_days
    if span is not None and span < MIN_DATE_RANGE_DAYS:
        out.append(_issue(
            "short_date_range", "warning",
            f"The data spans only {span} day{'s' if span != 1 else ''} ({c.date_min} to {c.date_max}; "
            f"under {MIN_DATE_RANGE_DAYS}): too short for weekly patterns or a fair time split. "
            "Widen the date range.",
        ))
    return out


def _definition_issues(c: AnalysisCounts, d: Definition | None) -> list[QualityIssue]:
    if d is None:
        return []
    out: list[QualityIssue] = []
    percent = d.filters.top_products_percent
    if percent is not None and c.total_revenue is not None and c.total_revenue <= 0:
        revenue = d.role_column("revenue")
        where = f" ({revenue.table}.{revenue.name})" if revenue is not None else ""
        out.append(_issue(
            "top_products_keeps_all", "warning",
            f"Total revenue{where} is {c.total_revenue:g}, not above zero, so the top {percent}% "
            "products filter keeps every product. Check the revenue column or remove the filter.",
        ))
    for i, column in enumerate(d.columns):
        base = column.base_type
        if base is not None and base not in TFX_TYPES:
            out.append(_issue(
                "tfx_unsupported_type", "warning",
                f"columns[{i}] {column.table}.{column.name} is {column.type}, which TFX BigQueryExampleGen "
                "cannot read (only INT64, FLOAT64, BOOL, STRING and castable dates and numbers): "
                "the TFX export will refuse it. Drop the column or select a field inside it.",
            ))
    return out


# -- split estimates --------------------------------------------------------------


@dataclass(frozen=True)
class SplitEstimate:
    # None when no row count is known yet (a definition not yet analysed).
    train_rows: int | None
    eval_rows: int | None
    # None when even the share cannot be told (a time split with no date range or data).
    train_fraction: float | None
    method: Literal["measured", "estimated"]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "train_rows": self.train_rows,
            "eval_rows": self.eval_rows,
            "train_fraction": self.train_fraction,
            "method": self.method,
            "note": self.note,
        }


def months_before(day: dt.date, months: int) -> dt.date:
    """`DATE_SUB(day, INTERVAL months MONTH)`: the day of month clamps to the month's end."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def date_window(definition: Definition, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day the date range keeps (None: all time)."""
    rng = definition.filters.date_range
    if isinstance(rng, FixedRange):
        return rng.start, rng.end
    if isinstance(rng, RollingRange):
        return months_before(today, rng.months), today
    return None


def time_split_cutoff(definition: Definition, today: dt.date) -> dt.date | None:
    """First day of eval for a time split: anchor − eval_days (anchor: fixed end, else today)."""
    split = definition.split
    if not isinstance(split, TimeSplit):
        return None
    rng = definition.filters.date_range
    anchor = rng.end if isinstance(rng, FixedRange) else today
    return anchor - dt.timedelta(days=split.eval_days)


def _fraction(train: int, eval_: int) -> float | None:
    total = train + eval_
    return round(train / total, 4) if total else None


def split_estimate(
    definition: Definition, counts: AnalysisCounts | None, *, today: dt.date
) -> SplitEstimate | None:
    """Train and eval sizes: measured when `counts` has them, else estimated.

    Random: `train_percent` of the rows with a key. Time: rows before the
    cutoff from the per-day counts when there are some, else in proportion
    of days in the date range (data assumed even over it). None when the
    definition has no split.
    """
    split = definition.split
    if split is None:
        return None
    if counts is not None and counts.train_rows is not None and counts.eval_rows is not None:
        dropped = f"; {_count(counts.null_key_rows)} rows with a NULL key in neither" if counts.null_key_rows else ""
        return SplitEstimate(
            counts.train_rows, counts.eval_rows, _fraction(counts.train_rows, counts.eval_rows),
            "measured", f"measured on the warehouse{dropped}",
        )
    if isinstance(split, RandomSplit):
        share = split.train_percent / 100
        if counts is None:
            return SplitEstimate(None, None, share, "estimated",
                                 f"about {split.train_percent}% of split keys go to train (hash buckets)")
        keyed = counts.rows - (counts.null_key_rows or 0)
        train = round(keyed * share)
        return SplitEstimate(train, keyed - train, share, "estimated",
                             f"{split.train_percent}% of {_count(keyed)} rows; the real share varies with "
                             "how many rows each key has")
    assert isinstance(split, TimeSplit)
    cutoff = time_split_cutoff(definition, today)
    assert cutoff is not None
    days = split.eval_days + 1
    if counts is not None and counts.per_day:
        train = sum(d.rows for d in counts.per_day if d.day < cutoff)
        eval_ = sum(d.rows for d in counts.per_day if d.day >= cutoff)
        return SplitEstimate(train, eval_, _fraction(train, eval_), "estimated",
                             f"from daily row counts: eval is {cutoff} onwards ({days} days)")
    if counts is not None and counts.date_min is not None and counts.date_max is not None:
        first, last = counts.date_min, counts.date_max
        source = "the data's dates"
    else:
        window = date_window(definition, today)
        if window is None:
            return SplitEstimate(None, None, None, "estimated",
                                 f"eval is the last {days} days up to today; its share depends on "
                                 "how far back the data goes")
        first, last = window
        source = "the date range"
    span = (last - first).days + 1
    train_days = min(max((cutoff - first).days, 0), span)
    share = train_days / span if span > 0 else 0.0
    if counts is None:
        return SplitEstimate(None, None, round(share, 4), "estimated",
                             f"{train_days} of {span} days in train by {source}, eval from {cutoff}")
    train = round(counts.rows * share)
    return SplitEstimate(train, counts.rows - train, round(share, 4), "estimated",
                         f"{train_days} of {span} days in train by {source}, rows assumed even over them")


# -- JSON (DESIGN §8 `analyze`) ------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def analysis_to_json(counts: AnalysisCounts, quality: Quality, definition: Definition | None) -> dict[str, Any]:
    """The `analyze --json` shape, plus `total_revenue` and `per_day`."""
    has_split = definition.split is not None if definition is not None else counts.train_rows is not None
    split = (
        {"train_rows": counts.train_rows, "eval_rows": counts.eval_rows, "null_key_rows": counts.null_key_rows}
        if has_split
        else None
    )
    return {
        "rows": counts.rows,
        "users": counts.users,
        "products": counts.products,
        "date_min": _iso(counts.date_min),
        "date_max": _iso(counts.date_max),
        "split": split,
        "quality": quality.to_dict(),
        "total_revenue": counts.total_revenue,
        "per_day": [{"day": d.day.isoformat(), "rows": d.rows} for d in counts.per_day],
    }


def analysis_from_json(data: Any) -> tuple[AnalysisCounts, Quality]:
    """Read back what :func:`analysis_to_json` wrote (a cached analysis)."""
    if not isinstance(data, Mapping):
        raise AnalysisError("a cached analysis must be a JSON object")
    try:
        split = data.get("split") or {}
        if not isinstance(split, Mapping):
            raise AnalysisError("split must be an object or null")
        counts = AnalysisCounts(
            rows=_int(data["rows"], "rows") or 0,
            users=_int(data.get("users"), "users"),
            products=_int(data.get("products"), "products"),
            date_min=_date(data.get("date_min"), "date_min"),
            date_max=_date(data.get("date_max"), "date_max"),
            train_rows=_int(split.get("train_rows"), "split.train_rows"),
            eval_rows=_int(split.get("eval_rows"), "split.eval_rows"),
            null_key_rows=_int(split.get("null_key_rows"), "split.null_key_rows"),
            total_revenue=_float(data.get("total_revenue"), "total_revenue"),
            per_day=tuple(
                DailyCount(_date(d["day"], "per_day.day") or dt.date.min, _int(d["rows"], "per_day.rows") or 0)
                for d in data.get("per_day") or ()
            ),
        )
        q = data["quality"]
        issues = tuple(
            QualityIssue(str(i["code"]), _severity(i["severity"]), str(i["message"])) for i in q["issues"]
        )
        score = _float(q["score"], "quality.score")
    except (KeyError, TypeError) as exc:
        raise AnalysisError(f"a cached analysis is missing or has a malformed field: {exc}") from None
    if score is None or math.isnan(score) or not 0.0 <= score <= 1.0:
        raise AnalysisError(f"quality.score must be between 0 and 1, got {score!r}")
    return counts, Quality(score, issues)


def _severity(value: Any) -> Severity:
    if value not in ("info", "warning", "error"):
        raise AnalysisError(f"unknown issue severity {value!r}")
    return value  # type: ignore[no-any-return]

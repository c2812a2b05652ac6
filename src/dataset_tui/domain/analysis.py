"""The counts of one analysis query, split estimates from them, and the `analyze` JSON.

The analysis query (``analysis_query.analysis_sql``) returns one ``total``
row — rows, distinct users and products, the date range, rows per split, rows
with a NULL split key, total revenue — and one ``day`` row per calendar day
with its row count. This module turns those rows into numbers (whichever
engine produced them), estimates split sizes (measured when the counts have
them, else from the definition alone, for the wizard's live summary), and
reads and writes the ``analyze`` JSON shape of DESIGN §8. Judging the data's
quality is ``quality.py``'s job.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from dataset_tui.domain.definition import Definition, RandomSplit, TimeSplit
from dataset_tui.domain.window import anchor_day, date_window, time_split_cutoff

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
        moment: dt.datetime = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        return moment.date()
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


def thousands(n: int) -> str:
    """A count as people read it: 1234567 → 1,234,567."""
    return f"{n:,}"


# -- quality, as the JSON holds it (the rules are in quality.py) ---------------


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
        dropped = f"; {thousands(counts.null_key_rows)} rows with a NULL key in neither" if counts.null_key_rows else ""
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
                             f"{split.train_percent}% of {thousands(keyed)} rows; the real share varies with "
                             "how many rows each key has")
    assert isinstance(split, TimeSplit)
    cutoff = time_split_cutoff(definition, today)
    assert cutoff is not None
    anchor = anchor_day(definition, today)
    days = split.eval_days + 1
    if counts is not None and counts.per_day:
        # Days after the anchor are in neither split (DESIGN §4): a count
        # cached before that rule, or for another day, may still hold some.
        train = sum(d.rows for d in counts.per_day if d.day < cutoff)
        eval_ = sum(d.rows for d in counts.per_day if cutoff <= d.day <= anchor)
        return SplitEstimate(train, eval_, _fraction(train, eval_), "estimated",
                             f"from daily row counts: eval is {cutoff} to {anchor} ({days} days)")
    if counts is not None and counts.date_min is not None and counts.date_max is not None:
        first, last = counts.date_min, min(counts.date_max, anchor)
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


SEVERITIES: dict[str, Severity] = {"info": "info", "warning": "warning", "error": "error"}


def _severity(value: Any) -> Severity:
    if not isinstance(value, str) or value not in SEVERITIES:
        raise AnalysisError(f"unknown issue severity {value!r}")
    return SEVERITIES[value]

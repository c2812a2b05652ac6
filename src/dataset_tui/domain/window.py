"""Which days a definition's rows may fall on (DESIGN §4, revised), computed in Python.

The SQL generator writes the same rules as SQL; this module gives the dates
for a known "today" so estimates and validation can reason about them.

- The anchor is the fixed range's end, else today (the as-of date, else the
  clock's today). Nothing dated after it is ever in an output.
- The date window: fixed → start..end; rolling → today − N months..today;
  no range → every day up to the anchor (and rows without a timestamp).
- A time split's cutoff is anchor − eval_days: train is before it, eval
  from it to the anchor, both ends included (eval_days + 1 days).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

from dataset_tui.domain.definition import (
    Definition,
    FixedRange,
    RollingRange,
    TimeSplit,
)


def months_before(day: dt.date, months: int) -> dt.date:
    """`DATE_SUB(day, INTERVAL months MONTH)`: the day of month clamps to the month's end."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def anchor_day(definition: Definition, today: dt.date) -> dt.date:
    """The last day any output may hold: the fixed range's end, else today."""
    rng = definition.filters.date_range
    return rng.end if isinstance(rng, FixedRange) else today


def date_window(definition: Definition, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day the date range keeps (None: no range, all days up to today)."""
    rng = definition.filters.date_range
    if isinstance(rng, FixedRange):
        return rng.start, rng.end
    if isinstance(rng, RollingRange):
        return months_before(today, rng.months), today
    return None


def time_split_cutoff(definition: Definition, today: dt.date) -> dt.date | None:
    """First day of eval for a time split: anchor − eval_days (None: not a time split)."""
    split = definition.split
    if not isinstance(split, TimeSplit):
        return None
    return anchor_day(definition, today) - dt.timedelta(days=split.eval_days)


@functools.lru_cache(maxsize=128)
def longest_rolling_days(months: int) -> int:
    """The most days between a day and the same day `months` months before, over every day.

    A time split inside a rolling range keeps a train day on a given day only
    if eval_days is below this gap; at or above the longest gap, never.
    Month lengths repeat every 400 years, and every run of consecutive month
    lengths (leap Februaries included) already shows within eight years.
    """
    start = dt.date(2021, 1, 1)
    return max(
        (day - months_before(day, months)).days
        for day in (start + dt.timedelta(days=i) for i in range(8 * 366))
    )

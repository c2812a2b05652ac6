"""The one clock of the product.

Every "now" and "today" comes from here so that tests (and snapshots) can fix
time and date logic does not change from day to day. All times are UTC.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware UTC (or the fixed time in tests)."""
    if _fixed is not None:
        return _fixed
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in UTC: what BigQuery's CURRENT_DATE() returns."""
    return now().date()


def fix(at: dt.datetime | dt.date | None) -> None:
    """Fix the clock at a moment (None lets it run again)."""
    global _fixed
    if at is None:
        _fixed = None
    elif isinstance(at, dt.datetime):
        _fixed = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    else:
        _fixed = dt.datetime(at.year, at.month, at.day, 12, 0, tzinfo=dt.UTC)


@contextlib.contextmanager
def fixed(at: dt.datetime | dt.date) -> Iterator[None]:
    """Run a block with the clock fixed, then restore whatever it was."""
    global _fixed
    before = _fixed
    fix(at)
    try:
        yield
    finally:
        _fixed = before

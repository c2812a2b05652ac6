"""Where and when a generated query runs, and what its header calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dataset_tui.domain.sqlformat import SqlGenError, date_literal


@dataclass(frozen=True)
class SqlContext:
    """Where and when a query runs, and what its header calls it.

    `project` prefixes table paths; `as_of` pins "today" to a DATE literal
    (the reproducible form; None: CURRENT_DATE()); `label` names the version
    in the header.
    """

    project: str | None = None
    as_of: dt.date | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if self.as_of is not None and not isinstance(self.as_of, dt.date):
            raise SqlGenError(f"as-of must be a date, not {self.as_of!r}")

    @property
    def today(self) -> str:
        """SQL for "today": CURRENT_DATE() or the as-of DATE literal."""
        return "CURRENT_DATE()" if self.as_of is None else date_literal(self.as_of)


LIVE = SqlContext()

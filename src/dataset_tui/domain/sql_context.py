"""Where and when a generated query runs, and what its header calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from dataset_tui.domain.sqlformat import SqlGenError, date_literal, number_literal

PartitionKind = Literal["DATE", "TIMESTAMP", "DATETIME", "INT64"]


@dataclass(frozen=True)
class PartitionFloor:
    """A lower bound on a table's partitioning column: a preview reads only its latest partitions.

    For a table that requires a partition filter when the date window does not
    give one (the timestamp role is another column, or there is none): the
    start of its `partitions`-th newest partition, found in the warehouse.
    """

    table: str  # as the definition names it
    column: str  # the partitioning column, or _PARTITIONTIME
    kind: PartitionKind
    low: dt.date | dt.datetime | int
    partitions: int

    def literal(self) -> str:
        """The bound as a literal of the column's type (never text from a user)."""
        low = self.low
        if self.kind == "INT64":
            if not isinstance(low, int):
                raise SqlGenError(f"an integer-range partition bound must be an integer, not {low!r}")
            return number_literal(low)
        if not isinstance(low, dt.date):
            raise SqlGenError(f"a time partition bound must be a date, not {low!r}")
        if self.kind == "DATE":
            return date_literal(low)
        moment = low if isinstance(low, dt.datetime) else dt.datetime(low.year, low.month, low.day)
        text = moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")
        return f"{self.kind} '{text}'"  # a TIMESTAMP literal without a zone is UTC

    @property
    def note(self) -> str:
        return f"{self.table}: the latest {self.partitions} partitions ({self.column} >= {self.literal()})"


@dataclass(frozen=True)
class SqlContext:
    """Where and when a query runs, and what its header calls it.

    `project` prefixes table paths; `as_of` pins "today" to a DATE literal
    (the reproducible form; None: CURRENT_DATE()); `label` names the version
    in the header; `partition_floors` bound the tables that require a
    partition filter the date window does not give (previews only).
    """

    project: str | None = None
    as_of: dt.date | None = None
    label: str | None = None
    partition_floors: tuple[PartitionFloor, ...] = ()

    def __post_init__(self) -> None:
        if self.as_of is not None and not isinstance(self.as_of, dt.date):
            raise SqlGenError(f"as-of must be a date, not {self.as_of!r}")

    @property
    def today(self) -> str:
        """SQL for "today": CURRENT_DATE() or the as-of DATE literal."""
        return "CURRENT_DATE()" if self.as_of is None else date_literal(self.as_of)


LIVE = SqlContext()

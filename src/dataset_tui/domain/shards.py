"""Date-sharded table families: ``events_20240101`` … ``events_20261130`` as one ``events_*``.

BigQuery exports (GA4, Firebase, billing) write one table a day named
``<prefix><YYYYMMDD>``. Three years of them is 1,100 tables that a person
thinks of as one; the BigQuery console shows them as one entry with a shard
count, and SQL reads them through a wildcard table (`` `ds.events_*` ``) with
``_TABLE_SUFFIX`` bounds. This module finds the families in a list of table
names and turns a date window into suffix bounds. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

WILDCARD = "*"
# A shard's suffix: eight digits that form a real date, at the end of the name.
_SHARD = re.compile(r"(?P<prefix>.*?)(?P<suffix>\d{8})")
# One shard alone is just a table with a date in its name; two make a family.
MIN_SHARDS = 2


@dataclass(frozen=True)
class ShardFamily:
    """Tables ``prefix + YYYYMMDD``, shown and queried as ``prefix*``."""

    prefix: str
    suffixes: tuple[str, ...]  # sorted ascending, each a valid YYYYMMDD date

    @property
    def name(self) -> str:
        return self.prefix + WILDCARD

    @property
    def count(self) -> int:
        return len(self.suffixes)

    @property
    def first(self) -> dt.date:
        return parse_suffix(self.suffixes[0])

    @property
    def last(self) -> dt.date:
        return parse_suffix(self.suffixes[-1])

    @property
    def newest_table(self) -> str:
        """The shard whose schema stands for the family's (BigQuery reads the newest too)."""
        return self.prefix + self.suffixes[-1]

    def tables(self) -> list[str]:
        return [self.prefix + s for s in self.suffixes]

    def tables_between(self, low: str | None, high: str | None) -> list[str]:
        """The shards whose suffix lies in [low, high] (None: unbounded), as _TABLE_SUFFIX would pick."""
        return [self.prefix + s for s in self.suffixes if (low is None or s >= low) and (high is None or s <= high)]


def is_wildcard(table: str) -> bool:
    return table.endswith(WILDCARD)


def parse_suffix(suffix: str) -> dt.date:
    return dt.datetime.strptime(suffix, "%Y%m%d").date()


def format_suffix(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _split(name: str) -> tuple[str, str] | None:
    match = _SHARD.fullmatch(name)
    if match is None or not match["prefix"]:
        return None
    try:
        parse_suffix(match["suffix"])
    except ValueError:
        return None
    return match["prefix"], match["suffix"]


def group_shards(names: Iterable[str]) -> tuple[list[str], list[ShardFamily]]:
    """Split table names into (plain tables, shard families); one pass, linear in the names.

    A prefix with a single dated table stays a plain table. Plain names keep
    their input order; families are ordered by name.
    """
    by_prefix: dict[str, list[str]] = {}
    plain: list[str] = []
    order: list[str] = []
    for name in names:
        parts = _split(name)
        if parts is None:
            plain.append(name)
            continue
        prefix, suffix = parts
        if prefix not in by_prefix:
            by_prefix[prefix] = []
            order.append(name)
        by_prefix[prefix].append(suffix)
    families: list[ShardFamily] = []
    for prefix, suffixes in by_prefix.items():
        if len(suffixes) >= MIN_SHARDS:
            families.append(ShardFamily(prefix, tuple(sorted(suffixes))))
        else:
            plain.append(prefix + suffixes[0])
    families.sort(key=lambda f: f.prefix)
    return plain, families


def suffix_bounds(start: dt.date | None, end: dt.date | None, *, slack_days: int = 1) -> tuple[str | None, str | None]:
    """``_TABLE_SUFFIX`` bounds for a window of event dates, widened by ``slack_days``.

    A shard holds one day in the exporter's time zone (GA4: the property's),
    while the window is on UTC dates, so an event near midnight can sit in the
    neighbouring shard. One day of slack each side keeps every such row; the
    date filter on the timestamp still decides which rows are in.
    """
    slack = dt.timedelta(days=slack_days)
    low = format_suffix(start - slack) if start is not None else None
    high = format_suffix(end + slack) if end is not None else None
    return low, high

"""How `search` matches heads, kept in one place for the store's listing and the app's list.

The home list filters 20,000 heads on every key typed: matching runs over
precomputed keys with C-level map/compress (about a millisecond), so the app
filters in memory instead of reading the store again per key.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence
from typing import TypeVar

from dataset_tui.store.records import DatasetHead

H = TypeVar("H", bound=DatasetHead)

# Between name and description in a key: a needle without it cannot match across the two.
_SEP = "\x00"


def search_keys(heads: Sequence[DatasetHead]) -> list[str]:
    """What `search` looks in, per head: its name and description, casefolded."""
    return column_keys(map(operator.attrgetter("name"), heads), map(operator.attrgetter("description"), heads))


def column_keys(names: Iterable[str], descriptions: Iterable[str]) -> list[str]:
    """search_keys of heads given as their names and descriptions (in the same order)."""
    return list(map(str.casefold, map(_SEP.join, zip(names, descriptions, strict=True))))


def search_mask(keys: Sequence[str], search: str) -> list[bool]:
    """Per key (from search_keys): whether its name or description contains `search`, ignoring case."""
    needle = search.casefold()
    if _SEP in needle:  # would match across name and description: look at each (a name never holds it)
        return [needle in name or needle in rest for name, _, rest in (k.partition(_SEP) for k in keys)]
    return list(map(operator.contains, keys, itertools.repeat(needle)))


def matching(heads: Sequence[H], keys: Sequence[str], search: str | None) -> list[H]:
    """The heads whose name or description contains `search`, ignoring case (all of them for none)."""
    if not search:
        return list(heads)
    return list(itertools.compress(heads, search_mask(keys, search)))


def with_status(heads: Sequence[H], status: str | None) -> list[H]:
    """The heads of that status (all of them for None)."""
    if status is None:
        return list(heads)
    statuses = map(operator.attrgetter("status"), heads)
    return list(itertools.compress(heads, map(operator.eq, statuses, itertools.repeat(status))))

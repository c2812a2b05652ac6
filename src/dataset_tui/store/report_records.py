"""Records of what only some calls hand out: diffs between versions, cached results, exports.

Apart from records.py so that a command which makes none of them (a save, a
listing) does not build their dataclasses on import, a millisecond each;
loaded by the store calls that make them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from dataset_tui.store.records import to_plain_json


@dataclass(frozen=True)
class Change:
    """One difference between two definitions, at a field path."""

    path: str  # e.g. "columns[2].alias", "filters.min_transactions"
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {_short(self.new)}"
        if self.kind == "removed":
            return f"- {self.path}: {_short(self.old)}"
        return f"~ {self.path}: {_short(self.old)} -> {_short(self.new)}"


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class VersionDiff:
    model: str
    name: str
    old_version: int
    new_version: int
    changes: list[Change] = field(default_factory=list)
    text: str = ""  # unified diff of the two definition files
    hash_changed: bool = False  # whether the rows can differ (not only the description)

    @property
    def unchanged(self) -> bool:
        return not self.changes


@dataclass(frozen=True)
class CachedAnalysis:
    definition_hash: str
    computed_at: dt.datetime
    result: dict[str, Any]
    stale: bool  # computed for another definition than the one export/sql would use


@dataclass(frozen=True)
class CachedStats:
    table_key: Any  # the table's modified time or row count when computed
    computed_at: dt.datetime
    result: dict[str, Any]

    def stale_for(self, table_key: Any) -> bool:
        """Whether the table changed since (its key now differs)."""
        return bool(to_plain_json(table_key) != self.table_key)


@dataclass(frozen=True)
class ExportRecord:
    version: int
    paths: list[str]
    as_of: dt.date | None
    exported_at: dt.datetime
    author: str

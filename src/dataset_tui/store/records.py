"""What the store hands out: plain dataclasses, detached from its files.

Heads and versions, which every command uses; the records of diffs, caches
and exports are in report_records.py, loaded by the calls that make them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the list path never loads the definition models (pydantic)
    from dataset_tui.domain.definition import Definition


def to_plain_json(value: Any) -> Any:
    """Data handed in by services as plain JSON: dates ISO text, NUMERIC (Decimal) text.

    What the store keeps is what it gives back, so caches compare equal to
    fresh values put through this same function.
    """
    import json

    def default(item: Any) -> Any:
        if isinstance(item, (dt.date, dt.datetime)):
            return item.isoformat()
        if hasattr(item, "model_dump"):
            return item.model_dump(mode="json")
        if hasattr(item, "__dataclass_fields__"):
            import dataclasses

            return dataclasses.asdict(item)
        return str(item)  # Decimal and friends

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


@dataclass(frozen=True)
class DatasetHead:
    """One dataset as the list shows it (no definition loaded)."""

    model: str
    name: str
    description: str
    status: Literal["draft", "active"]
    revision: int  # the latest version's number
    active_version: int | None
    tables: int  # of the latest version
    columns: int
    versions: int
    created_at: dt.datetime
    updated_at: dt.datetime
    last_analysis_rows: int | None
    deleted_at: dt.datetime | None
    id: str = ""
    latest_hash: str = ""
    active_hash: str | None = None
    # Orders deletions even when the clock was set back (0: deleted before it was kept).
    deleted_seq: int = 0

    @property
    def badge(self) -> str:
        """`draft`, `active v3`, or `active v3 · draft v5` when newer versions wait."""
        if self.active_version is None:
            return "draft"
        if self.revision > self.active_version:
            return f"active v{self.active_version} · draft v{self.revision}"
        return f"active v{self.active_version}"

    @property
    def definition_version(self) -> int:
        """The version `export` and `sql` use: the active one, else the latest."""
        return self.active_version if self.active_version is not None else self.revision

    @property
    def definition_hash(self) -> str:
        """The hash of `definition_version` (what a cached analysis must match)."""
        return self.active_hash if self.active_version is not None and self.active_hash else self.latest_hash

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True)
class Version:
    """One immutable saved definition."""

    number: int
    definition: Definition
    definition_hash: str
    created_at: dt.datetime
    author: str
    note: str | None

"""What the store hands out: plain dataclasses, detached from its files.

Heads and versions, which every command uses; the records of diffs, caches
and exports are in report_records.py, loaded by the calls that make them.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the list path never loads the definition models
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
        from dataset_tui.domain.model_rules import Part

        if isinstance(item, Part):  # a definition or one of its parts: the file's form
            return item.to_dict()
        if hasattr(item, "__dataclass_fields__"):
            import dataclasses

            return dataclasses.asdict(item)
        return str(item)  # Decimal and friends

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def badge_of(revision: int, active_version: int | None) -> str:
    """A head's badge (DatasetHead.badge) from its latest and active version numbers."""
    if active_version is None:
        return "draft"
    if revision > active_version:
        return f"active v{active_version} · draft v{revision}"
    return f"active v{active_version}"


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
        return badge_of(self.revision, self.active_version)

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


# The head fields a listing index keeps per live dataset (heads_listing.py), in HeadColumns' order.
HEAD_COLUMNS = (
    "id",
    "model",
    "name",
    "description",
    "revision",
    "active_version",
    "tables",
    "columns",
    "versions",
    "created_at",
    "updated_at",
    "last_analysis_rows",
    "latest_hash",
    "active_hash",
    "deleted_seq",
)


@dataclass(frozen=True)
class HeadColumns:
    """Live datasets as `list` reads them, one list per field (row i of each is one dataset).

    Times are the ISO text the store keeps, each in UTC as datetime.isoformat
    writes it (`...+00:00`): as text they sort as the times do, and 20,000
    rows can be printed without parsing 40,000 times. `heads()` gives the
    same rows as DatasetHeads.
    """

    ids: list[str]
    models: list[str]
    names: list[str]
    descriptions: list[str]
    revisions: list[int]
    active_versions: list[int | None]
    tables: list[int]
    columns: list[int]
    versions: list[int]
    created_at: list[str]
    updated_at: list[str]
    last_analysis_rows: list[int | None]
    latest_hashes: list[str]
    active_hashes: list[str | None]
    deleted_seqs: list[int]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def statuses(self) -> list[str]:
        return ["draft" if version is None else "active" for version in self.active_versions]

    @property
    def badges(self) -> list[str]:
        return list(map(badge_of, self.revisions, self.active_versions))

    def lists(self) -> list[list[Any]]:
        """The columns in HEAD_COLUMNS order."""
        return [getattr(self, f.name) for f in fields(self)]

    def taken(self, rows: list[int]) -> HeadColumns:
        """These rows, in this order."""
        if len(rows) < 2:  # itemgetter of one index gives the item, of none fails
            return HeadColumns(*([column[i] for i in rows] for column in self.lists()))
        # itemgetter picks the rows in C: twice as fast as a map over __getitem__ at 20,000.
        pick = operator.itemgetter(*rows)
        return HeadColumns(*(list(pick(column)) for column in self.lists()))

    def heads(self) -> list[DatasetHead]:
        """The rows as DatasetHeads (what the heads files hold, read the slow way)."""
        made = []
        parse = dt.datetime.fromisoformat
        for i, name in enumerate(self.names):
            active = self.active_versions[i]
            head = object.__new__(DatasetHead)  # as heads_index.head_from_doc builds one (no __init__)
            head.__dict__.update(
                model=self.models[i],
                name=name,
                description=self.descriptions[i],
                status="draft" if active is None else "active",
                revision=self.revisions[i],
                active_version=active,
                tables=self.tables[i],
                columns=self.columns[i],
                versions=self.versions[i],
                created_at=parse(self.created_at[i]),
                updated_at=parse(self.updated_at[i]),
                last_analysis_rows=self.last_analysis_rows[i],
                deleted_at=None,
                id=self.ids[i],
                latest_hash=self.latest_hashes[i],
                active_hash=self.active_hashes[i],
                deleted_seq=self.deleted_seqs[i],
            )
            made.append(head)
        return made


@dataclass(frozen=True)
class Version:
    """One immutable saved definition."""

    number: int
    definition: Definition
    definition_hash: str
    created_at: dt.datetime
    author: str
    note: str | None

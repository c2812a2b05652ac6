"""Every head of the store in memory, and how a head document becomes a DatasetHead."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dataset_tui.store import layout
from dataset_tui.store.records import DatasetHead


def parse_time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def required_time(text: str) -> dt.datetime:
    moment = parse_time(text)
    if moment is None:
        raise ValueError("a time is empty")
    return moment


def head_from_doc(doc: dict[str, Any]) -> DatasetHead:
    """The head a document describes; raises TypeError, ValueError or KeyError on a malformed one."""
    active = doc["active_version"]
    fields = {
        "model": doc["model"],
        "name": doc["name"],
        "description": doc["description"],
        "status": "active" if active is not None else "draft",
        "revision": doc["revision"],
        "active_version": active,
        "tables": doc["tables"],
        "columns": doc["columns"],
        "versions": doc["versions"],
        "created_at": required_time(doc["created_at"]),
        "updated_at": required_time(doc["updated_at"]),
        "last_analysis_rows": doc["last_analysis_rows"],
        "deleted_at": parse_time(doc["deleted_at"]),
        "id": doc["id"],
        "latest_hash": doc["latest_hash"],
        "active_hash": doc["active_hash"],
        "deleted_seq": int(doc.get("deleted_seq") or 0),
    }
    # A frozen dataclass's __init__ sets each of the 17 fields through
    # object.__setattr__: a list of 20,000 heads spent 130 ms there. Filling
    # the instance's dict gives the same object (DatasetHead has no
    # __post_init__ and no slots) in half the time.
    head = object.__new__(DatasetHead)
    head.__dict__.update(fields)
    return head


def summary(definition: dict[str, Any]) -> dict[str, Any]:
    """Head fields that describe the latest version."""
    source = definition.get("source", {})
    return {
        "description": definition.get("description", ""),
        "tables": 1 + len(source.get("joins", [])),
        "columns": len(definition.get("columns", [])),
    }


def head_fixes(head: DatasetHead, docs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Head fields that disagree with the dataset's file (the file is the truth); {} when they agree.

    A crash between the two writes of a save leaves a version the head does
    not count; going back to a file's backup leaves a head counting versions
    the file no longer has, perhaps an active one.
    """
    latest = max(docs)
    fixes: dict[str, Any] = {}
    if latest != head.revision or len(docs) != head.versions or docs[latest]["hash"] != head.latest_hash:
        doc = docs[latest]
        fixes.update(
            revision=latest,
            versions=len(docs),
            latest_hash=doc["hash"],
            updated_at=doc["created_at"],
            **summary(doc["definition"]),
        )
    if head.active_version is not None and head.active_version not in docs:
        fixes.update(active_version=None, active_hash=None)
    return fixes


def apply_fixes(head: DatasetHead, fixes: dict[str, Any]) -> DatasetHead:
    """The head as it reads once `fixes` (from head_fixes) are written."""
    if not fixes:
        return head
    changed = {k: v for k, v in fixes.items() if k != "updated_at"}
    if "updated_at" in fixes:
        changed["updated_at"] = required_time(fixes["updated_at"])
    if "active_version" in fixes:
        changed["status"] = "draft" if fixes["active_version"] is None else "active"
    return dataclasses.replace(head, **changed)


class HeadIndex:
    """Every head document of the store in memory, rebuilt per bucket when a bucket file changes.

    The index keeps the documents as parsed; a DatasetHead (three times
    parsed, a 17-field record) is built when a caller asks for that head and
    kept until its bucket changes. A save asks for one head, so its cost does
    not grow with the store; only a listing builds the heads it lists.
    """

    def __init__(self) -> None:
        # Never equal to a file's generation, so the first refresh reads all.
        self.generations: list[Any] = [object()] * layout.HEAD_BUCKETS
        self.buckets: list[dict[str, int]] = [{} for _ in range(layout.HEAD_BUCKETS)]  # id -> doc_id
        # id -> (bucket, doc_id, document) of the heads of parsed buckets.
        self.by_id: dict[str, tuple[int, int, dict[str, Any] | None]] = {}
        self.parsed: set[int] = set()  # buckets whose documents are in by_id
        # Buckets known from the keys cache (heads_keys.BucketKeys), their file not
        # parsed: looked up in place (a C scan of the names), not put in the dicts
        # below, so a save at 20,000 datasets does not index 20,000 heads to find one.
        self.pending: dict[int, Any] = {}
        # The keys cache as read, per bucket (heads_keys.BucketKeys, None: no usable file);
        # None until a refresh first looks at it.
        self.cached: dict[int, Any] | None = None
        self.cached_changed: set[int] = set()  # buckets parsed since: their keys are written on close
        self.heads: dict[str, DatasetHead] = {}  # id -> its head, built on first use
        # bucket -> ((stamp, CRC-32) of its heads file, its live heads as columns): heads_listing.py
        self.listings: dict[int, tuple[tuple[tuple[int, int, int], int], list[list[Any]]]] = {}
        self.keys: dict[str, tuple[str, str]] = {}  # id -> (model, name.lower()) as last indexed
        self.live: dict[tuple[str, str], str] = {}  # (model, name.lower()) -> id of a live dataset
        # datasets/ folder's mtime when last listed, and the buckets its files belong to:
        # a missing heads file is only harmless when no dataset file belongs to it.
        self.listed_at: int | None = None
        self.buckets_on_disk: set[int] = set()

    def live_id(self, model: str, name_lower: str) -> str | None:
        """The id of the live dataset called `name_lower` (lowered) in `model`, or None."""
        found = self.live.get((model, name_lower))
        if found is not None:
            return found
        for keys in self.pending.values():
            names = keys.names
            if name_lower not in names:  # the common case: one scan in C
                continue
            i = names.index(name_lower)
            while True:
                if keys.live[i] and keys.models[i] == model:
                    dataset_id: str = keys.ids[i]
                    return dataset_id
                try:
                    i = names.index(name_lower, i + 1)
                except ValueError:
                    break
        return None

    def pending_bucket(self, dataset_id: str) -> int | None:
        """The bucket holding `dataset_id` among those known from the keys cache only."""
        for bucket, keys in self.pending.items():
            if dataset_id in keys.ids:
                return bucket
        return None

    def knows(self, dataset_id: str) -> bool:
        """Whether any head (live or deleted) has this id."""
        return dataset_id in self.by_id or self.pending_bucket(dataset_id) is not None

    def models(self) -> set[str]:
        """Models of every head (live or deleted)."""
        found = {model for model, _ in self.keys.values()}
        for keys in self.pending.values():
            found.update(keys.models)
        return found

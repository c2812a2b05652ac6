"""Versions: each dataset's file of immutable definitions, and saving new ones.

A save writes the dataset's own file first, then its head. If the head
write fails (disk full, a folder made read-only), the dataset file is put
back as it was, so "nothing was changed" is true; if even that fails, the
error says the version is there and `dataset-tui store repair` (or the next
save) counts it. A crash between the two writes leaves a complete version
the head does not count yet: reads count it at once (`head_fixes`), the next
write stores the fixed head.

- "Unchanged" compares the whole definition (except name and model) with the
  latest version, not only the definition hash: the hash leaves out the
  description, and an edited description must not be dropped silently.
- A version keeps the definition as it was saved; reading it gives the
  dataset's current name and model, so exports and SQL use the current name.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from tinydb.table import Document

from dataset_tui.store import layout
from dataset_tui.store.base import current_author, now_iso
from dataset_tui.store.errors import (
    ConflictError,
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreUnwritableError,
)
from dataset_tui.store.heads import HeadsStore, check_new_name
from dataset_tui.store.heads_index import (
    apply_fixes,
    head_fixes,
    required_time,
    summary,
)
from dataset_tui.store.records import DatasetHead, Version
from dataset_tui.store.storage import backup_path
from dataset_tui.store.text import check_text

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.store.report_records import VersionDiff

Docs = dict[int, dict[str, Any]]


def content(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition without its identity (name, model): what a save compares."""
    return {k: v for k, v in definition.items() if k not in ("name", "model")}


class VersionsStore(HeadsStore):
    """Reading versions, and every write that adds one."""

    def _version_docs(self, head: DatasetHead) -> Docs:
        storage = self._dataset_storage(head.id)
        data = storage.read()
        if data is None:
            missing = f"the file of dataset {head.name!r} is missing"
            raise StoreCorruptError(storage.path, missing, storage.usable_backup())
        docs = {int(k): v for k, v in data.get(layout.VERSIONS_TABLE, {}).items()}
        if not docs:
            raise StoreCorruptError(storage.path, "it holds no versions", storage.usable_backup())
        return docs

    def _read_state(self, model: str, name: str) -> tuple[DatasetHead, Docs]:
        """The head as its file says it should read (inside a read), and the versions."""
        _, _, head = self._find(model, name)
        docs = self._version_docs(head)
        return apply_fixes(head, head_fixes(head, docs)), docs

    def _state(self, bucket: int, doc_id: int, head: DatasetHead) -> tuple[DatasetHead, Docs]:
        """The head and its versions, the head brought up to date with the file (inside a write)."""
        docs = self._version_docs(head)
        fixes = head_fixes(head, docs)
        if fixes:
            head = self._update_head(bucket, doc_id, fixes)
        return head, docs

    def _to_version(self, head: DatasetHead, number: int, doc: dict[str, Any]) -> Version:
        data = dict(doc["definition"])
        data["name"], data["model"] = head.name, head.model
        from dataset_tui.domain.definition import DefinitionError, read_definition

        try:
            definition = read_definition(data)
            created_at = required_time(doc["created_at"])
        except (DefinitionError, ValueError, TypeError, KeyError) as exc:  # hand edits
            raise StoreCorruptError(
                layout.dataset_path(self.folder, head.id), f"version {number} is not a valid definition ({exc})", None
            ) from None
        return Version(
            number=number,
            definition=definition,
            definition_hash=doc["hash"],
            created_at=created_at,
            author=doc["author"],
            note=doc["note"],
        )

    def _append_version(
        self, dataset_id: str, number: int, definition: Definition, note: str | None, author: str | None
    ) -> dict[str, Any]:
        doc = {
            "definition": definition.to_dict(),
            "hash": definition.content_hash(),
            "created_at": now_iso(),
            "author": author or current_author(),
            "note": note,
        }
        check_text(doc["definition"], "the definition")
        check_text(note, "the note")
        # Document ids are version numbers; TinyDB refuses an id that exists,
        # which keeps versions from ever being overwritten.
        self._table(dataset_id, layout.VERSIONS_TABLE).insert(Document(doc, doc_id=number))
        return doc

    def _undo_append(self, dataset_id: str, existed: bool, what: str, exc: StoreError) -> StoreError:
        """The head write after a version failed: put the dataset file back, and say what is true."""
        path = layout.dataset_path(self.folder, dataset_id)
        self._datasets.pop(dataset_id, None)
        failed = exc.path if isinstance(exc, StoreUnwritableError) and exc.path else "the heads file"
        reason = exc.reason if isinstance(exc, StoreUnwritableError) and exc.reason else str(exc)
        try:
            if existed:
                # The backup is the file as it was before this save (storage.py).
                os.replace(backup_path(path), path)
            else:
                path.unlink()
        except OSError:
            return StoreError(
                f"{what} was written to {path}, but its head could not be updated (cannot write {failed}: "
                f"{reason}). The version is kept: the next save of it counts it, or at once "
                "`dataset-tui store repair` once the store can be written again."
            )
        return StoreError(
            f"{what} was not saved: cannot write {failed}: {reason}. Nothing was changed; free some space "
            "or make the store folder writable (or choose another with --db DIR / DATASET_TUI_DB), then try again."
        )

    def _ensure_bucket(self, bucket: int) -> None:
        """Write an empty heads file before the first dataset of its bucket.

        A heads file missing while dataset files belong to it then always
        means it was lost, never that a first save was cut short.
        """
        storage = self._head_storages[bucket]
        if storage.read() is None:
            storage.write({layout.HEADS_TABLE: {}})

    def _new_dataset(
        self, definition: Definition, note: str | None, author: str | None, *, name: str | None = None
    ) -> Version:
        """Create a dataset (caller holds the write lock and checked the name)."""
        if name is not None:
            definition = definition.renamed(name)
        import uuid  # here, not on import: it loads `platform`, which a listing never needs

        index = self._refresh()
        while True:
            dataset_id = uuid.uuid4().hex[:16]
            if not index.knows(dataset_id) and not layout.dataset_path(self.folder, dataset_id).exists():
                break
        bucket = layout.head_bucket(dataset_id)
        self._ensure_bucket(bucket)
        doc = self._append_version(dataset_id, 1, definition, note, author)
        head = {
            "id": dataset_id,
            "model": definition.model,
            "name": definition.name,
            "revision": 1,
            "active_version": None,
            "versions": 1,
            "created_at": doc["created_at"],
            "updated_at": doc["created_at"],
            "latest_hash": doc["hash"],
            "active_hash": None,
            "last_analysis_rows": None,
            "deleted_at": None,
            **summary(doc["definition"]),
        }
        try:
            self._heads_table(bucket).insert(head)
        except StoreError as exc:
            raise self._undo_append(dataset_id, False, f"{definition.name} v1", exc) from None
        self._refresh()
        return Version(1, definition, doc["hash"], required_time(doc["created_at"]), doc["author"], note)

    # -- saving -----------------------------------------------------------

    def create(self, definition: Definition, *, note: str | None = None, author: str | None = None) -> Version:
        """A new dataset whose version 1 is `definition`."""
        with self._writing():
            self._check_free(definition.model, definition.name)
            return self._new_dataset(definition, note, author)

    def update(
        self,
        definition: Definition,
        *,
        base_revision: int | None,
        note: str | None = None,
        author: str | None = None,
    ) -> Version | None:
        """Save `definition` as the next version of the dataset it names.

        `base_revision` is the version the edit started from; if the dataset
        has moved on since, nothing is saved and ConflictError says so. None
        saves on top of whatever is latest. Returns None when the definition
        equals the latest version (nothing is added).
        """
        with self._writing():
            bucket, doc_id, head = self._find(definition.model, definition.name)
            head, docs = self._state(bucket, doc_id, head)
            latest = max(docs)
            if base_revision is not None and base_revision != latest:
                other = docs[latest]
                raise ConflictError(
                    f"{head.name} changed while you edited it: you started from v{base_revision}, and "
                    f"{other['author']} saved v{latest} at {other['created_at'][:19].replace('T', ' ')} UTC. "
                    "Nothing was saved. Reload it and apply your change again, or save yours under a new name.",
                    current_revision=latest,
                )
            if content(docs[latest]["definition"]) == content(definition.to_dict()):
                return None
            stored = definition.renamed(head.name)
            doc = self._append_version(head.id, latest + 1, stored, note, author)
            fields = {
                "revision": latest + 1,
                "versions": len(docs) + 1,
                "latest_hash": doc["hash"],
                "updated_at": doc["created_at"],
                **summary(doc["definition"]),
            }
            try:
                self._update_head(bucket, doc_id, fields)
            except StoreError as exc:
                raise self._undo_append(head.id, True, f"{head.name} v{latest + 1}", exc) from None
            created_at = required_time(doc["created_at"])
            return Version(latest + 1, stored, doc["hash"], created_at, doc["author"], note)

    def clone(self, model: str, name: str, new_name: str, *, version: int | None = None) -> Version:
        """A new dataset (same model) starting from a version of another (default: its latest)."""
        check_new_name(new_name)
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            head, docs = self._state(bucket, doc_id, head)
            number = self._number(head, docs, version)
            self._check_free(model, new_name)
            source = self._to_version(head, number, docs[number]).definition
            return self._new_dataset(source, f"cloned from {head.name} v{number}", None, name=new_name)

    def rename(self, model: str, name: str, new_name: str) -> DatasetHead:
        check_new_name(new_name)
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            self._check_free(model, new_name, except_id=head.id)
            return self._update_head(bucket, doc_id, {"name": new_name, "updated_at": now_iso()})

    def activate(self, model: str, name: str, version: int | None = None) -> DatasetHead:
        """Mark a version (default: the latest) as the one pipelines use."""
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            head, docs = self._state(bucket, doc_id, head)
            number = self._number(head, docs, version)
            if head.active_version == number:
                return head
            return self._update_head(
                bucket,
                doc_id,
                {"active_version": number, "active_hash": docs[number]["hash"], "updated_at": now_iso()},
            )

    def _number(self, head: DatasetHead, docs: Docs, version: int | None) -> int:
        """The version asked for (None: the latest); NotFoundError if the dataset has none by that number."""
        number = max(docs) if version is None else version
        if number not in docs:
            raise NotFoundError(
                f"{head.name} has no version {number}; its versions are 1 to {max(docs)} "
                f"(`dataset-tui versions {head.name}` lists them)"
            )
        return number

    # -- history ----------------------------------------------------------

    def get(self, model: str, name: str) -> DatasetHead:
        """The dataset's head, counting what its file holds (see head_fixes)."""
        with self._reading():
            return self._read_state(model, name)[0]

    def versions(self, model: str, name: str) -> list[Version]:
        """Every version, oldest first."""
        with self._reading():
            head, docs = self._read_state(model, name)
            return [self._to_version(head, n, docs[n]) for n in sorted(docs)]

    def version(self, model: str, name: str, number: int) -> Version:
        with self._reading():
            head, docs = self._read_state(model, name)
            self._number(head, docs, number)
            return self._to_version(head, number, docs[number])

    def diff(self, model: str, name: str, v1: int, v2: int | None = None) -> VersionDiff:
        """What changed from version v1 to v2 (default: the latest)."""
        from dataset_tui.store.diff import changes, unified
        from dataset_tui.store.report_records import VersionDiff

        with self._reading():
            head, docs = self._read_state(model, name)
            v1, v2 = self._number(head, docs, v1), self._number(head, docs, v2)
            old = self._to_version(head, v1, docs[v1])
            new = self._to_version(head, v2, docs[v2])
        a, b = old.definition.to_dict(), new.definition.to_dict()
        return VersionDiff(
            model=model,
            name=head.name,
            old_version=v1,
            new_version=v2,
            changes=changes(a, b),
            text=unified(a, b, f"{head.name} v{v1}", f"{head.name} v{v2}"),
            hash_changed=old.definition_hash != new.definition_hash,
        )

    def restore(self, model: str, name: str, number: int, *, note: str | None = None) -> Version:
        """Save a copy of an old version as the newest (unless it equals the latest already)."""
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            head, docs = self._state(bucket, doc_id, head)
            self._number(head, docs, number)
            latest = max(docs)
            old = self._to_version(head, number, docs[number])
            if content(docs[latest]["definition"]) == content(old.definition.to_dict()):
                return self._to_version(head, latest, docs[latest])
            made = self.update(old.definition, base_revision=latest, note=note or f"restored from v{number}")
            assert made is not None  # it differs from the latest, checked above
            return made

    def set_note(self, model: str, name: str, number: int, note: str | None) -> None:
        """Change a version's note (its definition never changes)."""
        check_text(note, "the note")
        with self._writing():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            self._number(head, docs, number)
            self._table(head.id, layout.VERSIONS_TABLE).update({"note": note or None}, doc_ids=[number])

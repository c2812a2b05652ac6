"""The versioned store of dataset definitions (DESIGN §5).

One `Store` per process opens a folder (layout.py). Every method is one
transaction under the store lock: writes hold it exclusively from their
first read to their last write, reads hold it shared. Files are replaced
atomically (storage.py), and a save writes the dataset's own file before its
head, so a crash in between leaves a complete version that the head does not
count yet; the next write to that dataset counts it (`_state`).

Decisions where DESIGN is silent:
- Names are unique within a model ignoring case (export file names must not
  collide on case-insensitive file systems); lookups ignore case too.
- "Unchanged" compares the whole definition (except name and model) with the
  latest version, not only the definition hash: the hash leaves out the
  description, and an edited description must not be dropped silently.
- A version keeps the definition as it was saved; reading it gives the
  dataset's current name and model, so exports and SQL use the current name.
- Deleted datasets free their name; when several deleted datasets share one,
  `undelete` and `purge` take the most recently deleted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb.table import Document, Table

from dataset_tui.domain import clock
from dataset_tui.domain.definition import NAME_RE, Definition
from dataset_tui.store import layout
from dataset_tui.store.diff import changes, unified
from dataset_tui.store.errors import (
    ActiveDatasetError,
    ConflictError,
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreFormatError,
    StoreUnwritableError,
)
from dataset_tui.store.lock import DEFAULT_TIMEOUT_S, StoreLock
from dataset_tui.store.migrations import migrate
from dataset_tui.store.records import (
    CachedAnalysis,
    CachedStats,
    DatasetHead,
    ExportRecord,
    Version,
    VersionDiff,
    to_plain_json,
)
from dataset_tui.store.storage import FolderSync, SafeJSONStorage

# Sort keys accepted by `list`; a leading "-" reverses the order.
SORTS = ("name", "updated", "created", "versions", "status")
# Analyses kept per dataset (one per definition hash, newest first).
ANALYSES_KEPT = 5
# Dataset files whose parsed content stays in memory.
DATASET_CACHE = 256


def current_author() -> str:
    """The login name recorded with each version."""
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no passwd entry, no USER variable (containers)
        return "unknown"


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def _content(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition without its identity (name, model): what a save compares."""
    return {k: v for k, v in definition.items() if k not in ("name", "model")}


def _head_from_doc(doc: dict[str, Any]) -> DatasetHead:
    active = doc["active_version"]
    return DatasetHead(
        model=doc["model"],
        name=doc["name"],
        description=doc["description"],
        status="active" if active is not None else "draft",
        revision=doc["revision"],
        active_version=active,
        tables=doc["tables"],
        columns=doc["columns"],
        versions=doc["versions"],
        created_at=_time(doc["created_at"]),  # type: ignore[arg-type]
        updated_at=_time(doc["updated_at"]),  # type: ignore[arg-type]
        last_analysis_rows=doc["last_analysis_rows"],
        deleted_at=_time(doc["deleted_at"]),
        id=doc["id"],
        latest_hash=doc["latest_hash"],
        active_hash=doc["active_hash"],
    )


def _summary(definition: dict[str, Any]) -> dict[str, Any]:
    """Head fields that describe the latest version."""
    source = definition.get("source", {})
    return {
        "description": definition.get("description", ""),
        "tables": 1 + len(source.get("joins", [])),
        "columns": len(definition.get("columns", [])),
    }


def _check_new_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise InvalidNameError(
            f"name {name!r} is not allowed: 1-64 characters, a letter first, then letters, digits, '_' or '-'"
        )


class _HeadIndex:
    """Every head of the store in memory, rebuilt per bucket when a bucket file changes."""

    def __init__(self) -> None:
        # Never equal to a file's generation, so the first refresh reads all.
        self.generations: list[Any] = [object()] * layout.HEAD_BUCKETS
        self.buckets: list[dict[str, tuple[int, DatasetHead]]] = [{} for _ in range(layout.HEAD_BUCKETS)]
        self.by_id: dict[str, tuple[int, int, DatasetHead]] = {}  # id -> (bucket, doc_id, head)
        self.live: dict[tuple[str, str], str] = {}  # (model, name.lower()) -> id


class Store:
    """The versioned repository of dataset definitions."""

    def __init__(self, folder: Path, lock: StoreLock) -> None:
        self.folder = folder
        self._lock = lock
        self._sync = FolderSync()
        self._meta = SafeJSONStorage(folder / layout.META_FILE, validate=layout.check_meta_file)
        self._head_storages = [
            SafeJSONStorage(layout.heads_path(folder, b), validate=layout.check_heads_file, folder_sync=self._sync)
            for b in range(layout.HEAD_BUCKETS)
        ]
        self._stats = SafeJSONStorage(
            folder / layout.STATS_FILE, validate=layout.check_stats_file, folder_sync=self._sync
        )
        self._datasets: OrderedDict[str, SafeJSONStorage] = OrderedDict()
        self._index = _HeadIndex()

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, folder: Path | str, *, lock_timeout_s: float = DEFAULT_TIMEOUT_S) -> Store:
        """Open (creating if needed) the store in `folder`."""
        folder = Path(folder).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnwritableError(
                f"cannot create the store folder {folder}: {exc.strerror or exc}; "
                "choose another folder with --db DIR or DATASET_TUI_DB"
            ) from None
        _refuse_foreign_folder(folder)
        store = cls(folder, StoreLock(folder, timeout_s=lock_timeout_s))
        try:
            store._open_meta()
        except BaseException:
            store.close()
            raise
        return store

    @property
    def read_only(self) -> bool:
        return not self._lock.writable

    def _open_meta(self) -> None:
        path = self._meta.path
        guard = self._lock.exclusive() if self._lock.writable else self._lock.shared()
        with guard:
            data = self._meta.read()
            if data is None:
                if self._lock.writable:
                    self._write_meta(layout.STORE_VERSION)
                return
            meta = data["store"]
            version = meta["version"]
            if version > layout.STORE_VERSION:
                raise StoreFormatError(
                    f"{path} says this store has format version {version}, newer than this dataset-tui "
                    f"reads (version {layout.STORE_VERSION}); upgrade dataset-tui to use it "
                    "(nothing in the store was changed)"
                )
            if meta.get("head_buckets", layout.HEAD_BUCKETS) != layout.HEAD_BUCKETS:
                raise StoreFormatError(
                    f"{path} spreads heads over {meta.get('head_buckets')} files, this dataset-tui expects "
                    f"{layout.HEAD_BUCKETS}; use the dataset-tui release that wrote it (nothing was changed)"
                )
            if version < layout.STORE_VERSION:
                if not self._lock.writable:
                    raise StoreUnwritableError(
                        f"the store in {self.folder} needs upgrading to format version {layout.STORE_VERSION} "
                        "but its folder is not writable; open it once with write access"
                    )
                migrate(self.folder, version, layout.STORE_VERSION)
                self._write_meta(layout.STORE_VERSION)

    def _write_meta(self, version: int) -> None:
        self._meta.write(
            {
                "store": {
                    "format": layout.STORE_FORMAT,
                    "version": version,
                    "head_buckets": layout.HEAD_BUCKETS,
                    "created_at": _iso(clock.now()),
                }
            }
        )

    def close(self) -> None:
        self._lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock.shared():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        if not self._lock.writable:
            raise StoreUnwritableError(
                f"the store folder {self.folder} is not writable, so nothing can be saved; "
                "make it writable, or choose another with --db DIR / DATASET_TUI_DB"
            )
        with self._lock.exclusive(), self._sync.batch():
            try:
                yield
            except StoreError:
                # Refusals (conflict, name taken, ...) come before any change;
                # a failed write has already dropped its file's cache.
                raise
            except BaseException:
                # TinyDB edits cached documents in place before writing: after
                # an unexpected failure, read everything from the files again.
                for storage in self._head_storages:
                    storage.forget()
                self._index = _HeadIndex()
                self._datasets.clear()
                self._stats.forget()
                raise

    # -- heads ------------------------------------------------------------

    def _refresh(self) -> _HeadIndex:
        """Bring the in-memory heads up to date with the files (cheap when unchanged).

        Only buckets whose file changed are parsed and re-indexed, so a save
        costs the same with 100 datasets or 5,000.
        """
        index = self._index
        for bucket, storage in enumerate(self._head_storages):
            data = storage.read()
            generation = storage.generation
            if generation == index.generations[bucket]:
                continue
            docs = (data or {}).get(layout.HEADS_TABLE, {})
            try:
                fresh = {doc["id"]: (int(doc_id), _head_from_doc(doc)) for doc_id, doc in docs.items()}
            except (TypeError, ValueError, AttributeError) as exc:
                storage.forget()
                raise StoreCorruptError(
                    storage.path, f"a head has a malformed value ({exc})", storage.usable_backup()
                ) from None
            for dataset_id, (_, head) in index.buckets[bucket].items():
                del index.by_id[dataset_id]
                key = (head.model, head.name.lower())
                if index.live.get(key) == dataset_id:
                    del index.live[key]
            for dataset_id, (doc_id, head) in fresh.items():
                index.by_id[dataset_id] = (bucket, doc_id, head)
                if head.deleted_at is None:
                    index.live[(head.model, head.name.lower())] = dataset_id
            index.buckets[bucket] = fresh
            index.generations[bucket] = generation
        return index

    def _find(self, model: str, name: str) -> tuple[int, int, DatasetHead]:
        index = self._refresh()
        dataset_id = index.live.get((model, name.lower()))
        if dataset_id is not None:
            return index.by_id[dataset_id]
        gone = self._find_deleted(model, name, required=False)
        if gone is not None:
            when = gone[2].deleted_at.strftime("%Y-%m-%d %H:%M UTC") if gone[2].deleted_at else "?"
            raise NotFoundError(
                f"dataset {gone[2].name!r} in model {model!r} was deleted ({when}); "
                f"bring it back with `dataset-tui undelete {gone[2].name}`"
            )
        raise NotFoundError(
            f"no dataset named {name!r} in model {model!r}; `dataset-tui list` shows the datasets "
            "(and --model NAME chooses another model)"
        )

    def _find_deleted(self, model: str, name: str, *, required: bool = True) -> tuple[int, int, DatasetHead] | None:
        index = self._refresh()
        matches = [
            entry
            for entry in index.by_id.values()
            if entry[2].deleted_at is not None and entry[2].model == model and entry[2].name.lower() == name.lower()
        ]
        if not matches:
            if required:
                raise NotFoundError(
                    f"no deleted dataset named {name!r} in model {model!r}; `dataset-tui deleted` lists them"
                )
            return None
        return max(matches, key=lambda e: e[2].deleted_at)  # type: ignore[arg-type,return-value]

    def _heads_table(self, bucket: int) -> Table:
        # A fresh Table per use: TinyDB caches the next document id in the
        # Table object, which another process's insert would make wrong.
        return Table(self._head_storages[bucket], layout.HEADS_TABLE, cache_size=0)

    def _update_head(self, bucket: int, doc_id: int, fields: dict[str, Any]) -> DatasetHead:
        self._heads_table(bucket).update(fields, doc_ids=[doc_id])
        index = self._refresh()
        dataset_id = next(i for i, (d, _) in index.buckets[bucket].items() if d == doc_id)
        return index.by_id[dataset_id][2]

    # -- dataset files ----------------------------------------------------

    def _dataset_storage(self, dataset_id: str) -> SafeJSONStorage:
        storage = self._datasets.get(dataset_id)
        if storage is None:
            storage = SafeJSONStorage(
                layout.dataset_path(self.folder, dataset_id), validate=layout.check_dataset_file, folder_sync=self._sync
            )
            self._datasets[dataset_id] = storage
            if len(self._datasets) > DATASET_CACHE:
                self._datasets.popitem(last=False)
        else:
            self._datasets.move_to_end(dataset_id)
        return storage

    def _table(self, dataset_id: str, name: str) -> Table:
        return Table(self._dataset_storage(dataset_id), name, cache_size=0)

    def _version_docs(self, head: DatasetHead) -> dict[int, dict[str, Any]]:
        storage = self._dataset_storage(head.id)
        data = storage.read()
        if data is None:
            raise StoreCorruptError(storage.path, f"the file of dataset {head.name!r} is missing", storage.usable_backup())
        docs = {int(k): v for k, v in data.get(layout.VERSIONS_TABLE, {}).items()}
        if not docs:
            raise StoreCorruptError(storage.path, "it holds no versions", storage.usable_backup())
        return docs

    def _state(self, bucket: int, doc_id: int, head: DatasetHead) -> tuple[DatasetHead, dict[int, dict[str, Any]]]:
        """The head and its versions, the head brought up to date if a crash left it behind."""
        docs = self._version_docs(head)
        latest = max(docs)
        if latest != head.revision or len(docs) != head.versions:
            latest_doc = docs[latest]
            head = self._update_head(
                bucket,
                doc_id,
                {
                    "revision": latest,
                    "versions": len(docs),
                    "latest_hash": latest_doc["hash"],
                    "updated_at": latest_doc["created_at"],
                    **_summary(latest_doc["definition"]),
                },
            )
        return head, docs

    def _to_version(self, head: DatasetHead, number: int, doc: dict[str, Any]) -> Version:
        data = dict(doc["definition"])
        data["name"], data["model"] = head.name, head.model
        try:
            definition = Definition.model_validate(data)
        except Exception as exc:  # pydantic ValidationError: the file was edited by hand
            raise StoreCorruptError(
                layout.dataset_path(self.folder, head.id), f"version {number} is not a valid definition ({exc})", None
            ) from None
        return Version(
            number=number,
            definition=definition,
            definition_hash=doc["hash"],
            created_at=_time(doc["created_at"]),  # type: ignore[arg-type]
            author=doc["author"],
            note=doc["note"],
        )

    def _append_version(
        self, dataset_id: str, number: int, definition: Definition, note: str | None, author: str | None
    ) -> dict[str, Any]:
        doc = {
            "definition": definition.to_dict(),
            "hash": definition.content_hash(),
            "created_at": _iso(clock.now()),
            "author": author or current_author(),
            "note": note,
        }
        # Document ids are version numbers; TinyDB refuses an id that exists,
        # which keeps versions from ever being overwritten.
        self._table(dataset_id, layout.VERSIONS_TABLE).insert(Document(doc, doc_id=number))
        return doc

    def _new_dataset(
        self, definition: Definition, note: str | None, author: str | None, *, name: str | None = None
    ) -> Version:
        """Create a dataset (caller holds the write lock and checked the name)."""
        if name is not None:
            definition = definition.model_copy(update={"name": name})
        index = self._refresh()
        while True:
            dataset_id = uuid.uuid4().hex[:16]
            if dataset_id not in index.by_id and not layout.dataset_path(self.folder, dataset_id).exists():
                break
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
            **_summary(doc["definition"]),
        }
        self._heads_table(layout.head_bucket(dataset_id)).insert(head)
        self._refresh()
        return Version(1, definition, doc["hash"], _time(doc["created_at"]), doc["author"], note)  # type: ignore[arg-type]

    def _check_free(self, model: str, name: str, *, except_id: str | None = None) -> None:
        index = self._refresh()
        holder = index.live.get((model, name.lower()))
        if holder is not None and holder != except_id:
            taken = index.by_id[holder][2].name
            raise NameTakenError(
                f"a dataset named {taken!r} already exists in model {model!r} "
                "(names are compared ignoring case); choose another name"
            )

    # -- listing ----------------------------------------------------------

    def list(
        self,
        model: str,
        *,
        status: str | None = None,
        search: str | None = None,
        sort: str = "name",
        offset: int = 0,
        limit: int | None = None,
    ) -> list[DatasetHead]:
        """The model's datasets (not deleted), filtered, sorted and paged.

        `search` matches name or description, ignoring case. `sort` is one of
        name, updated, created, versions, status; "-updated" reverses.
        """
        key = sort.lstrip("-")
        if key not in SORTS:
            raise StoreError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)} (prefix - to reverse)")
        heads = self._select(model, status, search)
        order = {
            "name": lambda h: h.name.casefold(),
            "updated": lambda h: h.updated_at,
            "created": lambda h: h.created_at,
            "versions": lambda h: (h.versions, h.name.casefold()),
            "status": lambda h: (h.status, h.name.casefold()),
        }[key]
        heads.sort(key=order, reverse=sort.startswith("-"))
        end = None if limit is None else offset + limit
        return heads[offset:end]

    def count(self, model: str, *, status: str | None = None, search: str | None = None) -> int:
        return len(self._select(model, status, search))

    def _select(self, model: str, status: str | None, search: str | None) -> list[DatasetHead]:
        if status not in (None, "draft", "active"):
            raise StoreError(f"unknown status {status!r}; choose draft or active")
        needle = search.casefold() if search else None
        with self._reading():
            index = self._refresh()
            heads = [
                index.by_id[dataset_id][2] for (m, _), dataset_id in index.live.items() if m == model
            ]
        if status is not None:
            heads = [h for h in heads if h.status == status]
        if needle:
            heads = [h for h in heads if needle in h.name.casefold() or needle in h.description.casefold()]
        return heads

    def models(self) -> list[str]:
        """Models that hold at least one dataset (deleted ones included)."""
        with self._reading():
            return sorted({entry[2].model for entry in self._refresh().by_id.values()})

    def get(self, model: str, name: str) -> DatasetHead:
        with self._reading():
            return self._find(model, name)[2]

    def name_available(self, model: str, name: str) -> bool:
        """Whether a new dataset may take `name` (a deleted dataset's name is free)."""
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            return False
        with self._reading():
            return (model, name.lower()) not in self._refresh().live

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
            if _content(docs[latest]["definition"]) == _content(definition.to_dict()):
                return None
            stored = definition.model_copy(update={"name": head.name})
            doc = self._append_version(head.id, latest + 1, stored, note, author)
            self._update_head(
                bucket,
                doc_id,
                {
                    "revision": latest + 1,
                    "versions": len(docs) + 1,
                    "latest_hash": doc["hash"],
                    "updated_at": doc["created_at"],
                    **_summary(doc["definition"]),
                },
            )
            return Version(latest + 1, stored, doc["hash"], _time(doc["created_at"]), doc["author"], note)  # type: ignore[arg-type]

    def clone(self, model: str, name: str, new_name: str, *, version: int | None = None) -> Version:
        """A new dataset (same model) starting from a version of another (default: its latest)."""
        _check_new_name(new_name)
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            head, docs = self._state(bucket, doc_id, head)
            number = max(docs) if version is None else version
            if number not in docs:
                raise self._no_version(head, number, docs)
            self._check_free(model, new_name)
            source = self._to_version(head, number, docs[number]).definition
            return self._new_dataset(source, f"cloned from {head.name} v{number}", None, name=new_name)

    def rename(self, model: str, name: str, new_name: str) -> DatasetHead:
        _check_new_name(new_name)
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            self._check_free(model, new_name, except_id=head.id)
            return self._update_head(bucket, doc_id, {"name": new_name, "updated_at": _iso(clock.now())})

    def activate(self, model: str, name: str, version: int | None = None) -> DatasetHead:
        """Mark a version (default: the latest) as the one pipelines use."""
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            head, docs = self._state(bucket, doc_id, head)
            number = max(docs) if version is None else version
            if number not in docs:
                raise self._no_version(head, number, docs)
            if head.active_version == number:
                return head
            return self._update_head(
                bucket,
                doc_id,
                {"active_version": number, "active_hash": docs[number]["hash"], "updated_at": _iso(clock.now())},
            )

    def _no_version(self, head: DatasetHead, number: int, docs: dict[int, Any]) -> NotFoundError:
        return NotFoundError(
            f"{head.name} has no version {number}; its versions are 1 to {max(docs)} "
            f"(`dataset-tui versions {head.name}` lists them)"
        )

    # -- delete, undelete, purge -----------------------------------------

    def delete(self, model: str, name: str, *, force: bool = False) -> None:
        """Move a dataset to the deleted list (its versions are kept until purged)."""
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            if head.active_version is not None and not force:
                raise ActiveDatasetError(
                    f"{head.name} is active (pipelines use v{head.active_version}), so it was not deleted; "
                    "to delete it anyway use --force (in the app: type its name). "
                    "It can be brought back with undelete until it is purged."
                )
            self._update_head(bucket, doc_id, {"deleted_at": _iso(clock.now())})

    def deleted(self, model: str) -> list[DatasetHead]:
        """Deleted datasets of the model, most recently deleted first."""
        with self._reading():
            index = self._refresh()
            gone = [e[2] for e in index.by_id.values() if e[2].deleted_at is not None and e[2].model == model]
        return sorted(gone, key=lambda h: h.deleted_at, reverse=True)  # type: ignore[arg-type,return-value]

    def undelete(self, model: str, name: str, *, as_name: str | None = None) -> DatasetHead:
        if as_name is not None:
            _check_new_name(as_name)
        with self._writing():
            bucket, doc_id, head = self._find_deleted(model, name)  # type: ignore[misc]
            target = as_name or head.name
            index = self._refresh()
            if (model, target.lower()) in index.live:
                if as_name is None:
                    raise NameTakenError(
                        f"the name {head.name!r} was taken by another dataset after this one was deleted; "
                        "bring it back under another name with --as NEW"
                    )
                self._check_free(model, target)
            return self._update_head(bucket, doc_id, {"deleted_at": None, "name": target})

    def purge(self, model: str, name: str) -> None:
        """Remove a deleted dataset and all its versions for good."""
        with self._writing():
            index = self._refresh()
            found = self._find_deleted(model, name, required=False)
            if found is None:
                if (model, name.lower()) in index.live:
                    raise StoreError(
                        f"{name} is not deleted; only deleted datasets can be purged "
                        f"(`dataset-tui delete {name}` first)"
                    )
                self._find_deleted(model, name)
            bucket, doc_id, head = found  # type: ignore[misc]
            # Head first: a crash after it leaves an unreachable file, never
            # a head without its versions.
            self._heads_table(bucket).remove(doc_ids=[doc_id])
            self._datasets.pop(head.id, None)
            path = layout.dataset_path(self.folder, head.id)
            for leftover in (path, path.with_name(path.name + ".bak"), path.with_name(path.name + ".tmp")):
                leftover.unlink(missing_ok=True)
            self._refresh()

    # -- history ----------------------------------------------------------

    def versions(self, model: str, name: str) -> list[Version]:
        """Every version, oldest first."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            return [self._to_version(head, n, docs[n]) for n in sorted(docs)]

    def version(self, model: str, name: str, number: int) -> Version:
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            if number not in docs:
                raise self._no_version(head, number, docs)
            return self._to_version(head, number, docs[number])

    def diff(self, model: str, name: str, v1: int, v2: int | None = None) -> VersionDiff:
        """What changed from version v1 to v2 (default: the latest)."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            v2 = max(docs) if v2 is None else v2
            for number in (v1, v2):
                if number not in docs:
                    raise self._no_version(head, number, docs)
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
            if number not in docs:
                raise self._no_version(head, number, docs)
            latest = max(docs)
            old = self._to_version(head, number, docs[number])
            if _content(docs[latest]["definition"]) == _content(old.definition.to_dict()):
                return self._to_version(head, latest, docs[latest])
            made = self.update(old.definition, base_revision=latest, note=note or f"restored from v{number}")
            assert made is not None
            return made

    def set_note(self, model: str, name: str, number: int, note: str | None) -> None:
        """Change a version's note (its definition never changes)."""
        with self._writing():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            if number not in docs:
                raise self._no_version(head, number, docs)
            self._table(head.id, layout.VERSIONS_TABLE).update({"note": note or None}, doc_ids=[number])

    # -- caches -----------------------------------------------------------

    def save_analysis(self, model: str, name: str, definition_hash: str, result: dict[str, Any]) -> None:
        """Keep an analysis result for the definition hash it was computed for."""
        plain = to_plain_json(result)
        with self._writing():
            bucket, doc_id, head = self._find(model, name)
            table = self._table(head.id, layout.ANALYSIS_TABLE)
            kept = sorted(
                ((d.doc_id, d) for d in table.all() if d["definition_hash"] != definition_hash),
                key=lambda item: item[1]["computed_at"],
                reverse=True,
            )
            drop = [d for d, _ in kept[ANALYSES_KEPT - 1 :]]
            stale_ids = [d.doc_id for d in table.all() if d["definition_hash"] == definition_hash]
            if drop or stale_ids:
                table.remove(doc_ids=drop + stale_ids)
            table.insert({"definition_hash": definition_hash, "computed_at": _iso(clock.now()), "result": plain})
            rows = plain.get("rows") if isinstance(plain, dict) else None
            if isinstance(rows, int) and definition_hash in (head.definition_hash, head.latest_hash):
                self._update_head(bucket, doc_id, {"last_analysis_rows": rows})

    def cached_analysis(self, model: str, name: str) -> CachedAnalysis | None:
        """The analysis of the version export/sql use, else the newest one marked stale."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._table(head.id, layout.ANALYSIS_TABLE).all()
        if not docs:
            return None
        wanted = head.definition_hash
        exact = [d for d in docs if d["definition_hash"] == wanted]
        doc = exact[0] if exact else max(docs, key=lambda d: d["computed_at"])
        return CachedAnalysis(
            definition_hash=doc["definition_hash"],
            computed_at=_time(doc["computed_at"]),  # type: ignore[arg-type]
            result=doc["result"],
            stale=not exact,
        )

    def save_stats(self, dataset: str, table: str, table_key: Any, result: dict[str, Any]) -> None:
        """Keep column statistics of a warehouse table with what identifies its content."""
        plain = to_plain_json(result)
        key = to_plain_json(table_key)
        with self._writing():
            stats = Table(self._stats, layout.STATS_TABLE, cache_size=0)
            old = [d.doc_id for d in stats.all() if d["dataset"] == dataset and d["table"] == table]
            if old:
                stats.remove(doc_ids=old)
            stats.insert(
                {"dataset": dataset, "table": table, "table_key": key, "computed_at": _iso(clock.now()), "result": plain}
            )

    def cached_stats(self, dataset: str, table: str) -> CachedStats | None:
        with self._reading():
            docs = [
                d
                for d in Table(self._stats, layout.STATS_TABLE, cache_size=0).all()
                if d["dataset"] == dataset and d["table"] == table
            ]
        if not docs:
            return None
        doc = docs[-1]
        return CachedStats(table_key=doc["table_key"], computed_at=_time(doc["computed_at"]), result=doc["result"])  # type: ignore[arg-type]

    # -- exports ----------------------------------------------------------

    def record_export(self, model: str, name: str, version: int, paths: list[str], as_of: dt.date | None) -> None:
        with self._writing():
            _, _, head = self._find(model, name)
            self._table(head.id, layout.EXPORTS_TABLE).insert(
                {
                    "version": version,
                    "paths": [str(p) for p in paths],
                    "as_of": as_of.isoformat() if as_of else None,
                    "exported_at": _iso(clock.now()),
                    "author": current_author(),
                }
            )

    def exports(self, model: str, name: str) -> list[ExportRecord]:
        """Every recorded export of the dataset, oldest first."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._table(head.id, layout.EXPORTS_TABLE).all()
        return [
            ExportRecord(
                version=d["version"],
                paths=list(d["paths"]),
                as_of=dt.date.fromisoformat(d["as_of"]) if d["as_of"] else None,
                exported_at=_time(d["exported_at"]),  # type: ignore[arg-type]
                author=d["author"],
            )
            for d in sorted(docs, key=lambda d: d.doc_id)
        ]


    # -- records kept beside the versions (store/materializations.py) -----

    def append_version_record(self, model: str, name: str, version: int, table: str, doc: dict[str, Any]) -> None:
        """Append an immutable document about one existing version to the dataset's file."""
        plain = to_plain_json(doc)
        with self._writing():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            if version not in docs:
                raise self._no_version(head, version, docs)
            self._table(head.id, table).insert({**plain, "version": version})

    def version_records(self, model: str, name: str, table: str) -> tuple[dict[str, Any], ...]:
        """The documents :meth:`append_version_record` kept in `table`, oldest first."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._table(head.id, table).all()
        return tuple(dict(d) for d in sorted(docs, key=lambda d: d.doc_id))


def _refuse_foreign_folder(folder: Path) -> None:
    """Do not scatter store files into a folder that holds something else."""
    if (folder / layout.META_FILE).exists() or (folder / layout.HEADS_DIR).is_dir():
        return
    ours = (".lock", layout.META_FILE, layout.HEADS_DIR, layout.DATASETS_DIR, layout.STATS_FILE)
    try:
        # A first open killed half-way leaves meta.json.tmp and the like.
        others = [p.name for p in folder.iterdir() if not p.name.startswith(ours)]
    except OSError:
        return
    if others:
        raise StoreError(
            f"{folder} is not a dataset-tui store and is not empty (it holds {', '.join(sorted(others)[:3])}"
            f"{', ...' if len(others) > 3 else ''}); choose an empty or new folder with --db DIR or DATASET_TUI_DB"
        )

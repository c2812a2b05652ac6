"""Heads: one small record per dataset (name, status, counts), spread over bucket files.

Listing reads only heads (through their listing indexes, listing.py); the
dataset files hold the versions. A heads file
that is missing while dataset files belong to it is an error naming it
(`dataset-tui store repair` rebuilds it), never datasets silently gone.
"""

from __future__ import annotations

import builtins
import contextlib
import itertools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tinydb.table import Table

from dataset_tui.store import heads_keys, layout
from dataset_tui.store.base import StoreBase
from dataset_tui.store.errors import (
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    StoreCorruptError,
    StoreError,
)
from dataset_tui.store.heads_index import HeadIndex, head_from_doc
from dataset_tui.store.records import DatasetHead
from dataset_tui.store.storage import SafeJSONStorage

# Sort keys accepted by `list`; a leading "-" reverses the order.
SORTS = ("name", "updated", "created", "versions", "status")

Entry = tuple[int, int, DatasetHead]  # (bucket, document id, head)


def valid_name(name: object) -> bool:
    """The naming rule of DESIGN §3, imported when first needed: the definition
    module declares every part and its rules on import, which `list` does not need."""
    from dataset_tui.domain.definition import NAME_RE

    return isinstance(name, str) and NAME_RE.fullmatch(name) is not None


def check_new_name(name: str) -> None:
    if not valid_name(name):
        raise InvalidNameError(
            f"name {name!r} is not allowed: 1-64 characters, a letter first, then letters, digits, '_' or '-'"
        )


def deletion_order(head: DatasetHead) -> tuple[int, str]:
    """Most recently deleted last: by deletion count first, so a clock set back cannot reorder."""
    return (head.deleted_seq, head.deleted_at.isoformat() if head.deleted_at else "")


class MissingHeadsError(StoreError):
    """A heads file is gone although dataset files belong to it."""

    def __init__(self, path: Path, count: int) -> None:
        super().__init__(
            f"store file {path} is missing, though {count} dataset file(s) belong to it: their datasets "
            "would vanish from the list. Nothing was changed. Run `dataset-tui store repair` to rebuild it "
            "from the dataset files (`dataset-tui store check` shows what is wrong first)."
        )
        self.path = path


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """A file's identity as SafeJSONStorage keys its cache (None: missing or unreadable; read() says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _parsed_keys(
    storage: SafeJSONStorage, data: dict[str, Any] | None, stamp: heads_keys.Stamp
) -> tuple[heads_keys.BucketKeys, builtins.list[dict[str, Any]]]:
    """A parsed heads file's keys, and its documents in the same order.

    Only what names and finds a dataset is read here; the rest of a head is
    read (and checked) when that head is asked for.
    """
    docs = (data or {}).get(layout.HEADS_TABLE, {})
    try:
        keys = heads_keys.BucketKeys(
            stamp,
            [str(doc["id"]) for doc in docs.values()],
            [int(doc_id) for doc_id in docs],
            [str(doc["model"]) for doc in docs.values()],
            [doc["name"].lower() for doc in docs.values()],
            [doc["deleted_at"] is None for doc in docs.values()],
        )
    except (TypeError, ValueError, AttributeError) as exc:
        storage.forget()
        problem = f"a head has a malformed value ({exc})"
        raise StoreCorruptError(storage.path, problem, storage.usable_backup()) from None
    return keys, builtins.list(docs.values())


class HeadsStore(StoreBase):
    """Reading and writing heads (listing them: listing.py)."""

    def _refresh(self, *, full: bool = False, only: Iterable[int] | None = None) -> HeadIndex:
        """Bring the in-memory heads up to date with the files (cheap when unchanged).

        Only buckets whose file changed are looked at again. A changed bucket
        whose names the keys cache still holds (heads_keys.py) is indexed
        from it without parsing the file, so a save at 20,000 datasets parses
        its own bucket only. `full` parses every bucket (listing heads needs
        their documents); `only` looks at those buckets alone.
        """
        index = self._index
        listed = False
        for bucket in range(len(self._head_storages)) if only is None else only:
            storage = self._head_storages[bucket]
            stamp = _stamp(storage.path)
            if stamp is not None and stamp == index.generations[bucket] and (bucket in index.parsed or not full):
                continue
            if stamp is not None and not full:
                cached = self._cached_keys(index, bucket)
                if cached is not None and cached.stamp == stamp:
                    self._index_keys(index, bucket, cached, None)
                    continue
            data = storage.read()
            if data is None:
                self._check_bucket_missing_ok(index, bucket, listed)
                listed = True
            generation = storage.generation
            if generation == index.generations[bucket] and bucket in index.parsed:
                continue
            if generation is None:  # no file: no heads
                self._index_keys(index, bucket, heads_keys.BucketKeys((0, 0, 0), [], [], [], [], []), [])
                index.generations[bucket] = None
                continue
            keys, docs = _parsed_keys(storage, data, generation)
            self._index_keys(index, bucket, keys, docs)
            if index.cached is not None:
                # Written on close: a bulk import rewrites each bucket's keys once,
                # not per save. A listing that never read the cache (it parses
                # every file anyway) leaves it alone.
                index.cached[bucket] = keys
                index.cached_changed.add(bucket)
        return index

    def close(self) -> None:
        """Keep the keys of the heads files parsed in this process for the next one, then let go of the store."""
        index = self._index
        heads_dir = self.folder / layout.HEADS_DIR
        if index.cached_changed and index.cached is not None and self._lock.writable and heads_dir.is_dir():
            for bucket in sorted(index.cached_changed):
                keys = index.cached.get(bucket)
                if keys is not None:
                    heads_keys.save(heads_keys.cache_path(heads_dir, bucket), keys)
            with contextlib.suppress(OSError):  # the one-file cache of an older release
                (heads_dir / heads_keys.LEGACY_NAME).unlink()
            index.cached_changed.clear()
        super().close()

    def _cached_keys(self, index: HeadIndex, bucket: int) -> heads_keys.BucketKeys | None:
        """A bucket's cached keys, each file read once per index (this process's own updates go into it)."""
        if index.cached is None:
            index.cached = {}
        if bucket not in index.cached:
            index.cached[bucket] = heads_keys.load(heads_keys.cache_path(self.folder / layout.HEADS_DIR, bucket))
        keys: heads_keys.BucketKeys | None = index.cached[bucket]
        return keys

    def _index_keys(
        self,
        index: HeadIndex,
        bucket: int,
        keys: heads_keys.BucketKeys,
        docs: builtins.list[dict[str, Any]] | None,
    ) -> None:
        """Index one bucket's heads: from its parsed documents, or from cached keys (`docs` None).

        Cached keys are kept as they are, for lookups in place (HeadIndex.pending):
        a save reads 32 buckets' keys to find one name. Parsed documents are
        indexed with dict.update over zipped columns (in C, not one Python
        step per head).
        """
        for dataset_id in index.buckets[bucket]:
            del index.by_id[dataset_id]
            index.heads.pop(dataset_id, None)
            # The key as indexed, not as the document reads now: TinyDB
            # edits the parsed documents in place (a rename) before writing.
            key = index.keys.pop(dataset_id)
            if index.live.get(key) == dataset_id:
                del index.live[key]
        index.pending.pop(bucket, None)
        index.generations[bucket] = keys.stamp
        if docs is None:
            index.pending[bucket] = keys
            index.buckets[bucket] = {}
            index.parsed.discard(bucket)
            return
        named = builtins.list(zip(keys.models, keys.names, strict=True))
        # repeat() is endless, hence strict=False; the other columns have one length (checked on reading).
        entries = zip(itertools.repeat(bucket), keys.doc_ids, docs, strict=False)
        index.by_id.update(zip(keys.ids, entries, strict=True))
        index.keys.update(zip(keys.ids, named, strict=True))
        alive_ids = itertools.compress(keys.ids, keys.live)
        index.live.update(zip(itertools.compress(named, keys.live), alive_ids, strict=True))
        index.buckets[bucket] = dict(zip(keys.ids, keys.doc_ids, strict=True))
        index.parsed.add(bucket)

    def _entry(self, dataset_id: str) -> Entry:
        """(bucket, document id, head) of a dataset in the index (after _refresh)."""
        index = self._index
        if dataset_id not in index.by_id:
            pending = index.pending_bucket(dataset_id)
            if pending is None:
                raise KeyError(dataset_id)
            self._load_bucket(pending)  # known from the keys cache: read its bucket now
        bucket, doc_id, doc = index.by_id[dataset_id]
        head = index.heads.get(dataset_id)
        if head is None:
            assert doc is not None  # a parsed bucket holds every document
            try:
                head = head_from_doc(doc)
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                storage = self._head_storages[bucket]
                raise StoreCorruptError(
                    storage.path, f"a head has a malformed value ({exc})", storage.usable_backup()
                ) from None
            index.heads[dataset_id] = head
        return bucket, doc_id, head

    def _load_bucket(self, bucket: int) -> None:
        """Parse one bucket whose keys came from the cache (its documents are needed now)."""
        index = self._index
        storage = self._head_storages[bucket]
        data = storage.read()
        if data is None or storage.generation is None:
            self._check_bucket_missing_ok(index, bucket, False)
            raise StoreError(f"the heads file {storage.path} vanished while it was read; try again")
        keys, docs = _parsed_keys(storage, data, storage.generation)
        self._index_keys(index, bucket, keys, docs)

    def _check_bucket_missing_ok(self, index: HeadIndex, bucket: int, listed: bool) -> None:
        """A bucket file that was never written is empty; one that vanished under its datasets is an error."""
        if not listed:
            try:
                listed_at: int | None = os.stat(self.folder / layout.DATASETS_DIR).st_mtime_ns
            except FileNotFoundError:
                index.listed_at, index.buckets_on_disk = None, set()
                return
            except OSError:
                listed_at = None
            if listed_at is None or listed_at != index.listed_at:
                ids = self._dataset_ids_on_disk()
                index.buckets_on_disk = {layout.head_bucket(i) for i in ids}
                index.listed_at = listed_at
        if bucket in index.buckets_on_disk:
            count = sum(1 for i in self._dataset_ids_on_disk() if layout.head_bucket(i) == bucket)
            raise MissingHeadsError(layout.heads_path(self.folder, bucket), count)

    def _find(self, model: str, name: str) -> Entry:
        index = self._refresh()
        dataset_id = index.live_id(model, name.lower())
        if dataset_id is not None:
            return self._entry(dataset_id)
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

    def _find_deleted(self, model: str, name: str, *, required: bool = True) -> Entry | None:
        index = self._refresh(full=True)
        matches = [
            self._entry(dataset_id)
            for dataset_id, (_, _, doc) in index.by_id.items()
            if doc is not None  # every bucket is parsed (full): this only tells mypy
            and doc["deleted_at"] is not None
            and doc["model"] == model
            and doc["name"].lower() == name.lower()
        ]
        if not matches:
            if required:
                raise NotFoundError(
                    f"no deleted dataset named {name!r} in model {model!r}; `dataset-tui deleted` lists them"
                )
            return None
        return max(matches, key=lambda e: deletion_order(e[2]))

    def _heads_table(self, bucket: int) -> Table:
        # A fresh Table per use: TinyDB caches the next document id in the
        # Table object, which another process's insert would make wrong.
        return Table(self._head_storages[bucket], layout.HEADS_TABLE, cache_size=0)

    def _update_head(self, bucket: int, doc_id: int, fields: dict[str, Any]) -> DatasetHead:
        self._heads_table(bucket).update(fields, doc_ids=[doc_id])
        index = self._refresh()
        dataset_id = next(i for i, d in index.buckets[bucket].items() if d == doc_id)
        return self._entry(dataset_id)[2]

    def _check_free(self, model: str, name: str, *, except_id: str | None = None) -> None:
        index = self._refresh()
        holder = index.live_id(model, name.lower())
        if holder is not None and holder != except_id:
            taken = self._entry(holder)[2].name
            raise NameTakenError(
                f"a dataset named {taken!r} already exists in model {model!r} "
                "(names are compared ignoring case); choose another name"
            )

    # -- what listing needs besides the list itself (listing.py) ----------------

    def heads_state(self) -> tuple[tuple[int, int, int] | None, ...]:
        """Changes whenever a head changes (every writer replaces a heads file): a stat per heads file."""
        return tuple(_stamp(storage.path) for storage in self._head_storages)

    def models(self) -> builtins.list[str]:
        """Models that hold at least one dataset (deleted ones included)."""
        with self._reading():
            return sorted(self._refresh().models())

    def name_available(self, model: str, name: str) -> bool:
        """Whether a new dataset may take `name` (a deleted dataset's name is free)."""
        if not valid_name(name):
            return False
        with self._reading():
            return self._refresh().live_id(model, name.lower()) is None

    def deleted(self, model: str) -> builtins.list[DatasetHead]:
        """Deleted datasets of the model, most recently deleted first."""
        with self._reading():
            index = self._refresh(full=True)
            gone = [
                self._entry(dataset_id)[2]
                for dataset_id, (_, _, doc) in index.by_id.items()
                if doc is not None and doc["deleted_at"] is not None and doc["model"] == model
            ]
        return sorted(gone, key=deletion_order, reverse=True)

"""Listing a model's datasets: from the listing indexes when they hold every head, else head by head.

`list` and `count` (the CLI's `list`, the app's home list) read columns
from heads_listing.py's indexes and build heads only for what they return;
`list_columns` hands the columns out as they are, for `list --json` to
write without building a head at all.
"""

from __future__ import annotations

import builtins
import zlib
from pathlib import Path

from dataset_tui.store import heads_keys, heads_listing
from dataset_tui.store.errors import StoreError
from dataset_tui.store.heads import SORTS, HeadsStore
from dataset_tui.store.heads_index import HeadIndex
from dataset_tui.store.records import DatasetHead, HeadColumns
from dataset_tui.store.search import matching, search_keys, with_status


def _identity(path: Path) -> tuple[tuple[int, int, int], int] | None:
    """A heads file's stamp and the CRC-32 of its bytes, what a listing index must have been built from.

    None when it is missing, unreadable or not a regular file: parsing it says which.
    """
    raw = heads_listing.read_regular(path)
    if raw is None:
        return None
    st, content = raw
    return (st.st_ino, st.st_mtime_ns, st.st_size), zlib.crc32(content)


class ListingStore(HeadsStore):
    def list(
        self,
        model: str,
        *,
        status: str | None = None,
        search: str | None = None,
        sort: str = "name",
        offset: int = 0,
        limit: int | None = None,
    ) -> builtins.list[DatasetHead]:
        """The model's datasets (not deleted), filtered, sorted and paged.

        `search` matches name or description, ignoring case. `sort` is one of
        name, updated, created, versions, status; "-updated" reverses.
        """
        found = self.list_columns(model, status=status, search=search, sort=sort, offset=offset, limit=limit)
        if found is not None:
            return found.heads()
        self._head_by_head()
        key = sort.lstrip("-")
        heads = self._select(model, status, search)
        if key == "name":
            heads.sort(key=lambda h: h.name.casefold(), reverse=sort.startswith("-"))
        elif key == "updated":
            heads.sort(key=lambda h: h.updated_at, reverse=sort.startswith("-"))
        elif key == "created":
            heads.sort(key=lambda h: h.created_at, reverse=sort.startswith("-"))
        elif key == "versions":
            heads.sort(key=lambda h: (h.versions, h.name.casefold()), reverse=sort.startswith("-"))
        else:
            heads.sort(key=lambda h: (h.status, h.name.casefold()), reverse=sort.startswith("-"))
        end = None if limit is None else offset + limit
        return heads[offset:end]

    def count(self, model: str, *, status: str | None = None, search: str | None = None) -> int:
        found = self.list_columns(model, status=status, search=search)
        if found is not None:
            return len(found)
        self._head_by_head()
        return len(self._select(model, status, search))

    def _head_by_head(self) -> None:
        """Index the heads anew before listing them one by one, so that they come in the files' order.

        Heads sorted stably keep the order they were indexed in where they tie
        (equal times); trying the columns first parsed some heads files and
        not others, and a fresh process reads them all in order.
        """
        fresh = HeadIndex()
        # The keys cache is keyed by the files' stamps: still true, kept to be written on close.
        fresh.cached, fresh.cached_changed = self._index.cached, self._index.cached_changed
        self._index = fresh

    def list_columns(
        self,
        model: str,
        *,
        status: str | None = None,
        search: str | None = None,
        sort: str = "name",
        offset: int = 0,
        limit: int | None = None,
    ) -> HeadColumns | None:
        """What `list` returns, column by column from the listing indexes (heads_listing.py), no head built.

        None when a heads file holds a head the index does not keep (not
        plain, or a name twice by hand): `list` then reads heads one by one.
        """
        if sort.lstrip("-") not in SORTS:
            raise StoreError(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)} (prefix - to reverse)")
        if status not in (None, "draft", "active"):
            raise StoreError(f"unknown status {status!r}; choose draft or active")
        with self._reading():
            parts = self._bucket_columns()
        if parts is None:
            return None
        every = heads_listing.joined(parts)
        return heads_listing.selected(every, model, status=status, search=search, sort=sort, offset=offset, limit=limit)

    def _bucket_columns(self) -> builtins.list[heads_listing.Columns] | None:
        """Each heads file's live heads as columns: from memory, its index, or the file (then indexed)."""
        index = self._index
        parts = []
        for bucket, storage in enumerate(self._head_storages):
            identity = _identity(storage.path)
            known = index.listings.get(bucket)
            if identity is not None and known is not None and known[0] == identity:
                parts.append(known[1])
                continue
            path = heads_listing.index_path(storage.path)
            columns = None if identity is None else heads_listing.load(path, *identity)
            if columns is None:
                columns = self._columns_from_file(bucket, identity)
                if columns is None:
                    return None
            if identity is not None:
                index.listings[bucket] = (identity, columns)
            parts.append(columns)
        return parts

    def _columns_from_file(
        self, bucket: int, identity: tuple[heads_keys.Stamp, int] | None
    ) -> heads_listing.Columns | None:
        """Parse one heads file as every read does (same checks, same errors) and index its live heads."""
        storage = self._head_storages[bucket]
        # From its bytes now, not as this process parsed it before: a file changed in place can keep its stamp.
        storage.forget()
        self._index.generations[bucket] = object()
        index = self._refresh(full=True, only=(bucket,))
        docs = [doc for _, _, doc in map(index.by_id.__getitem__, index.buckets[bucket]) if doc is not None]
        columns = heads_listing.columns_of(docs)
        # Kept only when the file parsed is the one whose bytes were summed (no writer came between).
        if columns is not None and identity is not None and storage.generation == identity[0] and self._lock.writable:
            heads_listing.save(heads_listing.index_path(storage.path), identity[0], identity[1], columns)
        return columns

    def _select(self, model: str, status: str | None, search: str | None) -> builtins.list[DatasetHead]:
        if status not in (None, "draft", "active"):
            raise StoreError(f"unknown status {status!r}; choose draft or active")
        with self._reading():
            index = self._refresh(full=True)
            heads = [self._entry(dataset_id)[2] for (m, _), dataset_id in index.live.items() if m == model]
        heads = with_status(heads, status)
        return matching(heads, search_keys(heads), search) if search else heads

"""Delete, undelete and purge.

Deleted datasets free their name; when several deleted datasets share one,
`undelete` and `purge` take the most recently deleted. "Most recent" is by a
deletion count kept in the heads, so a clock set back cannot pick the wrong one.
"""

from __future__ import annotations

from dataset_tui.store import layout
from dataset_tui.store.base import now_iso
from dataset_tui.store.errors import ActiveDatasetError, NameTakenError, StoreError
from dataset_tui.store.heads import HeadsStore, check_new_name
from dataset_tui.store.records import DatasetHead


class LifecycleStore(HeadsStore):
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
            index = self._refresh(full=True)
            seq = 1 + max((int(e[2].get("deleted_seq") or 0) for e in index.by_id.values() if e[2]), default=0)
            self._update_head(bucket, doc_id, {"deleted_at": now_iso(), "deleted_seq": seq})

    def undelete(self, model: str, name: str, *, as_name: str | None = None) -> DatasetHead:
        if as_name is not None:
            check_new_name(as_name)
        with self._writing():
            found = self._find_deleted(model, name)
            assert found is not None  # required=True raises instead
            bucket, doc_id, head = found
            target = as_name or head.name
            index = self._refresh()
            if index.live_id(model, target.lower()) is not None:
                if as_name is None:
                    raise NameTakenError(
                        f"the name {head.name!r} was taken by another dataset after this one was deleted; "
                        "bring it back under another name with --as NEW"
                    )
                self._check_free(model, target)
            return self._update_head(bucket, doc_id, {"deleted_at": None, "deleted_seq": 0, "name": target})

    def purge(self, model: str, name: str) -> None:
        """Remove a deleted dataset and all its versions for good."""
        with self._writing():
            index = self._refresh()
            found = self._find_deleted(model, name, required=False)
            if found is None:
                if index.live_id(model, name.lower()) is not None:
                    raise StoreError(
                        f"{name} is not deleted; only deleted datasets can be purged "
                        f"(`dataset-tui delete {name}` first)"
                    )
                self._find_deleted(model, name)  # raises: no such deleted dataset
                return
            bucket, doc_id, head = found
            # Head first: a crash after it leaves an unreachable file, never
            # a head without its versions.
            self._heads_table(bucket).remove(doc_ids=[doc_id])
            self._datasets.pop(head.id, None)
            path = layout.dataset_path(self.folder, head.id)
            for leftover in (path, path.with_name(path.name + ".bak"), path.with_name(path.name + ".tmp")):
                leftover.unlink(missing_ok=True)
            self._refresh()

"""The versioned store of dataset definitions (DESIGN §5).

One `Store` per process opens a folder (layout.py). It is assembled from
parts, one job each:

- base.py         opening the folder, the lock, one transaction per call
- heads.py        the head index (one record per dataset) and listing
- versions.py     each dataset's versions; create, update, clone, activate, history
- lifecycle.py    delete, undelete, purge
- caches.py       analysis and column-statistics caches
- exports_log.py  the record of exports
- version_records.py  immutable records about a version (materializations)
- consistency.py  `store check` / `store repair` (its report: consistency_report.py)
- records.py, report_records.py  what the calls hand out (heads and versions; diffs, caches, exports)

Decisions where DESIGN is silent:
- Names are unique within a model ignoring case (export file names must not
  collide on case-insensitive file systems); lookups ignore case too.
- Deleted datasets free their name; when several deleted datasets share one,
  `undelete` and `purge` take the most recently deleted.
"""

from __future__ import annotations

from typing import Self

from dataset_tui.store.base import current_author
from dataset_tui.store.caches import ANALYSES_KEPT, CachesStore
from dataset_tui.store.consistency import ConsistencyStore
from dataset_tui.store.exports_log import ExportsLogStore
from dataset_tui.store.heads import SORTS
from dataset_tui.store.lifecycle import LifecycleStore
from dataset_tui.store.listing import ListingStore
from dataset_tui.store.version_records import VersionRecordsStore


class Store(ConsistencyStore, LifecycleStore, CachesStore, ExportsLogStore, VersionRecordsStore, ListingStore):
    """The versioned repository of dataset definitions."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ANALYSES_KEPT", "SORTS", "Store", "current_author"]

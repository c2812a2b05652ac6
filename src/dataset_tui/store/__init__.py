"""The versioned store of dataset definitions (DESIGN §5): TinyDB on crash-safe files."""

from typing import TYPE_CHECKING, Any

from dataset_tui.store.errors import (
    ActiveDatasetError,
    ConflictError,
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    StoreCorruptError,
    StoreError,
    StoreFormatError,
    StoreLockedError,
    StoreUnwritableError,
)
from dataset_tui.store.records import DatasetHead, HeadColumns, Version
from dataset_tui.store.repository import Store, current_author

if TYPE_CHECKING:
    from dataset_tui.store.report_records import CachedAnalysis, CachedStats, Change, ExportRecord, VersionDiff

# Loaded on first use (report_records.py): a save or a listing makes none of them.
_REPORT_RECORDS = frozenset({"CachedAnalysis", "CachedStats", "Change", "ExportRecord", "VersionDiff"})


def __getattr__(name: str) -> Any:
    if name in _REPORT_RECORDS:
        from dataset_tui.store import report_records

        return getattr(report_records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ActiveDatasetError",
    "CachedAnalysis",
    "CachedStats",
    "Change",
    "ConflictError",
    "DatasetHead",
    "ExportRecord",
    "HeadColumns",
    "InvalidNameError",
    "NameTakenError",
    "NotFoundError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreFormatError",
    "StoreLockedError",
    "StoreUnwritableError",
    "Version",
    "VersionDiff",
    "current_author",
]

"""The versioned store of dataset definitions (DESIGN §5): TinyDB on crash-safe files."""

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
from dataset_tui.store.records import (
    CachedAnalysis,
    CachedStats,
    Change,
    DatasetHead,
    ExportRecord,
    HeadColumns,
    Version,
    VersionDiff,
)
from dataset_tui.store.repository import Store, current_author

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

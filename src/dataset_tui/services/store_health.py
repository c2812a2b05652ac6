"""`store check` and `store repair` for both faces: the store's own consistency.

The store does the work (store/consistency.py); this module is the use case
the CLI calls, so no face reaches the store itself.
"""

from __future__ import annotations

from typing import Any

from dataset_tui.services.calling import store_of
from dataset_tui.store.consistency_report import StoreCheck, StoreProblem, StoreRepair

__all__ = ["StoreCheck", "StoreProblem", "StoreRepair", "check_store", "repair_store"]


def check_store(target: Any) -> StoreCheck:
    """Every inconsistency between heads, dataset files and caches; nothing is written."""
    return store_of(target).check()


def repair_store(target: Any) -> StoreRepair:
    """Rebuild heads from the dataset files (the truth), re-attach orphans, drop a damaged cache."""
    return store_of(target).repair()

"""Upgrading a store written in an older layout.

`MIGRATIONS[n]` turns a store of version `n` into version `n + 1`, working on
the folder's files while the store lock is held exclusively. The store
records its version in `meta.json` only after every step has run, and each
step must be safe to run again (a crash between a step and the meta update
repeats it). Version 1 is the first layout, so there is nothing to migrate
yet; the hook is here so that the next layout change has one place to go.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dataset_tui.store.errors import StoreFormatError

Migration = Callable[[Path], None]

MIGRATIONS: dict[int, Migration] = {}


def migrate(folder: Path, found: int, target: int, steps: dict[int, Migration] | None = None) -> None:
    """Run the steps from version `found` up to `target`."""
    steps = MIGRATIONS if steps is None else steps
    for version in range(found, target):
        step = steps.get(version)
        if step is None:
            raise StoreFormatError(
                f"the store in {folder} has format version {found} and this dataset-tui cannot "
                f"upgrade it (no step from version {version}); use the dataset-tui release that wrote it "
                "to export its definitions (`definition export`) and import them here"
            )
        step(folder)

"""The store's errors; every message says what to do."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base of every store failure meant for the user."""


class NotFoundError(StoreError):
    """No such dataset (or version) in the model."""


class NameTakenError(StoreError):
    """A dataset of that name already exists in the model."""


class InvalidNameError(StoreError):
    """A new name (rename, clone, undelete --as) that the file format forbids."""


class ConflictError(StoreError):
    """An update based on a revision that is no longer the latest."""

    def __init__(self, message: str, *, current_revision: int) -> None:
        super().__init__(message)
        self.current_revision = current_revision


class ActiveDatasetError(StoreError):
    """Deleting an active dataset without saying so explicitly."""


class StoreCorruptError(StoreError):
    """A store file that cannot be parsed; it is left exactly as it was."""

    def __init__(self, path: Path, reason: str, backup: Path | None) -> None:
        self.path = path
        self.backup = backup
        if backup is not None:
            advice = (
                f"The last good copy is {backup} (it lacks only the last change made to this file). "
                f"To go back to it, run:\n  cp '{backup}' '{path}'"
            )
        else:
            advice = (
                "There is no usable backup of it. Repair it by hand, or move it away "
                "(that loses what it held) and run the command again."
            )
        super().__init__(f"store file {path} cannot be read: {reason}. It was left as it is.\n{advice}")


class StoreFormatError(StoreError):
    """A store written by a newer dataset-tui, or one whose format cannot be migrated."""


class StoreUnwritableError(StoreError):
    """The store folder cannot be created or written to."""

    def __init__(self, message: str, *, path: Path | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason  # the system's words (e.g. "No space left on device")


class StoreLockedError(StoreError):
    """Another process held the store's lock for too long."""

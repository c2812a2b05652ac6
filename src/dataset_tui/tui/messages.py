"""Messages that cross screens: what workers post back to the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message


class WorkFailed(Message, bubble=True):
    """A worker raised; the app turns this into one notification (app.py)."""

    def __init__(self, error: BaseException, action: str) -> None:
        super().__init__()
        self.error = error
        self.action = action


class WarehouseStatus(Message, bubble=True):
    """The warehouse says what it is doing from a worker ("retrying in 2 s"): the app shows it (app.py)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class DatasetsChanged(Message, bubble=True):
    """The store changed (save, delete, activate...): screens showing datasets reload."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name


class DatasetsLoaded(Message):
    """The home list's datasets (a services.DatasetListing), read in a worker (datasets.py)."""

    def __init__(self, listing: Any, keep: str | None) -> None:
        super().__init__()
        self.listing = listing
        self.keep = keep


class ActionDone(Message, bubble=True):
    """A dataset action finished in a worker (actions.py): the app says so and every screen reloads.

    `gone` names a dataset that no longer exists under that name (deleted,
    purged), so a screen showing it can close.
    """

    def __init__(self, text: str, name: str | None, *, gone: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.name = name
        self.gone = gone


class OpenWizard(Message, bubble=True):
    """A worker read the version to edit or clone (actions.py); the app opens the wizard on it."""

    def __init__(
        self,
        definition: Any,
        callback: Callable[[str | None], None] | None,
        *,
        base_revision: int | None = None,
        clone_of: str | None = None,
    ) -> None:
        super().__init__()
        self.definition = definition
        self.callback = callback
        self.base_revision = base_revision
        self.clone_of = clone_of

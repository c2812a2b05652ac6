"""Messages that cross screens: what workers post back to the event loop."""

from __future__ import annotations

from textual.message import Message


class WorkFailed(Message, bubble=True):
    """A worker raised; the app turns this into one notification (app.py)."""

    def __init__(self, error: BaseException, action: str) -> None:
        super().__init__()
        self.error = error
        self.action = action


class DatasetsChanged(Message, bubble=True):
    """The store changed (save, delete, activate...): screens showing datasets reload."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name

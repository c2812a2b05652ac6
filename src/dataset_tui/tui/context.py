"""The one typed way from any widget or screen to the app's AppContext."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.app import DatasetTuiApp


class InApp(Protocol):
    """A screen, widget or command provider: anything that knows its app."""

    @property
    def app(self) -> App[Any]: ...


def app_context(node: InApp) -> AppContext:
    """The store, model and warehouse of the running app (safe from a worker: it reads one attribute)."""
    return cast("DatasetTuiApp", node.app).ctx

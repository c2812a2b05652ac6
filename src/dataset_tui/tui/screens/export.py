"""Export (modal): which files, which version, live or as-of, which folder.

The files are written by the same service `dataset-tui export` uses, so the
two faces write identical files; writes are atomic and recorded in the store.
The form starts where `dataset-tui export NAME` does: the version in use
(active, else the latest), every SQL split (`--split all`), live SQL, the
current folder.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from dataset_tui.tui.context import app_context
from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS
from dataset_tui.tui.widgets.tick_box import TickBox
from dataset_tui.tui.work import ask_from_worker, warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext

ITEMS = (
    ("train", "Train SQL"),
    ("eval", "Eval SQL"),
    ("full", "Full SQL"),
    ("tfx", "TFX config (input_config JSON + Python snippet)"),
    ("definition", "Definition JSON"),
)


class VersionsRead(Message):
    """The dataset's versions, and the items `dataset-tui export` writes by default for the one in use."""

    def __init__(self, head: Any, versions: list[Any], default_items: tuple[str, ...]) -> None:
        super().__init__()
        self.head = head
        self.versions = versions
        self.default_items = default_items


class Exported(Message):
    def __init__(self, paths: list[str]) -> None:
        super().__init__()
        self.paths = paths


class ExportScreen(ModalScreen[list[str] | None]):
    """Export"""

    DEFAULT_CSS = (
        "ExportScreen { align: center middle; }\n"
        + MODAL_CSS
        + """
    ExportScreen .modal-box { width: 76; padding: 0 1; }
    ExportScreen .modal-box > .title { margin: 0; }
    ExportScreen .row { height: 1; margin-top: 1; }
    ExportScreen .row Label { width: 9; }
    ExportScreen #as-of { width: 14; }
    ExportScreen #as-of-hint { width: 1fr; margin-left: 2; color: $text-muted; }
    ExportScreen #folder { width: 1fr; }
    ExportScreen #version { width: 1fr; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "export", "Export", priority=True),
        QUIT_BINDING,
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.dataset_name = name

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(f"Export {self.dataset_name}", classes="title")
            for key, label in ITEMS:
                # Ticked once the version is read: the CLI's default depends on its split.
                yield TickBox(label, value=False, id=f"item-{key}", compact=True)
            with Horizontal(classes="row"):
                yield Label("Version")
                yield Select([], id="version", prompt="loading versions…", compact=True)
            with Horizontal(classes="row"):
                yield Label("As of")
                yield Input("", id="as-of", placeholder="live", compact=True)
                yield Label("empty: live, CURRENT_DATE(); or pin YYYY-MM-DD", classes="hint", id="as-of-hint")
            with Horizontal(classes="row"):
                yield Label("Folder")
                yield Input(os.getcwd(), id="folder", compact=True)
            yield Label("", classes="error", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Export ctrl+s", id="export", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._load_versions()

    @warehouse_work("list versions", group="export-versions")
    def _load_versions(self) -> None:
        from dataset_tui.services import definitions
        from dataset_tui.services.exports import DEFAULT_SPLIT, splits_for

        head = definitions.get_dataset(self.ctx, self.dataset_name)
        versions = definitions.list_versions(self.ctx, self.dataset_name)
        in_use = next(v for v in versions if v.number == head.definition_version)
        self.post_message(VersionsRead(head, versions, splits_for(in_use.definition, DEFAULT_SPLIT)))

    def on_versions_read(self, message: VersionsRead) -> None:
        head, versions = message.head, message.versions
        for key, _ in ITEMS:
            self.query_one(f"#item-{key}", TickBox).value = key in message.default_items
        options = []
        for v in reversed(versions):
            mark = " (active)" if v.number == head.active_version else ""
            options.append((f"v{v.number}{mark} · {v.created_at:%Y-%m-%d %H:%M}", v.number))
        select = self.query_one("#version", Select)
        select.set_options(options)
        select.value = head.definition_version

    # -- reading the form -----------------------------------------------------

    def _as_of(self) -> dt.date | None:
        """A pinned date (reproducible SQL), or None for live SQL (CURRENT_DATE)."""
        text = self.query_one("#as-of", Input).value.strip()
        if not text or text.lower() == "live":
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a date written YYYY-MM-DD (leave it empty for live SQL)") from None

    def action_export(self) -> None:
        error = self.query_one("#error", Label)
        items = [key for key, _ in ITEMS if self.query_one(f"#item-{key}", TickBox).value]
        if not items:
            error.update("Choose at least one file to export.")
            return
        try:
            as_of = self._as_of()
        except ValueError as exc:
            error.update(str(exc))
            return
        version = self.query_one("#version", Select).value
        folder = self.query_one("#folder", Input).value.strip() or os.getcwd()
        error.update("")
        self._export(items, version if isinstance(version, int) else None, as_of, folder)

    @warehouse_work("export", group="export")
    def _export(self, items: list[str], version: int | None, as_of: dt.date | None, folder: str) -> None:
        from dataset_tui.services import exports
        from dataset_tui.tui.screens.confirm import ConfirmScreen

        def overwrite(paths: list[Any]) -> bool:
            names = "\n".join(f"  {p}" for p in paths)
            screen = ConfirmScreen("Overwrite existing files?", names, yes="Overwrite", danger=True)
            return bool(ask_from_worker(self.app, screen))

        result = exports.export_dataset(
            self.ctx,
            self.dataset_name,
            items=items,
            version=version,
            as_of=as_of,
            folder=folder,
            project=self.ctx.warehouse_project(),
            confirm_overwrite=overwrite,
        )
        self.post_message(Exported([str(p) for p in result.paths]))

    def on_exported(self, message: Exported) -> None:
        paths = message.paths
        self.notify("Wrote:\n" + "\n".join(paths), title=f"Exported {self.dataset_name}", timeout=10)
        self.dismiss(paths)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.action_export()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""History: a dataset's versions, a diff of two (definition or SQL), restore, activate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from dataset_tui.tui import summaries
from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import ActionDone, DatasetsChanged
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


class HistoryRead(Message):
    def __init__(self, head: Any, versions: list[Any], materialized: set[int]) -> None:
        super().__init__()
        self.head = head
        self.versions = versions
        self.materialized = materialized


class DiffMade(Message):
    def __init__(self, title: str, text: str, lexer: str) -> None:
        super().__init__()
        self.title = title
        self.text = text
        self.lexer = lexer


class HistoryScreen(Screen[None]):
    """History"""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("space", "mark", "Diff base"),
        Binding("t", "toggle_kind", "Definition/SQL"),
        Binding("r", "restore", "Restore"),
        Binding("a", "activate", "Activate"),
        Binding("c", "clone", "Clone"),
    ]

    DEFAULT_CSS = """
    HistoryScreen #versions-pane { width: 40%; max-width: 48; border-right: vkey $panel; }
    HistoryScreen #versions { height: 1fr; }
    HistoryScreen #diff-title { margin: 0 1; text-style: bold; }
    HistoryScreen #diff-pane { width: 1fr; }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.dataset_name = name
        self.versions: list[Any] = []
        self.head: Any = None
        self.base: int | None = None  # the version marked with space; else the previous one
        self.kind = "definition"
        self.diff_text = ""  # what the diff pane shows, as plain text
        self.materialized: set[int] = set()  # versions with a materialization: marked ▣

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="versions-pane"):
                yield DataTable(id="versions", cursor_type="row")
            with Vertical(id="diff-pane"):
                yield Label("", id="diff-title")
                with VerticalScroll():
                    yield Static("", id="diff")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#versions", DataTable)
        table.add_columns("", "Ver", "Saved", "Author", "Note")
        table.focus()
        self.sub_title = f"history · {self.dataset_name}"
        self._load()

    @warehouse_work("load the history", group="history-load")
    def _load(self) -> None:
        from dataset_tui.services import definitions

        head = definitions.get_dataset(self.ctx, self.dataset_name)
        versions = definitions.list_versions(self.ctx, self.dataset_name)
        from dataset_tui.services.materialize import materialized_versions

        self.post_message(HistoryRead(head, versions, materialized_versions(self.ctx, self.dataset_name)))

    def on_history_read(self, message: HistoryRead) -> None:
        self.materialized = message.materialized
        self._show(message.head, message.versions)

    def _show(self, head: Any, versions: list[Any]) -> None:
        self.head, self.versions = head, versions
        table = self.query_one("#versions", DataTable)
        keep = table.cursor_row
        table.clear()
        for v in reversed(versions):
            marks = ("●" if v.number == head.active_version else "") + ("◆" if v.number == self.base else "")
            marks += "▣" if v.number in self.materialized else ""
            table.add_row(
                marks,
                f"v{v.number}",
                f"{v.created_at:%Y-%m-%d %H:%M}",
                summaries.escape(v.author or ""),
                summaries.escape(v.note or ""),
                key=str(v.number),
            )
        if versions:
            table.move_cursor(row=min(keep, len(versions) - 1))
        self._show_diff()

    def _selected(self) -> Any | None:
        table = self.query_one("#versions", DataTable)
        if not self.versions or table.cursor_row < 0:
            return None
        return list(reversed(self.versions))[table.cursor_row]

    @on(DataTable.RowHighlighted, "#versions")
    def _highlighted(self) -> None:
        self._show_diff()

    def _show_diff(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        base_number = self.base if self.base is not None else selected.number - 1
        if base_number < 1 or base_number == selected.number:
            title = f"v{selected.number}: the first version" if base_number < 1 else f"v{selected.number}"
            self._render_diff(title, selected.definition.to_json(), "json")
            return
        self._diff(base_number, selected.number, self.kind)

    @warehouse_work("diff versions", group="history-diff")
    def _diff(self, old: int, new: int, kind: str) -> None:
        from dataset_tui.services import definitions

        if kind == "definition":
            text = definitions.diff(self.ctx, self.dataset_name, old, new).text
        else:
            versions = {v.number: v for v in self.versions}
            text = summaries.sql_diff(versions[old], versions[new], project=self.ctx.warehouse_project())
        self.post_message(DiffMade(f"{kind} diff: v{old} → v{new}", text or "(no difference)", "diff"))

    def on_diff_made(self, message: DiffMade) -> None:
        self._render_diff(message.title, message.text, message.lexer)

    def _render_diff(self, title: str, text: str, lexer: str) -> None:
        self.diff_text = text
        self.query_one("#diff-title", Label).update(title)
        self.query_one("#diff", Static).update(Syntax(text, lexer, theme="ansi_dark", background_color="default"))

    def action_mark(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.base = None if self.base == selected.number else selected.number
            self._show(self.head, self.versions)

    def action_toggle_kind(self) -> None:
        self.kind = "sql" if self.kind == "definition" else "definition"
        self._show_diff()

    def action_restore(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        if self.head is not None and selected.number == self.head.revision:
            self.notify(f"v{selected.number} is already the latest version.", severity="warning")
            return
        self._restore(selected.number)

    @warehouse_work("restore", group="restore")
    def _restore(self, number: int) -> None:
        from dataset_tui.services import definitions

        version = definitions.restore(self.ctx, self.dataset_name, number)
        self.post_message(ActionDone(f"Restored v{number} as v{version.number}.", self.dataset_name))

    def action_activate(self) -> None:
        selected = self._selected()
        if selected is not None:
            from dataset_tui.tui import actions

            actions.activate(self, self.dataset_name, selected.number)

    def action_clone(self) -> None:
        selected = self._selected()
        if selected is not None:
            from dataset_tui.tui import actions

            actions.clone(self, self.dataset_name, selected.number)

    def on_datasets_changed(self, message: DatasetsChanged) -> None:
        if message.name in (None, self.dataset_name):
            self._load()

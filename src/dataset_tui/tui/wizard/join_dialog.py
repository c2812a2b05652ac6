"""JoinScreen: edit one join of the wizard (or add one by hand).

Detected candidates for the table are listed first (enter takes one); below,
the join's columns and type can be set freely from the tables' schemas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS
from dataset_tui.tui.wizard.draft import JoinDraft


class JoinScreen(ModalScreen[JoinDraft | None]):
    """Edit a join: its table, the columns on each side, left or inner."""

    DEFAULT_CSS = (
        "JoinScreen { align: center middle; }\n"
        + MODAL_CSS
        + """
    JoinScreen .modal-box { width: 76; }
    JoinScreen .row { height: 1; }
    JoinScreen .row > Label { width: 12; }
    JoinScreen .row > Select { width: 1fr; }
    JoinScreen #candidates { height: auto; max-height: 5; margin-bottom: 1; }
    JoinScreen #problem { color: $error; height: auto; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "ok", "Use this join", priority=True),
        QUIT_BINDING,
    ]

    def __init__(
        self,
        *,
        join: JoinDraft | None,
        tables: Sequence[str],
        joinable: Sequence[str],
        schemas: Mapping[str, Sequence[tuple[str, str]]],
        suggestions: Sequence[Any],
    ) -> None:
        """`tables`: the dataset's tables in order; `joinable`: tables this join may be for."""
        super().__init__()
        self.join = join
        self.tables = list(tables)
        self.joinable = list(joinable)
        self.schemas = schemas
        self.suggestions = list(suggestions)
        self._offered: dict[str, set[str]] = {}

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        first = self.join.table if self.join else (self.joinable[0] if self.joinable else None)
        with Vertical(classes="modal-box"):
            yield Label("Edit join" if self.join else "Add a join", classes="title")
            yield Static("Detected (enter takes one):", classes="hint", id="candidates-title")
            yield OptionList(id="candidates")
            with Horizontal(classes="row"):
                yield Label("Table")
                yield Select(
                    [(t, t) for t in self.joinable],
                    value=first if first is not None else Select.NULL,
                    allow_blank=False,
                    id="table",
                    compact=True,
                    disabled=self.join is not None,
                )
            with Horizontal(classes="row"):
                yield Label("Left side")
                yield Select([], id="left", compact=True, prompt="column of an earlier table")
            with Horizontal(classes="row"):
                yield Label("Right side")
                yield Select([], id="right", compact=True, prompt="column of the joined table")
            with Horizontal(classes="row"):
                yield Label("Type")
                yield Select(
                    [("left (keep every row)", "left"), ("inner (only matching rows)", "inner")],
                    value=self.join.type if self.join else "left",
                    allow_blank=False,
                    id="type",
                    compact=True,
                )
            yield Static("", id="problem")
            yield Static("ctrl+s use this join · escape cancel", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Use this join", id="ok", variant="primary")

    def on_mount(self) -> None:
        table = self._table()
        if table is not None:
            self._fill(table)
        if self.join is not None and self.join.on:
            left, right = self.join.on[0]
            self._set(self.query_one("#left", Select), left)
            self._set(self.query_one("#right", Select), right)
        candidates = self.query_one("#candidates", OptionList)
        if candidates.option_count:
            candidates.focus()
        else:
            self.query_one("#left", Select).focus()

    def _table(self) -> str | None:
        value = self.query_one("#table", Select).value
        return value if isinstance(value, str) else None

    def _fill(self, table: str) -> None:
        """Options of the left and right selects and the candidates, for `table`."""
        earlier = [t for t in self.tables if t != table]
        lefts = [(f"{t}.{c}  {ty}", f"{t}.{c}") for t in earlier for c, ty in self.schemas.get(t, ())]
        rights = [(f"{table}.{c}  {ty}", f"{table}.{c}") for c, ty in self.schemas.get(table, ())]
        self.query_one("#left", Select).set_options(lefts)
        self.query_one("#right", Select).set_options(rights)
        self._offered = {"left": {v for _, v in lefts}, "right": {v for _, v in rights}}
        candidates = self.query_one("#candidates", OptionList)
        candidates.clear_options()
        for i, s in enumerate(self._candidates(table)):
            candidates.add_option(
                Option(
                    f"{escape(s.left_table)}.{escape(s.left_column)} = {escape(s.right_table)}.{escape(s.right_column)}"
                    f"  [dim]{s.confidence} · {escape(s.reason)}[/dim]",
                    id=str(i),
                )
            )
        self.query_one("#candidates-title", Static).display = candidates.option_count > 0
        candidates.display = candidates.option_count > 0
        if candidates.option_count:
            candidates.highlighted = 0

    def _candidates(self, table: str) -> list[Any]:
        """Detected joins that bring `table` in from a table of the dataset, oriented that way."""
        out = []
        others = set(self.tables) - {table}
        for s in self.suggestions:
            if s.right_table == table and s.left_table in others:
                out.append(s)
            elif s.left_table == table and s.right_table in others:
                out.append(s.flipped())
        return out

    def _set(self, select: Select[str], value: str) -> None:
        # Select raises on a value it does not offer (a column since dropped).
        if value in self._offered.get(select.id or "", set()):
            select.value = value

    # -- events ----------------------------------------------------------------------

    @on(Select.Changed, "#table")
    def _table_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._fill(event.value)

    @on(OptionList.OptionSelected, "#candidates")
    def _candidate(self, event: OptionList.OptionSelected) -> None:
        table = self._table()
        if table is None or event.option.id is None:
            return
        s = self._candidates(table)[int(event.option.id)]
        self._set(self.query_one("#left", Select), f"{s.left_table}.{s.left_column}")
        self._set(self.query_one("#right", Select), f"{s.right_table}.{s.right_column}")
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_ok()
        else:
            self.dismiss(None)

    def action_ok(self) -> None:
        table = self._table()
        left = self.query_one("#left", Select).value
        right = self.query_one("#right", Select).value
        kind = self.query_one("#type", Select).value
        if table is None or not isinstance(left, str) or not isinstance(right, str):
            self.query_one("#problem", Static).update("Choose a column on each side.")
            return
        confidence, reason = "manual", "chosen by hand"
        for s in self._candidates(table):
            if (f"{s.left_table}.{s.left_column}", f"{s.right_table}.{s.right_column}") == (left, right):
                confidence, reason = s.confidence, s.reason
        extra = list(self.join.on[1:]) if self.join is not None else []
        self.dismiss(JoinDraft(table, str(kind), [(left, right), *extra], confidence, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)

"""Small modal questions: yes/no, type a name to confirm, enter a new name."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.widgets.ordered_input import OrderedInput

MODAL_CSS = """
.modal-box {
    width: 64;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary 60%;
    background: $surface;
    padding: 1 2;
}
.modal-box > .title { text-style: bold; margin-bottom: 1; }
.modal-box > .buttons { height: auto; margin-top: 1; align-horizontal: right; }
.modal-box > .buttons Button { margin-left: 1; }
.modal-box > .hint { color: $text-muted; }
.modal-box > .error { color: $error; height: auto; }
"""


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; `y` confirms, `n`/`escape` decline.

    The safe answer (No) has focus, so the reflex escape-then-enter, or enter
    alone, never throws work away: confirming takes `y`, a click, or tab first.
    """

    DEFAULT_CSS = f"ConfirmScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        QUIT_BINDING,
    ]

    def __init__(self, title: str, body: str = "", *, yes: str = "Yes", no: str = "No", danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.no = no
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(self.title_text, classes="title")
            if self.body:
                yield Static(self.body)
            with Horizontal(classes="buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class QuitConfirmScreen(ConfirmScreen):
    """Quit with unsaved work? (app.py): its own class so a second q does not ask twice."""


class TypeNameScreen(ModalScreen[bool]):
    """Deleting an active dataset: the user types its name (DESIGN §5)."""

    DEFAULT_CSS = f"TypeNameScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), QUIT_BINDING]

    def __init__(self, title: str, body: str, expected: str, *, ok: str = "Delete") -> None:
        super().__init__()
        self.ok = ok
        self.title_text = title
        self.body = body
        self.expected = expected

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(self.title_text, classes="title")
            yield Static(self.body)
            yield OrderedInput(placeholder=self.expected, id="typed")
            yield Label("", classes="error", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.ok, id="ok", variant="error", disabled=True)

    @on(Input.Changed, "#typed")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#ok", Button).disabled = event.value != self.expected

    @on(Input.Submitted, "#typed")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value == self.expected:
            self.dismiss(True)
        else:
            self.query_one("#error", Label).update(f"Type {self.expected} exactly to {self.ok.lower()} it.")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_cancel(self) -> None:
        self.dismiss(False)


class NameScreen(ModalScreen[str | None]):
    """Ask for a new dataset name with a live availability check (clone, rename, save as)."""

    DEFAULT_CSS = f"NameScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+e", "alternative", "Other choice", show=False, priority=True),
        QUIT_BINDING,
    ]

    def __init__(
        self,
        title: str,
        initial: str,
        is_available: Callable[[str], str | None],
        *,
        ok: str = "OK",
        alternative: str | None = None,
    ) -> None:
        """`is_available(name)` returns None when the name can be used, else why not.

        `alternative` adds a second way to accept (ctrl+e), for example "Clone
        and edit"; after dismissal `chose_alternative` says which was taken.
        """
        super().__init__()
        self.title_text = title
        self.initial = initial
        self.is_available = is_available
        self.ok = ok
        self.alternative = alternative
        self.chose_alternative = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(self.title_text, classes="title")
            # Editing keys in a burst (ctrl+u then the new name) apply in typing order.
            yield OrderedInput(value=self.initial, id="name", select_on_focus=False)
            yield Label("", classes="error", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                if self.alternative:
                    yield Button(f"{self.alternative} ^e", id="alternative")
                yield Button(self.ok, id="ok", variant="primary")

    def on_mount(self) -> None:
        self._check(self.initial)

    def action_alternative(self) -> None:
        value = self.query_one("#name", Input).value
        if self.alternative and self._check(value) is None:
            self.chose_alternative = True
            self.dismiss(value)

    def _check(self, value: str) -> str | None:
        problem = self.is_available(value)
        self.query_one("#error", Label).update(problem or "")
        for button in self.query("#ok, #alternative").results(Button):
            button.disabled = problem is not None
        return problem

    @on(Input.Changed, "#name")
    def _changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    @on(Input.Submitted, "#name")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._check(event.value) is None:
            self.dismiss(event.value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            value = self.query_one("#name", Input).value
            if self._check(value) is None:
                self.dismiss(value)
        elif event.button.id == "alternative":
            self.action_alternative()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

"""ConflictScreen: another session saved the dataset while this wizard edited it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS


class ConflictScreen(ModalScreen[str | None]):
    """Answers "reload" (start again from the latest version), "save_as" or None (keep editing)."""

    DEFAULT_CSS = f"ConflictScreen {{ align: center middle; }}\n{MODAL_CSS}\nConflictScreen .modal-box {{ width: 70; }}"
    BINDINGS = [
        Binding("r", "answer('reload')", "Reload latest"),
        Binding("n", "answer('save_as')", "Save as new"),
        Binding("escape", "answer(None)", "Keep editing"),
        QUIT_BINDING,
    ]

    def __init__(self, name: str, message: str, current_revision: int) -> None:
        super().__init__()
        self.dataset_name = name
        self.message = message
        self.current_revision = current_revision

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label(f"{self.dataset_name} was saved by someone else", classes="title")
            yield Static(self.message)
            yield Static(
                f"r: reload v{self.current_revision} and start again (your changes are dropped)\n"
                "n: save your version as a new dataset\n"
                "escape: keep editing (nothing is saved yet)",
                classes="hint",
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep editing", id="keep")
                yield Button(f"Reload v{self.current_revision}", id="reload", variant="warning")
                yield Button("Save as new…", id="save_as", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#save_as", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "keep" else event.button.id)

    def action_answer(self, value: str | None) -> None:
        self.dismiss(value)

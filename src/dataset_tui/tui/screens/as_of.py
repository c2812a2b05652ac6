"""Ask for the day analyze, validate and preview count up to (empty: live, today)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS

# Dismissed with ("live", None), ("day", date), or None when cancelled.
AsOfChoice = tuple[str, dt.date | None] | None


def parse_as_of(text: str) -> dt.date | None:
    """A YYYY-MM-DD day, or None for live (empty or "live"); ValueError says what to type."""
    text = text.strip()
    if not text or text.lower() == "live":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date written YYYY-MM-DD; leave it empty for live") from None


class AsOfScreen(ModalScreen[AsOfChoice]):
    """As of which day analyze, validate and preview count the rows."""

    DEFAULT_CSS = f"AsOfScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel"), QUIT_BINDING]

    def __init__(self, current: dt.date | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label("Analyze and preview as of", classes="title")
            yield Input(self.current.isoformat() if self.current else "", id="as-of", placeholder="live")
            yield Label(
                "YYYY-MM-DD: rows as on that day (nothing dated after it; rolling windows end there). "
                "Empty: live, today.",
                classes="hint",
            )
            yield Label("", classes="error", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Use", id="ok", variant="primary")

    def _choose(self) -> None:
        try:
            day = parse_as_of(self.query_one("#as-of", Input).value)
        except ValueError as exc:
            self.query_one("#error", Label).update(str(exc))
            return
        self.dismiss(("live", None) if day is None else ("day", day))

    @on(Input.Submitted, "#as-of")
    def _submitted(self) -> None:
        self._choose()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._choose()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

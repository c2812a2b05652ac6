"""The cost-confirmation modal, and the bridge that lets a worker thread ask it.

The cost guard in `services` calls `confirm(dry_run) -> bool` from the worker
thread that runs the query. `ask_cost_from_worker` shows the modal on the
event loop and blocks only that worker thread until the user answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from dataset_tui.services.cost import describe_bytes, describe_money, format_bytes
from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS
from dataset_tui.tui.work import ask_from_worker

if TYPE_CHECKING:
    from textual.app import App


class CostScreen(ModalScreen[bool]):
    """"This query scans 12.3 GiB (~$0.08). Run it?" """

    DEFAULT_CSS = f"CostScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS = [Binding("y", "answer(True)", "Run"), Binding("n,escape", "answer(False)", "Cancel"), QUIT_BINDING]

    def __init__(self, action: str, dry_run: Any, threshold: int | None = None) -> None:
        super().__init__()
        self.action = action
        self.dry_run = dry_run
        self.threshold = threshold

    def compose(self) -> ComposeResult:
        dry = self.dry_run
        profile = getattr(getattr(self.app, "ctx", None), "profile", None)
        pricing = getattr(profile, "pricing", "on-demand")
        scanned = describe_bytes(dry)
        estimated = " (estimated)" if getattr(dry, "estimated", False) else ""
        money = describe_money(dry, pricing)
        money = f"about {money}" if money.startswith("$") else money
        with Vertical(classes="modal-box"):
            yield Label(f"{self.action}: confirm the cost", classes="title")
            yield Static(f"This query scans [b]{scanned}[/b]{estimated}, [b]{money}[/b].", id="cost-body",
                         markup=True)
            if dry.open_ended:
                yield Static("BigQuery cannot estimate this scan, so it is always asked about.", classes="hint")
            elif self.threshold is not None:
                limit = format_bytes(self.threshold)
                yield Static(f"That is above this profile's confirmation threshold ({limit}).", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="no")
                yield Button("Run it", id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


def ask_cost_from_worker(app: App[Any], action: str, dry_run: Any, threshold: int | None = None) -> bool:
    """Show CostScreen from a worker thread and wait (in that thread) for the answer."""
    return bool(ask_from_worker(app, CostScreen(action, dry_run, threshold)))

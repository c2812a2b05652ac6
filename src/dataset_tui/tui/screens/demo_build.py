"""First run: the demo warehouse is built, with a progress bar, before any query."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar, Static

from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import WorkFailed
from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS
from dataset_tui.tui.work import warehouse_work


class Progress(Message):
    def __init__(self, fraction: float, step: str) -> None:
        super().__init__()
        self.fraction = fraction
        self.step = step


class Built(Message):
    """The demo warehouse is ready."""


class DemoBuildScreen(ModalScreen[bool]):
    """Building the demo warehouse."""

    DEFAULT_CSS = f"DemoBuildScreen {{ align: center middle; }}\n{MODAL_CSS}"
    BINDINGS = [Binding("escape", "close", "Continue without it", show=False), QUIT_BINDING]

    failed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield Label("Building the demo warehouse", classes="title")
            yield Static(
                "First run: generating raw_data (transactions, customers, products, ...) "
                "in a local DuckDB file. This takes a few seconds, once.",
                classes="hint",
            )
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield Label("starting…", id="step")

    def on_work_failed(self, message: WorkFailed) -> None:
        # The app shows the error too (the message bubbles on); here, say what now.
        self.failed = True
        self.query_one("#step", Label).update(
            "The demo could not be built. Press escape to go on without it "
            "(store commands still work), or q to quit."
        )

    def action_close(self) -> None:
        if self.failed:
            self.dismiss(False)

    def on_mount(self) -> None:
        self.build()

    def _progress(self, fraction: float, step: str) -> None:
        self.post_message(Progress(fraction, step))  # from the worker thread

    def on_progress(self, message: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(progress=round(message.fraction * 100))
        self.query_one("#step", Label).update(message.step)

    @warehouse_work("build the demo warehouse")
    def build(self) -> None:
        from dataset_tui.services.local_warehouse import ensure_demo

        ensure_demo(app_context(self), progress=self._progress)
        self.post_message(Built())

    def on_built(self, message: Built) -> None:
        self.dismiss(True)

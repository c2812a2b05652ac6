"""The materialize modal (`M` on the detail screen): choices, cost, progress, cancel.

The form holds what `dataset-tui materialize` takes as options. Pressing
Materialize runs the same service in a worker: on BigQuery the cost modal
asks first (the total of every split's dry run); progress and the result come
back as typed messages; Cancel while running stops the warehouse job, and the
service drops whatever it had made, so nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import WorkFailed
from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


class MaterializeScreen(ModalScreen[Any]):
    """Materialize a dataset version; dismisses with the MaterializeResult (None if not done)."""

    DEFAULT_CSS = f"""
    MaterializeScreen {{ align: center middle; }}
    {MODAL_CSS}
    MaterializeScreen .modal-box {{ width: 72; }}
    MaterializeScreen .field {{ height: 1; margin-top: 1; }}
    MaterializeScreen .field Label {{ width: 16; }}
    /* One-line inputs: the whole form, buttons included, fits in 80x24. */
    MaterializeScreen .field Input {{ width: 1fr; height: 1; border: none; padding: 0 1; background: $panel; }}
    MaterializeScreen .field Input:focus {{ background: $boost; text-style: bold; }}
    MaterializeScreen #progress {{ margin-top: 1; }}
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "run", "Materialize"), QUIT_BINDING]

    class Progressed(Message):
        def __init__(self, fraction: float, text: str) -> None:
            super().__init__()
            self.fraction, self.text = fraction, text

    class Finished(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self, name: str, version: int | None = None) -> None:
        super().__init__()
        self.dataset_name = name
        self.version = version
        self.running = False

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    def compose(self) -> ComposeResult:
        from dataset_tui.domain import clock
        from dataset_tui.services.materialize import DEFAULT_DATASET

        local = self.ctx.profile.backend == "duckdb"
        which = f"v{self.version}" if self.version is not None else "the active (else latest) version"
        with Vertical(classes="modal-box"):
            yield Label(f"Materialize {self.dataset_name} ({which})", classes="title")
            yield Static(
                "Writes each split into a table, pinned to the as-of date, fingerprints its rows and records "
                "it on the version; `verify` later tells whether anything drifted.",
                classes="hint",
            )
            for label, widget_id, value, placeholder in (
                ("Splits", "splits", "all", "all, or train,eval / full"),
                ("Target dataset", "target", DEFAULT_DATASET, DEFAULT_DATASET),
                ("As of", "as-of", clock.today().isoformat(), "YYYY-MM-DD"),
                *([("Parquet folder", "parquet", "", "optional: also write .parquet files here")] if local else []),
                *([("Expire days", "expire", "", "optional: the tables expire after N days")] if not local else []),
            ):
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield Input(value=value, placeholder=placeholder, id=widget_id)
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
            yield Static("", id="status", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Materialize", id="run", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#run", Button).focus()

    def _options(self) -> dict[str, Any]:
        """The form as service arguments; ValueError names the field that is wrong."""
        def text(widget_id: str) -> str:
            found = self.query(f"#{widget_id}")
            return found.first(Input).value.strip() if found else ""

        try:
            as_of = dt.date.fromisoformat(text("as-of"))
        except ValueError:
            raise ValueError("As of: write a date as YYYY-MM-DD") from None
        expire = text("expire")
        if expire and not expire.isdigit():
            raise ValueError("Expire days: a whole number of days, or empty")
        return {
            "version": self.version,
            "splits": text("splits") or "all",
            "to": text("target") or None,
            "as_of": as_of,
            "parquet_dir": text("parquet") or None,
            "expire_days": int(expire) if expire else None,
        }

    @on(Button.Pressed, "#run")
    @on(Input.Submitted)
    def action_run(self) -> None:
        if self.running:
            return
        try:
            options = self._options()
        except ValueError as exc:
            self.query_one("#status", Static).update(f"[red]{exc}[/red]")
            return
        self.running = True
        self.query_one("#run", Button).disabled = True
        self.query_one("#status", Static).update("starting…")
        self._materialize(options)

    @warehouse_work("materialize", group="materialize")
    def _materialize(self, options: dict[str, Any]) -> None:
        from dataset_tui.services.materialize import materialize
        from dataset_tui.tui.screens.cost import ask_cost_from_worker

        threshold = self.ctx.profile.confirm_bytes

        def report(fraction: float, text: str) -> None:
            self.post_message(self.Progressed(fraction, text))

        result = materialize(
            self.ctx,
            self.dataset_name,
            confirm=lambda dry: ask_cost_from_worker(self.app, "Materialize", dry, threshold),
            progress=report,
            **options,
        )
        self.post_message(self.Finished(result))

    def on_materialize_screen_progressed(self, message: Progressed) -> None:
        self.query_one("#progress", ProgressBar).update(progress=message.fraction)
        self.query_one("#status", Static).update(message.text)

    def on_materialize_screen_finished(self, message: Finished) -> None:
        from dataset_tui.tui.messages import DatasetsChanged

        self.running = False
        record = message.result.record
        rows = ", ".join(f"{s.split} {s.rows:,} rows #{s.fingerprint.digest}" for s in record.splits)
        self.app.notify(rows, title=f"Materialized {message.result.name} v{record.version}", timeout=10)
        for screen in self.app.screen_stack:
            screen.post_message(DatasetsChanged(message.result.name))
        self.dismiss(message.result)

    def on_work_failed(self, message: WorkFailed) -> None:
        # The app shows the error (the message bubbles on); the form stays for another try.
        self.running = False
        self.query_one("#run", Button).disabled = False
        self.query_one("#progress", ProgressBar).update(progress=0)
        self.query_one("#status", Static).update("not materialized: nothing was recorded")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if self.running:
            self.query_one("#status", Static).update("cancelling: stopping the job and dropping what it made…")
            self.ctx.warehouse().cancel()
            return
        self.dismiss(None)

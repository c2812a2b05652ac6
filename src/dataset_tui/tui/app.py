"""The dataset-tui app: header, screens, the one place errors are shown.

Start-up imports only Textual and our light modules; the store is opened by
the caller (cheap), and DuckDB or the BigQuery client are imported inside
the first worker that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.binding import Binding

from dataset_tui.tui.commands import DatasetCommands
from dataset_tui.tui.key_order import KeysInOrderApp
from dataset_tui.tui.messages import ActionDone, DatasetsChanged, OpenWizard, WarehouseStatus, WorkFailed

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.collector import QuietCollector


class DatasetTuiApp(KeysInOrderApp[None]):
    """Define ML training datasets on BigQuery (keys are handled in typing order: key_order.py)."""

    COMMANDS = App.COMMANDS | {DatasetCommands}

    CSS_PATH = "app.tcss"
    TITLE = "dataset-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        # Not a priority binding: in a text box q types a q (the box takes the key first).
        Binding("q", "request_quit", "Quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, ctx: AppContext, *, ask_before_build: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self._heap_frozen = False
        self._collector: QuietCollector | None = None

    # -- start-up -------------------------------------------------------------

    def on_mount(self) -> None:
        import gc

        from dataset_tui.tui.screens.datasets import DatasetsScreen

        # What start-up made (modules, Textual, the app) out of the collector's
        # way now, without a full pass (at this point it finds ~10 unreachable
        # objects): the full passes that reading 20,000 heads sets off then walk
        # only the new objects, instead of stalling the loop 150+ ms each.
        gc.freeze()
        from dataset_tui.tui.collector import QuietCollector

        self._collector = QuietCollector(self)
        self._update_subtitle()
        self.push_screen(DatasetsScreen())
        if not self.ctx.warehouse_exists():
            from dataset_tui.tui.screens.demo_build import DemoBuildScreen

            self.push_screen(DemoBuildScreen(), callback=self._demo_built)

    def on_unmount(self) -> None:
        if self._collector is not None:
            self._collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if self._collector is not None and isinstance(event, (events.Key, events.Paste, events.MouseDown)):
            self._collector.input_seen()
        await super().on_event(event)

    def first_list_drawn(self) -> None:
        """Called once the home list is on screen: now do start-up work no one waits for."""
        if not self._heap_frozen:
            self._heap_frozen = True
            self.call_after_refresh(self._freeze_heap)

    def _freeze_heap(self) -> None:
        """Keep the garbage collector's full passes short.

        Run after the list is drawn, not before: the full pass itself took
        0.1 s idle and 0.3 s on a loaded host, all of it before the first
        picture (bench/startup.py).

        A full collection walks every tracked object; with Textual, pydantic
        and tree-sitter loaded that took 70–90 ms, on whichever thread
        allocated last, freezing the event loop even while a worker did the
        allocating. Objects alive now (modules, the app) are moved out of the
        collector's way; garbage made later is still collected.

        Only the young generations are collected first: a full pass here also
        walked the listing just read (20,000 heads: 20–40 ms, the longest stall
        of opening the list; bench/startup.py search). What it would have found
        is the cyclic garbage old enough to have reached the oldest generation
        since start-up (the heap was frozen at mount): a few start-up leftovers,
        kept once, not a leak that grows.
        """
        import gc

        gc.collect(1)
        gc.freeze()

    def _demo_built(self, ok: bool | None) -> None:
        if ok:
            self.notify("The demo warehouse is ready: raw_data has transactions, customers, products and more.")

    def _update_subtitle(self) -> None:
        self.sub_title = f"model {self.ctx.model} · {self.ctx.warehouse_label}"

    # -- the one place worker errors are shown --------------------------------

    def on_work_failed(self, message: WorkFailed) -> None:
        from dataset_tui.services.errors import Declined, user_message

        if isinstance(message.error, Declined):
            self.notify(f"{message.action}: cancelled, nothing was run.", severity="information")
            return
        from rich.markup import escape

        from dataset_tui.services.crash_log import unexpected
        from dataset_tui.text_safety import safe

        text = user_message(message.error)
        if text is None:
            # A bug, not a user error: one line here, the traceback in the log file.
            text = unexpected(message.error, f"TUI: {message.action}")
            self.log.error(message.error)
        self.notify(escape(safe(text)), title=f"Could not {message.action}", severity="error", timeout=10)

    # -- what dataset actions' workers post (actions.py) ----------------------

    def on_warehouse_status(self, message: WarehouseStatus) -> None:
        """A retry or a wait the warehouse reported from a worker (the CLI prints these on stderr)."""
        from rich.markup import escape

        from dataset_tui.text_safety import safe

        # A retry is a warning (something went wrong, it is being handled); a batch or a scope is news.
        retrying = "retr" in message.text.lower()
        self.notify(
            escape(safe(message.text)),
            title=self.ctx.warehouse_label,
            severity="warning" if retrying else "information",
            timeout=8,
        )

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text)
        for screen in self.screen_stack:
            screen.post_message(DatasetsChanged(message.name))

    def on_open_wizard(self, message: OpenWizard) -> None:
        from dataset_tui.tui.screens.wizard import WizardScreen

        if message.clone_of is not None:
            wizard = WizardScreen(message.definition, clone_of=message.clone_of)
        else:
            wizard = WizardScreen(message.definition, base_revision=message.base_revision)
        self.push_screen(wizard, message.callback)

    # -- actions available everywhere -----------------------------------------

    def action_request_quit(self) -> None:
        """Quit, asking first if a screen on the stack holds unsaved work (quitting.py)."""
        from dataset_tui.tui.quitting import unsaved
        from dataset_tui.tui.screens.confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return  # already asking
        holding = unsaved(list(self.screen_stack))
        if not holding:
            self.exit()
            return
        where = " and ".join(sorted({(type(s).__doc__ or "A screen").splitlines()[0] for s in holding}))

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(
            QuitConfirmScreen(
                "Quit and lose unsaved changes?",
                f"{where} has changes that are not saved. Stay to save them (ctrl+s).",
                yes="Quit without saving",
                no="Stay",
                danger=True,
            ),
            callback=answered,
        )

    def action_help_quit(self) -> None:
        """ctrl+c: the same words on every screen (Textual's own names whichever key it finds first)."""
        from dataset_tui.tui.quitting import QUIT_HINT

        self.notify(QUIT_HINT, title="Do you want to quit?")

    def action_help(self) -> None:
        from dataset_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def switch_model(self, model: str) -> None:
        self.ctx.model = model
        self._update_subtitle()
        for screen in self.screen_stack:
            screen.post_message(DatasetsChanged())
        self.notify(f"Model {model}")

    def switch_profile(self, name: str) -> None:
        from dataset_tui.config import ConfigError, warehouse_path

        try:
            profile = self.ctx.settings.profile(name)
        except ConfigError as exc:
            self.notify(str(exc), severity="error")
            return
        self.ctx.set_warehouse(None)
        self.ctx.profile = profile
        self.ctx.warehouse_file = warehouse_path(profile) if profile.backend == "duckdb" else None
        self._update_subtitle()
        self.notify(f"Profile {name}: {self.ctx.warehouse_label}")


def run_app(ctx: AppContext, **kwargs: Any) -> int:
    DatasetTuiApp(ctx, **kwargs).run()
    return 0

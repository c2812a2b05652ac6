"""The dataset-tui app: header, screens, the one place errors are shown.

Start-up imports only Textual and our light modules; the store is opened by
the caller (cheap), and DuckDB or the BigQuery client are imported inside
the first worker that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from dataset_tui.tui.messages import WorkFailed

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


class DatasetTuiApp(App[None]):
    """Define ML training datasets on BigQuery."""

    CSS_PATH = "app.tcss"
    TITLE = "dataset-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, ctx: AppContext, *, ask_before_build: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        from dataset_tui.tui.commands import DatasetCommands

        self.COMMANDS = App.COMMANDS | {DatasetCommands}

    # -- start-up -------------------------------------------------------------

    def on_mount(self) -> None:
        from dataset_tui.tui.screens.datasets import DatasetsScreen

        self._freeze_heap()
        self._update_subtitle()
        self.push_screen(DatasetsScreen())
        if not self.ctx.warehouse_exists():
            from dataset_tui.tui.screens.demo_build import DemoBuildScreen

            self.push_screen(DemoBuildScreen(), callback=self._demo_built)

    def _freeze_heap(self) -> None:
        """Keep the garbage collector's full passes short.

        A full collection walks every tracked object; with Textual, pydantic
        and tree-sitter loaded that took 70–90 ms, on whichever thread
        allocated last, freezing the event loop even while a worker did the
        allocating. Objects alive now (modules, the app) are moved out of the
        collector's way; garbage made later is still collected.
        """
        import gc

        gc.collect()
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
        text = user_message(message.error)
        if text is None:
            # A bug, not a user error: still keep the app and the user's work.
            text = f"unexpected {type(message.error).__name__}: {message.error}"
            self.log.error(message.error)
        self.notify(text, title=f"Could not {message.action}", severity="error", timeout=10)

    # -- actions available everywhere -----------------------------------------

    async def action_quit(self) -> None:
        # A screen holding unsaved work (the wizard) asks before it is lost.
        unsaved = getattr(self.screen, "has_unsaved_changes", None)
        ask_first = getattr(self.screen, "action_quit_app", None)
        if unsaved is not None and ask_first is not None and unsaved():
            ask_first()
            return
        await super().action_quit()

    def action_help(self) -> None:
        from dataset_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def switch_model(self, model: str) -> None:
        self.ctx.model = model
        self._update_subtitle()
        from dataset_tui.tui.messages import DatasetsChanged

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

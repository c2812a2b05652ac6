"""Dataset detail: configuration, cached analysis, quality issues, the SQL."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from dataset_tui.tui import summaries
from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import ActionDone, DatasetsChanged, WorkFailed
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.widgets.materializations import MaterializationsPanel
from dataset_tui.tui.widgets.sql_tabs import SqlTabs
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.runs import Preview, Validation

NARROW = 110  # below this width the panels stack instead of sitting side by side


class DatasetRead(Message):
    """The head, the version shown, the cached analysis and the SQL texts, read in a worker."""

    def __init__(self, head: Any, version: Any, cached: Any, texts: dict[str, str]) -> None:
        super().__init__()
        self.head = head
        self.version = version
        self.cached = cached
        self.texts = texts


class Analyzed(Message):
    """Analyze finished (its result is in the store's cache; the screen reloads)."""


class Validated(Message):
    def __init__(self, result: Validation) -> None:
        super().__init__()
        self.result = result


class PreviewRead(Message):
    def __init__(self, result: Preview) -> None:
        super().__init__()
        self.result = result


class DetailScreen(Screen[None]):
    """Dataset detail"""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "analyze", "Analyze"),
        Binding("v", "validate", "Validate"),
        Binding("p", "preview", "Preview"),
        Binding("x", "export", "Export"),
        Binding("y", "copy", "Copy SQL"),
        Binding("t", "next_tab", "SQL tab"),
        Binding("e", "edit", "Edit"),
        Binding("c", "clone", "Clone"),
        Binding("a", "activate", "Activate"),
        Binding("d", "delete", "Delete"),
        Binding("h", "history", "History"),
        Binding("o", "as_of", "As of a day (analyze, validate, preview)", show=False),
        Binding("M", "materialize", "Materialize"),
        Binding("V", "verify", "Verify"),
    ]

    DEFAULT_CSS = """
    DetailScreen #body { height: 1fr; }
    DetailScreen #info { width: 46; border-right: vkey $panel; padding: 0 1; }
    DetailScreen #checks { height: auto; }
    DetailScreen .section { margin-bottom: 1; height: auto; }
    /* Narrow terminals: configuration and analysis side by side above the SQL,
       so the numbers r brings are on screen without scrolling. */
    DetailScreen.-narrow #body { layout: vertical; }
    DetailScreen.-narrow #info {
        width: 1fr; height: 45%; layout: horizontal;
        border-right: none; border-bottom: hkey $panel;
    }
    DetailScreen.-narrow #summary { width: 1fr; }
    DetailScreen.-narrow #checks { width: 1fr; margin-left: 1; }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.dataset_name = name
        self.head: Any = None
        self.definition: Any = None
        self.version: Any = None  # the version shown: active, else the latest
        self._shown: dict[str, str] = {}
        self.as_of: dt.date | None = None  # None: live (today)

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with VerticalScroll(id="info"):
                yield Static("loading…", id="summary", classes="section")
                with Vertical(id="checks"):
                    yield Static("", id="analysis", classes="section")
                    yield Static("", id="quality", classes="section")
                    yield MaterializationsPanel(id="materializations")
            yield SqlTabs(id="sql")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW, "-narrow")
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def on_work_failed(self, message: WorkFailed) -> None:
        # The app shows the error (the message bubbles on); here, stop the spinner.
        self.query_one("#checks").loading = False

    def on_datasets_changed(self, message: DatasetsChanged) -> None:
        if message.name in (None, self.dataset_name):
            self.load()

    # -- loading ------------------------------------------------------------

    def load(self) -> None:
        self._load()
        self.query_one(MaterializationsPanel).load(self.dataset_name)

    @warehouse_work("open the dataset", group="detail-load")
    def _load(self) -> None:
        from dataset_tui.services import definitions

        head = definitions.get_dataset(self.ctx, self.dataset_name)
        version = definitions.get_version(self.ctx, self.dataset_name, head.definition_version)
        cached = definitions.cached_analysis(self.ctx, self.dataset_name)
        label = f"{head.name} v{version.number}"
        texts = summaries.sql_texts(version.definition, label=label, project=self.ctx.warehouse_project())
        self.post_message(DatasetRead(head, version, cached, texts))

    def _title(self) -> None:
        if self.head is not None:
            pinned = f" · as of {self.as_of}" if self.as_of else ""
            self.sub_title = f"{self.head.name} · {self.head.badge}{pinned}"

    def on_dataset_read(self, message: DatasetRead) -> None:
        head, version, cached, texts = message.head, message.version, message.cached, message.texts
        self.head = head
        self.version = version
        self.definition = version.definition
        self._title()
        # Each update re-lays out the screen (and repaints the highlighted
        # SQL), so only touch what changed.
        for selector, text in (
            ("#summary", summaries.configuration(head, version)),
            ("#analysis", summaries.analysis(cached)),
            ("#quality", summaries.quality(cached)),
        ):
            if self._shown.get(selector) != text:
                self._shown[selector] = text
                self.query_one(selector, Static).update(text)
        self.query_one(SqlTabs).set_sql(texts)

    # -- warehouse actions (workers; cost confirmation on BigQuery) ------------

    def _confirm(self, action: str) -> Any:
        from dataset_tui.tui.screens.cost import ask_cost_from_worker

        threshold = self.ctx.profile.confirm_bytes
        return lambda dry: ask_cost_from_worker(self.app, action, dry, threshold)

    def action_analyze(self) -> None:
        self.notify(f"Analyzing {self.dataset_name}…")
        # The spinner stands where the numbers will appear; the rest stays usable.
        self.query_one("#checks").loading = True
        self._analyze(self.as_of)

    @warehouse_work("analyze", group="analyze")
    def _analyze(self, as_of: dt.date | None) -> None:
        from dataset_tui.services import runs

        runs.analyze(self.ctx, self.dataset_name, confirm=self._confirm("Analyze"), as_of=as_of)
        self.post_message(Analyzed())

    def on_analyzed(self, message: Analyzed) -> None:
        self.query_one("#checks").loading = False
        self.notify(f"{self.dataset_name}: analysis done.")
        self.load()
        for s in self.app.screen_stack:
            if s is not self:
                s.post_message(DatasetsChanged(self.dataset_name))

    def action_validate(self) -> None:
        self.notify(f"Validating {self.dataset_name}: dry run…")
        self._validate(self.as_of)

    @warehouse_work("validate", group="validate")
    def _validate(self, as_of: dt.date | None) -> None:
        from dataset_tui.services import runs

        self.post_message(Validated(runs.validate(self.ctx, self.dataset_name, as_of=as_of)))

    def on_validated(self, message: Validated) -> None:
        result = message.result
        if result.cost is not None:
            self.notify(
                f"The SQL passes a dry run. It scans {result.cost.summary}.",
                title=f"{self.dataset_name} v{result.version} is valid",
                timeout=8,
            )
        else:
            problems = "\n".join(f"• {p.path}: {p.message}" if p.path else f"• {p.message}" for p in result.problems)
            title = f"{self.dataset_name} v{result.version} is not valid"
            self.notify(problems, title=title, severity="error", timeout=12)

    def action_preview(self) -> None:
        self._preview(self.as_of)

    @warehouse_work("preview", group="preview")
    def _preview(self, as_of: dt.date | None) -> None:
        from dataset_tui.services import runs

        result = runs.preview(
            self.ctx, self.dataset_name, limit=100, confirm=self._confirm("Preview"), as_of=as_of
        )
        self.post_message(PreviewRead(result))

    def on_preview_read(self, message: PreviewRead) -> None:
        from dataset_tui.tui.screens.preview import PreviewScreen  # a screen is built on the event loop

        self.app.push_screen(PreviewScreen(self.dataset_name, message.result))

    def action_as_of(self) -> None:
        from dataset_tui.tui.screens.as_of import AsOfChoice, AsOfScreen

        def chosen(choice: AsOfChoice) -> None:
            if choice is None:
                return
            self.as_of = choice[1]
            self._title()
            when = f"as of {self.as_of}" if self.as_of else "live (today)"
            self.notify(f"Analyze, validate and preview now count rows {when}.")

        self.app.push_screen(AsOfScreen(self.as_of), chosen)

    # -- the other actions ----------------------------------------------------

    def action_export(self) -> None:
        from dataset_tui.tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.dataset_name))

    def action_copy(self) -> None:
        """OSC 52: the terminal puts the text on the user's own clipboard, even over SSH."""
        text = self.query_one(SqlTabs).current_text()
        self.app.copy_to_clipboard(text)
        if os.environ.get("TMUX"):
            self.notify(
                "Sent the SQL to the clipboard (OSC 52). Inside tmux this needs `set -g set-clipboard on`; "
                "if nothing arrived, press x to save it to a file.",
                timeout=8,
            )
        else:
            self.notify(f"Copied {len(text.splitlines())} lines of SQL to the clipboard (OSC 52). "
                        "Press x to save it to a file instead.")

    def action_next_tab(self) -> None:
        self.query_one(SqlTabs).next_tab()

    def action_edit(self) -> None:
        from dataset_tui.tui import actions

        actions.edit(self, self.dataset_name)

    def action_clone(self) -> None:
        from dataset_tui.tui import actions

        if self.version is not None:  # the version on screen, once it is read
            actions.clone(self, self.dataset_name, self.version.number)

    def action_activate(self) -> None:
        from dataset_tui.tui import actions

        actions.activate(self, self.dataset_name)

    def action_delete(self) -> None:
        from dataset_tui.tui import actions

        if self.head is not None:
            actions.delete(self, self.head)

    def on_action_done(self, message: ActionDone) -> None:
        # Deleted from here: nothing left to show (the message bubbles on to the app).
        if message.gone == self.dataset_name and self.app.screen is self:
            self.app.pop_screen()

    def action_history(self) -> None:
        from dataset_tui.tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.dataset_name))

    def action_materialize(self) -> None:
        from dataset_tui.tui.screens.materialize import MaterializeScreen

        version = self.head.definition_version if self.head is not None else None
        self.app.push_screen(MaterializeScreen(self.dataset_name, version))

    def action_verify(self) -> None:
        self.query_one(MaterializationsPanel).verify()

"""Datasets (home): the model's datasets, search, status filter, marks, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import DatasetsChanged, DatasetsLoaded
from dataset_tui.tui.summaries import plural
from dataset_tui.tui.widgets.dataset_list import DatasetList
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.widgets.ordered_input import OrderedInput
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.dataset_queries import DatasetListing

STATUS_FILTERS = (None, "draft", "active", "deleted")
# Keys that act on a live dataset, hidden (and off) in the deleted view; u and p only work there.
LIVE_ACTIONS = {"new", "edit", "clone", "activate", "delete", "export", "compare", "history", "open"}
DELETED_ACTIONS = {"undelete", "purge"}
POLL_SECONDS = 2.0

EMPTY_TEXT = """[b]No datasets yet.[/b]

Press [b]n[/b] to define one with the wizard: pick tables from raw_data, map
columns to roles, set filters and a split.

Or import a definition file from the command line:
  dataset-tui definition import my_dataset.json

Press [b]?[/b] for every key."""


class DatasetsScreen(Screen[None]):
    """Datasets"""

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "cycle_filter", "Filter"),
        Binding("n", "new", "New"),
        Binding("enter", "open", "Open", show=False),
        Binding("e", "edit", "Edit"),
        Binding("c", "clone", "Clone"),
        Binding("a", "activate", "Activate"),
        Binding("d", "delete", "Delete"),
        Binding("x", "export", "Export"),
        Binding("m", "compare", "Compare"),
        Binding("h", "history", "History"),
        Binding("u", "undelete", "Undelete"),
        Binding("p", "purge", "Purge"),
    ]

    DEFAULT_CSS = """
    DatasetsScreen #toolbar { height: 1; margin: 0 1; }
    DatasetsScreen #search { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    DatasetsScreen #search:focus { background: $primary 20%; }
    DatasetsScreen #filter { width: auto; margin-left: 2; color: $accent; }
    DatasetsScreen #count { width: auto; margin-left: 2; color: $text-muted; }
    /* Padding, not a side margin: a margin narrowed the list beside it too. */
    DatasetsScreen #empty { margin: 1 0; padding: 0 4; display: none; height: auto; }
    /* The (empty) list stays displayed and focused, so n, ? and q work at once
       instead of typing into the search box. */
    DatasetsScreen.empty #empty { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.status_filter: str | None = None
        self._pending_keep: str | None = None
        self._listing: DatasetListing | None = None  # the view's datasets as last read

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="toolbar"):
            # Its enter (back to the list) is applied in typing order, before the keys for the list.
            yield OrderedInput(placeholder="/ search name or description", id="search")
            yield Label("all", id="filter")
            yield Label("", id="count")
        yield Static(EMPTY_TEXT, id="empty")
        yield DatasetList(id="datasets")
        yield KeyFooter()

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    @property
    def table(self) -> DatasetList:
        return self.query_one("#datasets", DatasetList)

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()
        # Another terminal (the CLI, a second app) may save meanwhile: look
        # again now and then. Unchanged rows are not redrawn.
        self.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self.is_current:
            self._reload_unless_reading()

    def _reload_unless_reading(self) -> None:
        # A read under way sees the store as new as a second one would (the
        # first show resumes the screen right after mounting it: 20,000 heads twice).
        if not any(w.group == "list" and w.is_running for w in self.workers):
            self.reload()

    # -- loading ------------------------------------------------------------

    def reload(self, keep: str | None = None) -> None:
        """Read the view's datasets again if the store changed (always when a row is to be kept)."""
        keep = keep or self._pending_keep
        deleted = self.status_filter == "deleted"
        # What the listing shown was read from, not the listing: Textual's worker
        # writes its arguments' repr into the worker's name (20,000 heads).
        seen = self._listing.seen if self._listing is not None and not keep else None
        self._load(deleted, seen, keep)

    @warehouse_work("list datasets", group="list")
    def _load(self, deleted: bool, unless: tuple[object, ...] | None, keep: str | None) -> None:
        from dataset_tui.services import definitions

        listing = definitions.dataset_listing(self.ctx, deleted=deleted, unless=unless)
        if listing is not None:
            self.post_message(DatasetsLoaded(listing, keep))

    def on_datasets_loaded(self, message: DatasetsLoaded) -> None:
        if message.listing.deleted != (self.status_filter == "deleted"):
            return  # read before the filter changed; the newer read follows
        self._listing = message.listing
        self._pending_keep = None
        self._show(message.keep)
        from dataset_tui.tui.app import DatasetTuiApp

        if isinstance(self.app, DatasetTuiApp):
            self.app.first_list_drawn()

    def _show(self, keep: str | None = None) -> None:
        """Filter the listing read last by status and search, in memory: no store read per key typed."""
        listing = self._listing
        if listing is None or listing.deleted != (self.status_filter == "deleted"):
            return  # the view's listing is on its way
        search = self.query_one("#search", Input).value.strip() or None
        status = None if listing.deleted else self.status_filter
        chosen = listing.select(status=status, search=search)
        heads = chosen.heads
        if heads != self.table.rows or keep is not None:
            self.table.set_rows(heads, keep=keep, names=chosen.names)
        total = len(listing.heads)
        # The guide is for a model with nothing in it, not for an empty deleted view.
        self.set_class(total == 0 and not listing.deleted, "empty")
        if listing.deleted:
            count = plural(len(heads), "deleted dataset")
        elif search or status:
            count = f"{len(heads):,} of {total:,}"
        else:
            count = plural(total, "dataset")
        self.query_one("#count", Label).update(count)

    def on_datasets_changed(self, message: DatasetsChanged) -> None:
        self.reload(keep=message.name)

    def on_screen_resume(self) -> None:
        # Back from another screen: keys go to the list again, not the search box.
        self.table.focus()
        self._reload_unless_reading()

    # -- search and filter ----------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self._show()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.table.focus()

    def on_key(self, event: Any) -> None:
        search = self.query_one("#search", Input)
        if not search.has_focus:
            return
        if event.key == "down":
            event.stop()
            self.table.focus()
        elif event.key == "escape":
            event.stop()
            search.value = ""
            self.table.focus()

    def action_cycle_filter(self) -> None:
        i = STATUS_FILTERS.index(self.status_filter)
        self.show_filter(STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)])

    def show_filter(self, status: str | None) -> None:
        """Show all datasets, drafts, active ones, or the deleted ones (u undelete, p purge)."""
        self.status_filter = status
        # The rows shown belong to the old view: drop them now, so a key
        # pressed before the new rows arrive (a burst, a slow host) can never
        # act on a row of the other view (delete a deleted one, purge a live one).
        self.table.set_rows([])
        self.query_one("#filter", Label).update(status or "all")
        self.set_class(status == "deleted", "-deleted")
        self.refresh_bindings()
        self._show()  # drafts, active ones, all: the same listing, filtered anew
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer and ? show only the keys that work in this view.
        if self.status_filter == "deleted":
            return action not in LIVE_ACTIONS
        return action not in DELETED_ACTIONS

    # -- actions on the current dataset ---------------------------------------

    def _current(self) -> Any | None:
        row = self.table.current
        if row is None and self.status_filter == "deleted":
            self.notify("No deleted dataset here: press f to see the others.", severity="warning")
        elif row is None:
            self.notify("No dataset here: press n to create one.", severity="warning")
        return row

    @on(DatasetList.Selected)
    def _selected(self, event: DatasetList.Selected) -> None:
        if self.status_filter == "deleted":
            self.notify(f"{event.row.name} is deleted: u brings it back, then enter opens it.", severity="warning")
            return
        self._open(event.row.name)

    def action_open(self) -> None:
        if (row := self._current()) is not None:
            self._open(row.name)

    def _open(self, name: str) -> None:
        from dataset_tui.tui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(name))

    def action_new(self) -> None:
        from dataset_tui.tui.screens.wizard import WizardScreen

        self.app.push_screen(WizardScreen(), callback=self._after_wizard)

    def action_edit(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.edit(self, row.name, callback=self._after_wizard)

    def _after_wizard(self, saved: str | None) -> None:
        if saved:
            # The cursor lands on what was just saved, whichever reload runs last,
            # and the saved dataset opens: a new dataset and an edit land in one place.
            self._pending_keep = saved
            self.reload(keep=saved)
            self._open(saved)

    def action_clone(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.clone(self, row.name, row.definition_version)

    def action_activate(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.activate(self, row.name)

    def action_delete(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.delete(self, row)

    def action_export(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui.screens.export import ExportScreen

            self.app.push_screen(ExportScreen(row.name))

    def action_history(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui.screens.history import HistoryScreen

            self.app.push_screen(HistoryScreen(row.name))

    def action_undelete(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.undelete(self, row.name)

    def action_purge(self) -> None:
        if (row := self._current()) is not None:
            from dataset_tui.tui import actions

            actions.purge(self, row)

    def action_compare(self) -> None:
        marked = sorted(self.table.marked)
        if not 2 <= len(marked) <= 5:
            self.notify(
                f"Mark 2 to 5 datasets with space to compare them ({len(marked)} marked).", severity="warning"
            )
            return
        from dataset_tui.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(marked))

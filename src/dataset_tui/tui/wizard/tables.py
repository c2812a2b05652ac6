"""Step 2 of the wizard: the source tables (primary + secondary) and their joins.

The tables arrive as names first (a catalog: shard families folded into one
`events_*` entry) and their details fill in for the rows on screen; `/`
searches the names, so a dataset of 5,000 tables opens and narrows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from dataset_tui.domain.definition import Problem
from dataset_tui.tui.key_order import hold_keys, release_keys
from dataset_tui.tui.widgets.ordered_input import OrderedKeys
from dataset_tui.tui.wizard.draft import join_index_table
from dataset_tui.tui.wizard.search_keys import show_search
from dataset_tui.tui.wizard.table_list import TableList

if TYPE_CHECKING:
    from dataset_tui.services.catalog import Catalog, CatalogEntry
    from dataset_tui.tui.wizard.draft import JoinDraft, WizardDraft
    from dataset_tui.warehouse.base import TableInfo

CONFIDENCE_STYLE = {"high": "green", "medium": "yellow", "low": "red", "manual": "cyan", "saved": "dim"}


def _fill(table: DataTable[Any], columns: list[tuple[str, str]], rows: list[tuple[str, list[Text]]]) -> None:
    """Replace a DataTable's columns and rows, each column as wide as its widest cell.

    The stock DataTable measures auto-width columns later, on idle, so a
    screen drawn in between shows them cut; fixed widths are right at once.
    """
    table.clear(columns=True)
    for i, (label, key) in enumerate(columns):
        width = max([len(label), *(r[1][i].cell_len for r in rows)])
        table.add_column(label, key=key, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)


class JoinList(OrderedKeys, DataTable[Any]):
    """The joins in use: `t` left/inner, `enter` edit, `delete` remove."""

    BINDINGS = [
        Binding("enter,e", "edit", "Edit join"),
        Binding("t", "type", "Left/inner"),
        Binding("delete,backspace,x", "remove", "Remove"),
    ]

    class Action(Message):
        def __init__(self, table: str, action: str) -> None:
            super().__init__()
            self.table = table
            self.action = action

    def current_table(self) -> str | None:
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return str(key.value) if key.value is not None else None

    def _post(self, action: str) -> None:
        if (table := self.current_table()) is not None:
            self.post_message(self.Action(table, action))

    def action_edit(self) -> None:
        self._post("edit")

    def action_type(self) -> None:
        self._post("type")

    def action_remove(self) -> None:
        self._post("remove")


class TablesStep(Vertical):
    """Tables of the dataset with rows/size/columns, and the joins between the chosen ones."""

    BINDINGS = [Binding("a", "add_join", "Add join")]

    DEFAULT_CSS = """
    TablesStep { padding: 0 1; }
    TablesStep .section { text-style: bold; height: 1; margin-top: 1; }
    TablesStep .hint { color: $text-muted; height: auto; }
    TablesStep #tables { height: 1fr; min-height: 4; }
    TablesStep #tables-search { height: 1; color: $accent; display: none; }
    TablesStep #tables-search.-shown { display: block; }
    TablesStep #joins { height: auto; max-height: 8; }
    TablesStep .problem { color: $error; height: auto; }
    TablesStep #tables-loading { color: $text-muted; height: auto; }
    """

    class Changed(Message):
        """The chosen tables or the joins changed."""

        def __init__(self, tables_changed: bool) -> None:
            super().__init__()
            self.tables_changed = tables_changed

    class EditJoin(Message):
        """Open the join editor for a table (None: add a new join)."""

        def __init__(self, table: str | None) -> None:
            super().__init__()
            self.table = table

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.catalog: Catalog | None = None
        self.loaded = False
        self._names_hold: object | None = None

    def compose(self) -> ComposeResult:
        yield Label(f"Tables in {escape(self.draft.dataset)}", classes="section", id="tables-title")
        yield Static("enter: primary table · space: add/remove a joined table · /: search", classes="hint")
        yield Static("loading the tables…", id="tables-loading")
        yield Static("", id="tables-search")
        yield TableList(self._mark, id="tables")
        yield Static("", id="tables-problem", classes="problem")
        yield Label("Joins", classes="section")
        yield Static("enter: edit · t: left/inner · x: remove · a: add a join", classes="hint")
        yield JoinList(id="joins", cursor_type="row")
        yield Static("", id="join-reason", classes="hint")
        yield Static("", id="joins-problem", classes="problem")

    def on_mount(self) -> None:
        self.refresh_tables()
        self.refresh_joins()

    # -- data -------------------------------------------------------------------

    @property
    def picker(self) -> TableList:
        return self.query_one("#tables", TableList)

    @property
    def entries(self) -> list[CatalogEntry]:
        return list(self.catalog.entries) if self.catalog is not None else []

    def _mark(self, name: str) -> str:
        if name == self.draft.primary:
            return "primary"
        return "joined" if name in self.draft.secondary else ""

    def show_catalog(self, catalog: Catalog) -> None:
        """The dataset's table names arrived (a worker listed them); details follow for what is on screen."""
        self.catalog = catalog
        self.loaded = True
        self.call_later(self._names_arrived)  # once the list holds them (below)
        loading = self.query_one("#tables-loading", Static)
        if not catalog.entries:
            loading.update(
                f"No tables in {escape(self.draft.dataset)}. Load one with "
                "`dataset-tui warehouse import FILE --table NAME`, or build the demo with `dataset-tui warehouse demo`."
            )
        else:
            loading.display = False
        self._show_entries()
        self.refresh_joins()

    def _show_entries(self) -> None:
        self.picker.set_entries(self.entries)

    def add_details(self, infos: dict[str, TableInfo]) -> None:
        self.picker.add_details(infos)

    def show_load_error(self, text: str) -> None:
        self.query_one("#tables-loading", Static).update(f"[red]Could not load the tables:[/red] {escape(text)}")
        self._names_arrived()  # nothing more to wait for

    def refresh_tables(self) -> None:
        self.picker.refresh()

    @on(TableList.SearchChanged)
    def _search_changed(self, event: TableList.SearchChanged) -> None:
        show_search(self.query_one("#tables-search", Static), event, len(self.picker.entries), "tables")

    def refresh_joins(self) -> None:
        joins = self.query_one("#joins", JoinList)
        keep = joins.cursor_row if joins.row_count else 0
        rows = []
        for table in self.draft.secondary:
            join = self.draft.join_for(table)
            if join is None:
                cells = [Text(table), Text("—"), Text("no join: press a to add one", style="red"), Text("")]
            else:
                style = CONFIDENCE_STYLE.get(join.confidence, "")
                cells = [Text(table), Text(join.type), Text(join.describe()), Text(join.confidence, style=style)]
            rows.append((table, cells))
        _fill(joins, [("Table", "table"), ("Type", "type"), ("On", "on"), ("Confidence", "confidence")], rows)
        if joins.row_count:
            joins.move_cursor(row=min(keep, joins.row_count - 1))
        self._show_reason()

    def _show_reason(self) -> None:
        """Why the highlighted join was proposed (or how to get one)."""
        reason = self.query_one("#join-reason", Static)
        if not self.draft.secondary:
            reason.update("space on another table joins it to the primary")
            return
        table = self.query_one("#joins", JoinList).current_table()
        join = self.draft.join_for(table) if table else None
        if join is None:
            reason.update("")
        elif join.reason:
            reason.update(escape(join.reason))
        else:
            reason.update(f"{join.confidence} join" if join.confidence != "saved" else "as saved")

    @on(DataTable.RowHighlighted, "#joins")
    def _join_highlighted(self) -> None:
        self._show_reason()

    def enter(self) -> None:
        self.focus_first()
        if not self.loaded and self._names_hold is None:
            # Keys typed ahead of the names (`/tra enter`) wait for them, so an
            # enter picks from the list the user is about to see, not from an
            # empty one; at most KEY_WAIT_LIMIT_S (key_order.py), then they go on.
            self._names_hold = hold_keys(self.app, self)

    def _names_arrived(self) -> None:
        hold, self._names_hold = self._names_hold, None
        release_keys(self.app, hold)

    def focus_first(self) -> None:
        self.picker.focus()

    # -- user actions ------------------------------------------------------------

    @on(TableList.Picked)
    def _picked(self, event: TableList.Picked) -> None:
        if event.primary:
            self.draft.set_primary(event.table)
        else:
            self.draft.toggle_secondary(event.table)
        self.refresh_tables()
        self.refresh_joins()
        self.clear_problems()
        self.post_message(self.Changed(tables_changed=True))

    @on(JoinList.Action)
    def _join_action(self, event: JoinList.Action) -> None:
        join = self.draft.join_for(event.table)
        if event.action == "edit":
            self.post_message(self.EditJoin(event.table))
            return
        if join is None:
            if event.action == "type":
                self.notify(f"{event.table} has no join yet: press a to add one.")
            return
        if event.action == "type":
            # The type says which rows survive, not how sure the match is:
            # the confidence stays.
            join.type = "inner" if join.type == "left" else "left"
        elif event.action == "remove":
            self.draft.remove_join(event.table)
        self.refresh_joins()
        self.post_message(self.Changed(tables_changed=False))

    def action_add_join(self) -> None:
        if len(self.draft.tables) < 2:
            self.notify("Add a second table first (space on a table), then join it.")
            return
        self.post_message(self.EditJoin(None))

    def set_join(self, join: JoinDraft) -> None:
        self.draft.set_join(join)
        self.refresh_joins()
        self.post_message(self.Changed(tables_changed=False))

    # -- problems ------------------------------------------------------------------

    def clear_problems(self) -> None:
        self.query_one("#tables-problem", Static).update("")
        self.query_one("#joins-problem", Static).update("")

    def show_problems(self, problems: list[Problem]) -> bool:
        """Show each problem under the list it is about."""
        tables, joins = [], []
        for p in problems:
            if p.path.startswith("source.joins"):
                table = join_index_table(self.draft, p.path)
                prefix = f"{table}: " if table and table not in p.message else ""
                joins.append(f"{prefix}{p.message}")
            elif p.path.startswith("source"):
                tables.append(p.message)
        self.query_one("#tables-problem", Static).update(escape("\n".join(tables)))
        self.query_one("#joins-problem", Static).update(escape("\n".join(joins)))
        return bool(tables or joins)

    def load(self, draft: WizardDraft) -> None:
        self.draft = draft
        self.refresh_tables()
        self.refresh_joins()

"""TableList: the wizard's table picker, virtualised, with details filled lazily.

A dataset can hold 5,000 tables. The list shows their names (shard families
folded into one `events_*` entry) as soon as the names are listed, draws only
the lines on screen (the Line API, like the home screen's DatasetList), and
asks for rows/size/columns of the entries on screen only: `NeedDetails`
names them, the screen's worker fetches them, `add_details` fills them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from dataset_tui.services.cost import format_bytes
from dataset_tui.tui.summaries import count_text
from dataset_tui.tui.widgets.line_rows import CURSOR_BINDINGS, HeaderedRows, fit
from dataset_tui.tui.widgets.ordered_input import OrderedKeys
from dataset_tui.tui.wizard.search_keys import SearchKeys

if TYPE_CHECKING:
    from dataset_tui.services.catalog import CatalogEntry
    from dataset_tui.warehouse.base import TableInfo

MARK, ROWS, SIZE, COLS = 10, 8, 9, 5
MIN_NAME = 16
MIN_KIND = 27


class TableList(SearchKeys, OrderedKeys, HeaderedRows, can_focus=True):
    """Catalog entries: `enter` makes one the primary, `space` adds or removes it, `/` searches."""

    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding("enter", "primary", "Primary"),
        Binding("space", "toggle_table", "Add/remove"),
        Binding("slash", "search", "Search", key_display="/"),
    ]

    COMPONENT_CLASSES = {
        "table-list--header",
        "table-list--cursor",
        "table-list--primary",
        "table-list--joined",
        "table-list--badge",
        "table-list--hint",
    }

    DEFAULT_CSS = """
    TableList { width: 1fr; height: 1fr; background: $surface; }
    TableList > .table-list--header { text-style: bold; color: $text-muted; background: $panel; }
    TableList > .table-list--cursor { background: $block-cursor-blurred-background; }
    TableList:focus > .table-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TableList > .table-list--primary { color: $success; text-style: bold; }
    TableList > .table-list--joined { color: $accent; }
    TableList > .table-list--badge { color: $warning; }
    TableList > .table-list--hint { color: $text-muted; }
    """

    class Picked(Message):
        def __init__(self, table: str, primary: bool) -> None:
            super().__init__()
            self.table = table
            self.primary = primary

    class NeedDetails(Message):
        """Entries on screen whose rows/size/columns are not known yet."""

        def __init__(self, names: list[str]) -> None:
            super().__init__()
            self.names = names

    def __init__(self, marks: Callable[[str], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._marks = marks  # entry name → "primary" | "joined" | ""
        self.all_entries: list[CatalogEntry] = []
        self.entries: list[CatalogEntry] = []  # those whose name contains the search text
        self.details: dict[str, TableInfo] = {}
        self._longest = 0
        self._asked: set[str] = set()
        self._pending = False

    # -- data -------------------------------------------------------------

    def set_entries(self, entries: Sequence[CatalogEntry]) -> None:
        self.all_entries = list(entries)
        self.apply_search()
        if self.search_text or self.searching:
            self._search_changed()  # a search typed while the names loaded: its count is now known

    def apply_search(self) -> None:
        keep = self.current_table()
        needle = self.search_text.lower()
        self.entries = [e for e in self.all_entries if needle in e.name.lower()] if needle else self.all_entries
        self._longest = max((len(e.name) for e in self.entries), default=0)
        index = next((i for i, e in enumerate(self.entries) if e.name == keep), 0)
        self.reset_rows(index)
        self._ask_later()

    def add_details(self, infos: dict[str, TableInfo]) -> None:
        self.details.update(infos)
        self.refresh()

    def forget_asked(self, names: Sequence[str]) -> None:
        """A details request failed: these may be asked for again."""
        self._asked.difference_update(names)

    def current_table(self) -> str | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor].name
        return None

    @property
    def row_count(self) -> int:
        return len(self.entries)

    # -- lazy details ---------------------------------------------------------

    def _ask_later(self) -> None:
        # Once per refresh burst: a page-down over 5,000 names asks once, for where it stopped.
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._ask)

    def _ask(self) -> None:
        self._pending = False
        top = int(self.scroll_offset.y)
        shown = self.entries[top : top + max(self.size.height, 1)]
        missing = [e.name for e in shown if e.name not in self.details and e.name not in self._asked]
        if missing:
            self._asked.update(missing)
            self.post_message(self.NeedDetails(missing))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._ask_later()

    # -- rendering ----------------------------------------------------------

    def _widths(self) -> tuple[int, int]:
        """(name, kind) widths: the name as wide as the longest, leaving the kind MIN_KIND if it can."""
        free = self.size.width - (MARK + ROWS + SIZE + COLS + 5)
        name = max(MIN_NAME, min(self._longest + 1, free - MIN_KIND))
        return name, max(free - name - 1, 0)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        name_w, badge_w = self._widths()
        if y == 0:
            text = " ".join(
                [fit("", MARK), fit("Table", name_w), fit("Rows", ROWS, True), fit("Size", SIZE, True),
                 fit("Cols", COLS, True), fit("Kind", badge_w)]
            )
            return self.header_strip(text, "table-list--header")
        index = self.row_at(y)
        base = self.rich_style
        if index >= len(self.entries):
            return self.blank_strip(base)
        entry = self.entries[index]
        cursor = self.get_component_rich_style("table-list--cursor") if index == self.cursor else Style()

        def style(component: str | None = None) -> Style:
            return base + (self.get_component_rich_style(component) if component else Style()) + cursor

        from dataset_tui.services.catalog import badges

        mark = self._marks(entry.name)
        mark_text = {"primary": "● primary", "joined": "+ joined"}.get(mark, "")
        info = self.details.get(entry.name)
        if info is None:
            rows, size, cols = "…", "", ""
        else:
            rows = count_text(info.rows) if info.rows is not None else "—"
            size = "—" if info.bytes is None else format_bytes(info.bytes)
            cols = str(info.columns)
        kind = ", ".join(badges(info, entry))
        name_style = style(f"table-list--{mark}") if mark else style()
        segments = [
            Segment(fit(mark_text, MARK) + " ", name_style),
            Segment(fit(entry.name, name_w) + " ", name_style),
            Segment(fit(rows, ROWS, True) + " " + fit(size, SIZE, True) + " " + fit(cols, COLS, True) + " ",
                    style("table-list--hint") if info is None else style()),
            Segment(fit(kind, badge_w), style("table-list--badge")),
        ]
        return Strip(segments).crop(0, width).extend_cell_length(width, style())

    def on_resize(self, event: events.Resize) -> None:
        # HeaderedRows.on_resize sizes the scroll area too (Textual calls both).
        self._ask_later()

    # -- keys -------------------------------------------------------------

    def action_primary(self) -> None:
        if (table := self.current_table()) is not None:
            self.post_message(self.Picked(table, primary=True))

    def action_toggle_table(self) -> None:
        if (table := self.current_table()) is not None:
            self.post_message(self.Picked(table, primary=False))


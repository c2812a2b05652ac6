"""DatasetList: the home screen's table of datasets, virtualised.

A stock DataTable measures every cell of every row, which freezes the app for
seconds at thousands of rows. This widget uses the Line API: it keeps the
rows as plain data and renders only the lines on screen, so 5,000 datasets
cost what 30 do.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from typing import Any

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dataset_tui.tui.summaries import count_text
from dataset_tui.tui.widgets.line_rows import CURSOR_BINDINGS, fit

# (header, width, key); width None = takes what is left (the name).
COLUMNS: tuple[tuple[str, int | None], ...] = (
    (" ", 2),
    ("Name", None),
    ("Status", 20),
    ("Tables", 6),
    ("Cols", 5),
    ("Vers", 5),
    ("Rows", 7),
    ("Updated", 16),
)
MIN_NAME = 14
# Below this width the year goes from the Updated column (MM-DD HH:MM), so
# the name keeps room at 80 columns.
NARROW = 96
SHORT_UPDATED = 11


def _updated_text(when: dt.datetime | None, short: bool = False) -> str:
    if when is None:
        return ""
    return when.strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M")


class DatasetList(ScrollView, can_focus=True):
    """Rows of DatasetHead-like objects (name, badge, tables, columns, versions, ...)."""

    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding("space", "toggle_mark", "Mark"),
    ]

    COMPONENT_CLASSES = {
        "dataset-list--header",
        "dataset-list--cursor",
        "dataset-list--marked",
        "dataset-list--active",
        "dataset-list--draft",
    }

    DEFAULT_CSS = """
    DatasetList {
        /* A ScrollView is as wide as its content by default: with no rows
           that was narrower than the screen, and the header was cut. */
        width: 1fr;
        height: 1fr;
        background: $surface;
    }
    DatasetList > .dataset-list--header { text-style: bold; color: $text-muted; background: $panel; }
    DatasetList > .dataset-list--cursor { background: $block-cursor-blurred-background; }
    DatasetList:focus > .dataset-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    DatasetList > .dataset-list--marked { color: $warning; text-style: bold; }
    DatasetList > .dataset-list--active { color: $success; }
    DatasetList > .dataset-list--draft { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, dataset_list: DatasetList, row: Any | None) -> None:
            super().__init__()
            self.dataset_list = dataset_list
            self.row = row

    class Selected(Message):
        """Enter on a row."""

        def __init__(self, dataset_list: DatasetList, row: Any) -> None:
            super().__init__()
            self.dataset_list = dataset_list
            self.row = row

    class MarksChanged(Message):
        def __init__(self, dataset_list: DatasetList, marked: list[str]) -> None:
            super().__init__()
            self.dataset_list = dataset_list
            self.marked = marked

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: list[Any] = []
        self.marked: set[str] = set()

    # -- data -------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[Any], *, keep: str | None = None, names: Sequence[str] | None = None) -> None:
        """Replace the rows; keep the cursor on the dataset named `keep` if present.

        `names` (the rows' names, in order) saves reading them from the rows:
        each key typed in the search box lands here with up to 20,000 rows.
        """
        keep = keep or (self.current.name if self.current is not None else None)
        self._rows = list(rows)
        if names is None:
            names = list(map(operator.attrgetter("name"), self._rows))
        if self.marked:
            self.marked &= set(names)
        try:
            index = names.index(keep) if keep is not None else 0
        except ValueError:
            index = 0
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self.set_reactive(DatasetList.cursor, min(index, max(len(self._rows) - 1, 0)))
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    # -- rendering ----------------------------------------------------------

    @property
    def _short(self) -> bool:
        return self.size.width < NARROW

    def _widths(self) -> list[int]:
        widths = [w for _, w in COLUMNS]
        if self._short:
            widths[-1] = SHORT_UPDATED
        fixed = sum(w for w in widths if w is not None) + len(widths) - 1
        name = max(MIN_NAME, self.size.width - fixed)
        return [w if w is not None else name for w in widths]

    def _cells(self, row: Any) -> list[str]:
        return [
            "●" if row.name in self.marked else "",
            row.name,
            row.badge,
            str(row.tables),
            str(row.columns),
            str(row.versions),
            count_text(row.last_analysis_rows),
            _updated_text(row.updated_at, self._short),
        ]

    def _line(self, cells: list[str]) -> str:
        right = {3, 4, 5, 6}
        return " ".join(fit(c, w, i in right) for i, (c, w) in enumerate(zip(cells, self._widths(), strict=False)))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            # The header stays put while the rows scroll under it.
            style = self.get_component_rich_style("dataset-list--header")
            text = self._line([h for h, _ in COLUMNS])
            return Strip([Segment(fit(text, width), style)]).crop(0, width)
        index = y - 1 + int(self.scroll_offset.y)
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        text = fit(self._line(self._cells(row)), width)
        style = base
        if row.status == "active":
            style += self.get_component_rich_style("dataset-list--active")
        else:
            style += self.get_component_rich_style("dataset-list--draft")
        if row.name in self.marked:
            style += self.get_component_rich_style("dataset-list--marked")
        if index == self.cursor:
            style += self.get_component_rich_style("dataset-list--cursor")
        return Strip([Segment(text, style)]).crop(0, width)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)

    # -- cursor -------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(self.size.height - 2, 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_to_cursor(self) -> None:
        # Row i is drawn at screen line i + 1 - scroll_y (line 0 is the header).
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def _move(self, to: int) -> None:
        if self._rows:
            self.cursor = max(0, min(to, len(self._rows) - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self._rows) - 1)

    def action_toggle_mark(self) -> None:
        row = self.current
        if row is None:
            return
        self.marked.symmetric_difference_update({row.name})
        self.refresh()
        self.post_message(self.MarksChanged(self, sorted(self.marked)))
        self._move(self.cursor + 1)

    def select_current(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self._move(event.y - 1 + int(self.scroll_offset.y))
            if event.chain >= 2:
                self.select_current()

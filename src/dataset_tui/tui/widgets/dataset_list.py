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
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from dataset_tui.tui.summaries import count_text
from dataset_tui.tui.widgets.line_rows import CURSOR_BINDINGS, HeaderedRows, fit

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


class DatasetList(HeaderedRows, can_focus=True):
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
    def row_count(self) -> int:
        return len(self._rows)

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
        self.reset_rows(index)
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
            return self.header_strip(self._line([h for h, _ in COLUMNS]), "dataset-list--header")
        index = self.row_at(y)
        base = self.rich_style
        if index >= len(self._rows):
            return self.blank_strip(base)
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

    # -- cursor -------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self.post_message(self.Highlighted(self, self.current))

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

    def click_row(self, row: int, chain: int) -> None:
        self._move(row)
        if chain >= 2:
            self.select_current()

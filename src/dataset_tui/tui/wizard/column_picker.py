"""ColumnPicker: the column step's list, table headers and their columns, virtualised (Line API).

Only the lines on screen are drawn, so a table of 10,000 columns costs what
a table of 20 does; `/` filters the columns by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dataset_tui.tui.widgets.line_rows import CURSOR_BINDINGS, fit
from dataset_tui.tui.widgets.ordered_input import OrderedKeys
from dataset_tui.tui.wizard.search_keys import SearchKeys

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.draft import ColumnKey, WizardDraft

ROLE_WIDTH = 11
TYPE_WIDTH = 9


class ColumnPicker(SearchKeys, OrderedKeys, ScrollView, can_focus=True):
    """Rows of table headers and their columns; the cursor moves over columns only."""

    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding("space,enter", "toggle_column", "Select", key_display="space/enter"),
        Binding("r", "role", "Role"),
        Binding("a", "alias", "Alias"),
        Binding("v", "samples", "Samples"),
        Binding("u", "unit", "Epoch unit"),
        Binding("slash", "search", "Search", key_display="/"),
    ]

    COMPONENT_CLASSES = {
        "column-picker--header",
        "column-picker--cursor",
        "column-picker--selected",
        "column-picker--role",
        "column-picker--hint",
        "column-picker--error",
    }

    DEFAULT_CSS = """
    ColumnPicker { height: 1fr; background: $surface; }
    ColumnPicker > .column-picker--header { text-style: bold; color: $accent; }
    ColumnPicker > .column-picker--cursor { background: $block-cursor-blurred-background; }
    ColumnPicker:focus > .column-picker--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    ColumnPicker > .column-picker--selected { text-style: bold; }
    ColumnPicker > .column-picker--role { color: $success; }
    ColumnPicker > .column-picker--hint { color: $text-muted; }
    ColumnPicker > .column-picker--error { color: $error; }
    """

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, key: ColumnKey | None) -> None:
            super().__init__()
            self.key = key

    class Request(Message):
        """A key asked for something the step handles: toggle, role, alias, samples."""

        def __init__(self, key: ColumnKey, what: str) -> None:
            super().__init__()
            self.key = key
            self.what = what

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.rows: list[tuple[str, Any]] = []  # ("header", table) | ("column", key)
        self.suggested: dict[ColumnKey, str] = {}
        self.errors: set[ColumnKey] = set()
        # Row indices of the columns, in order: moving the cursor never scans the rows.
        self._column_rows_cache: list[int] = []
        # Per table: (the draft's column list, its rows, its lower-case labels).
        self._rows_of: dict[str, tuple[list[Any], list[tuple[str, Any]], list[str]]] = {}

    # -- data ---------------------------------------------------------------------

    def set_rows(self, tables: Sequence[str], keep: ColumnKey | None = None) -> None:
        keep = keep or self.current
        rows: list[tuple[str, Any]] = []
        needle = self.search_text.lower()  # what the column labels must contain ("" shows all)
        for table in tables:
            rows.append(("header", table))
            cols = self.draft.columns_of(table)
            if not cols:
                rows.append(("loading", table))
                continue
            column_rows, labels = self._table_rows(table, cols)
            if needle:
                shown = [row for row, label in zip(column_rows, labels, strict=True) if needle in label]
                rows += shown or [("nomatch", table)]
            else:
                rows += column_rows
        self.rows = rows
        self._column_rows_cache = [i for i, r in enumerate(rows) if r[0] == "column"]
        self.virtual_size = Size(self.size.width, len(rows))
        index = next((i for i in self._column_rows_cache if rows[i][1] == keep), None) if keep else None
        if index is None:
            index = self._column_rows_cache[0] if self._column_rows_cache else 0
        self.set_reactive(ColumnPicker.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))
        if needle or self.searching:
            self._search_changed()  # columns that loaded under a search change its count

    def seed_rows(self, table: str, cols: list[Any], rows: list[tuple[str, Any]], labels: list[str]) -> None:
        """Rows and labels made in the schema worker for exactly these columns (skipped if they differ)."""
        if len(cols) == len(rows) == len(labels):
            self._rows_of[table] = (cols, rows, labels)

    def _table_rows(self, table: str, cols: list[Any]) -> tuple[list[tuple[str, Any]], list[str]]:
        """A table's column rows and lower-case labels, made once per column list (search keys reuse them)."""
        known = self._rows_of.get(table)
        if known is None or known[0] is not cols:
            known = (cols, [("column", c.key) for c in cols], [c.label.lower() for c in cols])
            self._rows_of[table] = known
        return known[1], known[2]

    @property
    def current(self) -> ColumnKey | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor][0] == "column":
            return self.rows[self.cursor][1]  # type: ignore[no-any-return]
        return None

    # -- rendering ----------------------------------------------------------------

    def _header_text(self, table: str) -> str:
        cols = self.draft.columns_of(table)
        # The selected columns are the draft's order: count those, not every column.
        chosen = len({key for key in self.draft.order if key[0] == table and self.draft.columns[key].selected})
        kind = "primary" if table == self.draft.primary else "joined"
        return f"▾ {table}  ({kind}, {chosen} of {len(cols)} selected)"

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = y + int(self.scroll_offset.y)
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        kind, value = self.rows[index]
        if kind == "header":
            header = base + self.get_component_rich_style("column-picker--header")
            return Strip([Segment(fit(self._header_text(value), width), header)]).crop(0, width)
        if kind in ("loading", "nomatch"):
            hint = base + self.get_component_rich_style("column-picker--hint")
            text = "   loading columns…" if kind == "loading" else f"   no column contains {self.search_text!r}"
            return Strip([Segment(fit(text, width), hint)]).crop(0, width)
        col = self.draft.columns[value]
        # Component styles carry the widget's background: the cursor's goes
        # on last, or the first component style would paint over it.
        cursor = self.get_component_rich_style("column-picker--cursor") if index == self.cursor else Style()

        def style(*components: str) -> Style:
            result = base
            for component in components:
                result += self.get_component_rich_style(component)
            return result + cursor

        row_style = style()
        # A STRUCT or repeated record is a branch of the tree: its fields are chosen.
        mark = " ▸ " if col.container else "[x]" if col.selected else "[ ]"
        error = "!" if value in self.errors else " "
        name_width = max(width - 3 - 1 - 1 - TYPE_WIDTH - 1 - ROLE_WIDTH, 8)
        name = _tree_label(col)
        if col.alias:
            name += f" → {col.alias}"
        type_text = _type_label(col)
        if col.role:
            role_text, role_style = col.role, "column-picker--role"
        elif value in self.suggested:
            role_text, role_style = f"{self.suggested[value]}?", "column-picker--hint"
        else:
            role_text, role_style = "", "column-picker--hint"
        name_style = style("column-picker--selected") if col.selected else row_style
        segments = [
            Segment(mark, name_style),
            Segment(error, style("column-picker--error")),
            Segment(" " + fit(name, name_width), name_style),
            Segment(" " + fit(type_text, TYPE_WIDTH), style("column-picker--hint")),
            Segment(" " + fit(role_text, ROLE_WIDTH), style(role_style)),
        ]
        return Strip(segments).crop(0, width).extend_cell_length(width, row_style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
        # A problem text growing under the list makes it shorter: keep the
        # row the problem is about (the cursor) in view.
        self.call_after_refresh(self._scroll_to_cursor)

    # -- cursor ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height, 1)
        top = int(self.scroll_offset.y)
        # Keep the table's header in view when the cursor is on its first column.
        want_top = self.cursor - 1 if self.cursor > 0 and self.rows[self.cursor - 1][0] == "header" else self.cursor
        if want_top < top:
            self.scroll_to(y=want_top, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def _column_rows(self) -> list[int]:
        return self._column_rows_cache

    def _move(self, step: int) -> None:
        import bisect

        columns = self._column_rows()
        if not columns:
            return
        if step > 0:
            after = bisect.bisect_right(columns, self.cursor)  # the first column below the cursor
            target = columns[min(after + step - 1, len(columns) - 1)]
        else:
            before = bisect.bisect_left(columns, self.cursor)  # columns above the cursor
            target = columns[max(before + step, 0)]
        self.cursor = target

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(self.size.height - 2, 1))

    def action_page_down(self) -> None:
        self._move(max(self.size.height - 2, 1))

    def action_first(self) -> None:
        columns = self._column_rows()
        if columns:
            self.cursor = columns[0]

    def action_last(self) -> None:
        columns = self._column_rows()
        if columns:
            self.cursor = columns[-1]

    def _request(self, what: str) -> None:
        if self.current is not None:
            self.post_message(self.Request(self.current, what))

    def action_toggle_column(self) -> None:
        self._request("toggle")

    def action_role(self) -> None:
        self._request("role")

    def action_alias(self) -> None:
        self._request("alias")

    def action_samples(self) -> None:
        self._request("samples")

    def action_unit(self) -> None:
        self._request("unit")

    def apply_search(self) -> None:
        self.set_rows(self.draft.tables)

    @property
    def column_count(self) -> int:
        return len(self._column_rows_cache)

    def on_click(self, event: events.Click) -> None:
        index = event.y + int(self.scroll_offset.y)
        if 0 <= index < len(self.rows) and self.rows[index][0] == "column":
            self.cursor = index


UNIT_MARKS = {"seconds": "s", "millis": "ms", "micros": "µs"}


def _tree_label(col: Any) -> str:
    """The column as a tree shows it: an element field or a key indented under its array."""
    if col.param_key:
        return f"  ↳ {col.param_key}"
    if col.unnest:
        return f"  ↳ {col.name.removeprefix(col.unnest + '.')}"
    return str(col.name)


def _type_label(col: Any) -> str:
    """`INT64→µs` for an epoch, the value type of a key, REPEATED for a repeated record, else the base type."""
    from dataset_tui.tui.wizard.draft_parts import PARAM_VALUES, is_key_value

    kind = col.type or ""
    if col.param_key:
        return PARAM_VALUES.get(col.param_value or "", "")
    if col.unit:
        return f"INT64→{UNIT_MARKS[col.unit]}"
    if col.container and kind.upper().startswith("ARRAY"):
        return "KEY/VALUE" if is_key_value(kind) else "REPEATED"
    return kind.split("<", 1)[0]

"""What the Line-API lists (the dataset list, the wizard's table list and column picker) share."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

# Cursor keys of a list that draws its own rows; HeaderedRows implements the actions
# (the column picker, whose cursor skips table headers, its own).
CURSOR_BINDINGS = [
    Binding("up", "cursor_up", "Up", show=False),
    Binding("down", "cursor_down", "Down", show=False),
    Binding("pageup", "page_up", "Page up", show=False),
    Binding("pagedown", "page_down", "Page down", show=False),
    Binding("home", "first", "First", show=False),
    Binding("end", "last", "Last", show=False),
]


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: cut with an ellipsis, or padded (right-aligned if asked)."""
    if width <= 0:
        return ""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.rjust(width) if right else text.ljust(width)


class HeaderedRows(ScrollView):
    """A list that draws its own rows under one header line that stays put: the cursor's rules.

    Row i is drawn at screen line i + 1 - scroll_y. A subclass says how many rows it
    has (`row_count`), draws them (`render_line`), and binds CURSOR_BINDINGS. Textual
    calls the `on_…` handlers of every class in the MRO, so a subclass's own `on_resize`
    runs besides this one; to change what a click does, override `click_row`.
    """

    cursor: reactive[int] = reactive(0)

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def reset_rows(self, index: int) -> None:
        """After the rows changed: size the scroll area, put the cursor on row `index` (clamped) in view."""
        count = self.row_count
        self.virtual_size = Size(self.size.width, count + 1)
        self.set_reactive(HeaderedRows.cursor, min(index, max(count - 1, 0)))
        self._scroll_to_cursor()
        self.refresh()

    def row_at(self, y: int) -> int:
        """The row drawn at screen line `y` (line 0 is the header: -1 + scroll_y there)."""
        return y - 1 + int(self.scroll_offset.y)

    def header_strip(self, text: str, component: str) -> Strip:
        return Strip([Segment(fit(text, self.size.width), self.get_component_rich_style(component))]).crop(
            0, self.size.width
        )

    def blank_strip(self, style: Style) -> Strip:
        return Strip.blank(self.size.width, style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.row_count + 1)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    @property
    def _page(self) -> int:
        return max(self.size.height - 2, 1)

    def _move(self, to: int) -> None:
        if self.row_count:
            self.cursor = max(0, min(to, self.row_count - 1))

    def move_cursor(self, *, row: int) -> None:
        self._move(row)

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
        self._move(self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.click_row(self.row_at(event.y), event.chain)

    def click_row(self, row: int, chain: int) -> None:
        """A click on row `row` (`chain` 2 for a double click); a subclass may do more than move there."""
        self._move(row)

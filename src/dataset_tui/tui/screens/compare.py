"""Compare: 2–5 datasets side by side, the fields that differ highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from dataset_tui.tui.context import app_context
from dataset_tui.tui.summaries import plural
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.compare import Comparison

DIFFERS = "bold yellow"
# The field names' column; the datasets share the rest of the width equally,
# and long cells (outputs, tables) wrap inside their column instead of pushing
# the next dataset off the screen.
FIELD_WIDTH = 20
MIN_DATASET_WIDTH = 10
CELL_PADDING = 2  # DataTable's cell padding, one column each side


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class CompareScreen(Screen[None]):
    """Compare datasets"""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "only_differences", "Only differences"),
    ]
    DEFAULT_CSS = """
    CompareScreen #legend { margin: 0 1; color: $text-muted; }
    CompareScreen DataTable { height: 1fr; }
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names
        self.data: Comparison | None = None
        self.only_differences = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("loading…", id="legend")
        yield DataTable(id="compare", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "compare · " + ", ".join(self.names)
        self._load()

    @warehouse_work("compare", group="compare")
    def _load(self) -> None:
        from dataset_tui.services import compare

        self.post_message(self.Loaded(compare.compare(app_context(self), self.names)))

    class Loaded(Message):
        def __init__(self, data: Comparison) -> None:
            super().__init__()
            self.data = data

    def on_compare_screen_loaded(self, message: Loaded) -> None:
        self._show(message.data)

    def _rows(self, data: Comparison) -> list[tuple[str, list[Any], bool]]:
        badges: list[Any] = [d.badge for d in data.datasets]
        rows = [("status", badges, len(set(badges)) > 1)]
        for field in data.fields:
            rows.append((field, [d.fields.value(field) for d in data.datasets], field in data.differs))
        for field in data.analysis_fields:
            values = [d.analysis_value(field) for d in data.datasets]
            rows.append((f"analysis: {field}", values, f"analysis.{field}" in data.differs))
        return rows

    def _widths(self, count: int) -> tuple[int, int]:
        """(field column, each dataset column), content widths that fit the screen."""
        room = self.size.width or self.app.size.width
        field = min(FIELD_WIDTH, max(12, room // (count + 1)))
        # one cell padding per column, and a scrollbar's worth of slack
        share = (room - field - CELL_PADDING * (count + 1) - 2) // count
        return field, max(MIN_DATASET_WIDTH, share)

    def on_resize(self) -> None:
        if self.data is not None:
            self._show(self.data)

    def _show(self, data: Comparison) -> None:
        self.data = data
        table = self.query_one("#compare", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        field_width, width = self._widths(len(data.datasets))
        table.add_column("field", width=field_width)
        headers = []
        for d in data.datasets:
            stale = " (stale analysis)" if d.analysis and d.analysis.stale else ""
            headers.append(f"{d.name} v{d.version}{stale}")
        # Names are what tell the columns apart: fold them onto a second line, not cut.
        table.header_height = 1 if all(len(h) <= width for h in headers) else 2
        for header in headers:
            table.add_column(Text(header, overflow="fold"), width=width)
        for field, values, differs in self._rows(data):
            if self.only_differences and not differs:
                continue
            style = DIFFERS if differs else ""
            table.add_row(
                Text(field, style=style, overflow="fold"),
                *(Text(_value(v), style=style, overflow="fold") for v in values),
                height=None,  # as many lines as the longest cell wraps to
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        count = len(data.differs)
        self.query_one("#legend", Label).update(
            f"{plural(count, 'field')} differ{'s' if count == 1 else ''}, highlighted · o: show only differences"
            + (" (on)" if self.only_differences else "")
        )
        table.focus()

    def action_only_differences(self) -> None:
        self.only_differences = not self.only_differences
        if self.data is not None:
            self._show(self.data)

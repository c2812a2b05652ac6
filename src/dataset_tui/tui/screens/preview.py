"""Preview rows of a dataset, column headers annotated with their ML roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from dataset_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from dataset_tui.services.runs import Preview


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return str(value)


class PreviewScreen(Screen[None]):
    """Preview"""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    DEFAULT_CSS = """
    PreviewScreen #caption { margin: 0 1; color: $text-muted; }
    PreviewScreen DataTable { height: 1fr; }
    """

    def __init__(self, name: str, result: Preview) -> None:
        super().__init__()
        self.dataset_name = name
        self.result = result

    def compose(self) -> ComposeResult:
        yield Header()
        more = " (more rows exist)" if self.result.truncated else ""
        when = "" if self.result.live else f" as of {self.result.as_of.isoformat()}"
        yield Label(
            f"{self.dataset_name} v{self.result.version}{when}: first {len(self.result.rows)} rows{more}"
            " · ● ML role column",
            id="caption",
        )
        yield DataTable(id="rows", zebra_stripes=True, cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"preview · {self.dataset_name}"
        table = self.query_one("#rows", DataTable)
        # A preview is capped (100 rows), so the stock DataTable is fine here.
        for column in self.result.columns:
            # Role columns are marked; the role is named when the output name hides it.
            name, role = column.name, column.role
            label = name if role is None else f"● {name}" if name == role else f"● {name} ({role})"
            table.add_column(label)
        table.add_rows([[_cell(v) for v in row] for row in self.result.rows])
        table.focus()

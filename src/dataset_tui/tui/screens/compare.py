"""Compare: 2–5 datasets side by side, the fields that differ highlighted."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.work import warehouse_work

DIFFERS = "bold yellow"


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
        self.data: dict[str, Any] | None = None
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
        from dataset_tui.services import warehouse_ops

        data = warehouse_ops.compare(self.app.ctx, self.names)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, data)

    def _rows(self, data: dict[str, Any]) -> list[tuple[str, list[Any], bool]]:
        badges = [d["badge"] for d in data["datasets"]]
        rows = [("status", badges, len(set(badges)) > 1)]
        for field in data["fields"]:
            rows.append((field, [d["fields"][field] for d in data["datasets"]], field in data["differs"]))
        for field in data["analysis_fields"]:
            values = [(d["analysis"] or {}).get(field) for d in data["datasets"]]
            rows.append((f"analysis: {field}", values, f"analysis.{field}" in data["differs"]))
        return rows

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        table = self.query_one("#compare", DataTable)
        table.clear(columns=True)
        table.add_column("field")
        for d in data["datasets"]:
            stale = " (stale analysis)" if d["analysis"] and d["analysis"]["stale"] else ""
            table.add_column(f"{d['name']} v{d['version']}{stale}")
        for field, values, differs in self._rows(data):
            if self.only_differences and not differs:
                continue
            style = DIFFERS if differs else ""
            table.add_row(Text(field, style=style), *(Text(_value(v), style=style) for v in values))
        count = len(data["differs"])
        self.query_one("#legend", Label).update(
            f"{count} field(s) differ, highlighted · o: show only differences"
            + (" (on)" if self.only_differences else "")
        )
        table.focus()

    def action_only_differences(self) -> None:
        self.only_differences = not self.only_differences
        if self.data is not None:
            self._show(self.data)

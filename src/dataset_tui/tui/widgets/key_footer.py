"""KeyFooter: the stock Footer, wrapped onto a second line when the keys do not fit.

At 80 columns a screen with a dozen keys would lose half of them off the
right edge of a one-line footer; DESIGN asks for every binding to be shown.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

# The command-palette hint docked at the right edge, plus its border.
PALETTE_WIDTH = 12


class KeyFooter(Footer):
    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        grid-rows: 1;
        grid-gutter: 0 1;
        height: auto;
        max-height: 3;
    }
    /* A grid cell is as wide as its widget's content, so a margin would eat
       into the text; the gutter spaces the columns instead. */
    KeyFooter.-compact FooterKey { margin: 0; }
    """

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self._fit()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _item_widths(self) -> list[int]:
        seen: set[str] = set()
        widths = []
        for _, binding, _, _ in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            # compact FooterKey: key, space, description; then the gutter
            widths.append(len(self.app.get_key_display(binding)) + len(binding.description) + 2)
        return widths

    def _fit(self) -> None:
        """As many grid columns as fit the width; the rest of the keys wrap to the next row."""
        widths = self._item_widths()
        if not widths:
            return
        room = max(self.app.size.width - PALETTE_WIDTH, 20)
        columns = len(widths)
        while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) > room:
            columns -= 1
        self.styles.grid_size_columns = columns

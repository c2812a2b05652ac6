"""KeyFooter: the stock Footer, wrapped onto a second line when the keys do not fit.

At 80 columns a screen with a dozen keys would lose half of them off the
right edge of a one-line footer; DESIGN asks for every binding to be shown.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
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
        self._recompose_pending = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        # The stock footer rebuilds all its keys after every change of the
        # screen's bindings; while a screen opens they change many times
        # (mount, focus, each reactive) and the rebuilds cost the home list
        # ~0.15 s before its first picture. One rebuild per refresh, with the
        # bindings as they are then, shows the same keys.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        await self.recompose()

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

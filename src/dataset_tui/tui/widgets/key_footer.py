"""KeyFooter: the stock Footer, wrapped onto a second line when the keys do not fit.

At 80 columns a screen with a dozen keys would lose half of them off the
right edge of a one-line footer; DESIGN asks for every binding to be shown.
"""

from __future__ import annotations

from typing import Any

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
        # What the keys on show were composed from, and whether a re-compose is already queued.
        self._composed: tuple[Any, ...] | None = None
        self._recompose_queued = False

    def compose(self) -> ComposeResult:
        self._composed = self._shown()
        yield from super().compose()
        self._fit()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # The stock footer re-composes (removes and mounts a widget per key) on
        # every focus change, even when the keys shown stay the same: a wizard
        # step change moved focus 3-4 times and paid for as many re-composes
        # (half of its event-loop time; bench/startup.py). Re-compose once per
        # refresh, and only when what is shown differs.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_queued:
            self._recompose_queued = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_queued = False
        if self.is_attached and self._shown() != self._composed:
            await self.recompose()

    def _shown(self) -> tuple[Any, ...]:
        """Everything the stock compose reads: the shown keys, their state and the palette key."""
        if not self._bindings_ready:
            return ()
        return tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
        )

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

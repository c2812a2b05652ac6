"""KeyFooter: the screen's keys, drawn by one widget, wrapped onto more lines when they do not fit.

At 80 columns a screen with a dozen keys would lose half of them off the
right edge of a one-line footer; DESIGN asks for every binding to be shown.

Textual's stock Footer is a container of one widget per key and re-composes
(removes and mounts them all) whenever the screen's bindings change: every
focus change, so every wizard step change. That mount, and the screen
layout it forces right after the step's own, was half of a step change's
event-loop time (bench/startup.py wizard). This footer draws the same
picture (key, description, the command-palette key at the right edge) as
lines of text: when the keys change it repaints its own lines, and asks the
screen for a layout only when the number of lines changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

GUTTER = 1  # spaces between two columns of keys
PALETTE_MARK = "▏"  # the stock footer's border left of the palette key


@dataclass(frozen=True)
class ShownKey:
    """One key as the footer shows it."""

    key: str  # what a click sends (the binding's first key)
    display: str  # "^n", "esc"
    description: str
    enabled: bool

    @property
    def width(self) -> int:
        return len(self.display) + (1 + len(self.description) if self.description else 0)


@dataclass(frozen=True)
class Placed:
    """Where a key is drawn: its line and first and last-plus-one cell."""

    line: int
    start: int
    end: int
    item: ShownKey


def grid_columns(widths: list[int], room: int) -> int:
    """As many columns as fit `room`, each as wide as its widest key; the rest wraps to the next line."""
    columns = len(widths)
    while columns > 1 and sum(max(widths[c::columns]) for c in range(columns)) + GUTTER * (columns - 1) > room:
        columns -= 1
    return max(columns, 1)


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--palette-mark"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: auto;
        max-height: 3;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .footer-key--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .footer-key--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .footer-key--palette-mark { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._placed: list[Placed] = []
        self._lines = 1
        self._strips: list[Strip] | None = None  # the lines as drawn, until the keys, width or style change

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._read_bindings()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Called on every focus change, mostly with the same keys: repaint only when they differ.
        if not self.is_attached or screen is not self.screen:
            return
        if getattr(screen, "focus_parked", False):
            # The screen took focus away for a moment (the wizard, while the keys typed
            # before ctrl+n are handled): the keys of no-focus would change the footer's
            # line count twice, each time a layout of the whole screen. The screen
            # refreshes its bindings once focus is back.
            return
        self._read_bindings()

    def _read_bindings(self) -> None:
        keys: list[ShownKey] = []
        palette = None
        seen: set[str] = set()
        app = self.app
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if binding.key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)  # several keys for one action: the first one stands for them
            keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled))
        if (tuple(keys), palette) == (self._keys, self._palette):
            return
        self._keys, self._palette = tuple(keys), palette
        self._place()

    def on_resize(self, event: events.Resize) -> None:
        self._place()

    def _place(self) -> None:
        """Lay the keys out in a grid for the current width; a layout only when the line count changes."""
        width = self.size.width or self.app.size.width
        palette_width = (len(PALETTE_MARK) + self._palette.width) if self._palette else 0
        # Room for the grid: the width less the palette key and a gutter each side of it.
        room = max(width - palette_width - 2 * GUTTER, 20)
        widths = [item.width for item in self._keys]
        placed: list[Placed] = []
        if widths:
            columns = grid_columns(widths, room)
            column_widths = [max(widths[c::columns]) for c in range(columns)]
            for index, item in enumerate(self._keys):
                line, column = divmod(index, columns)
                start = sum(column_widths[:column]) + GUTTER * column
                placed.append(Placed(line, start, start + item.width, item))
        if self._palette is not None:
            end = max(width, palette_width)
            placed.append(Placed(0, end - self._palette.width, end, self._palette))
        lines = max((p.line for p in placed), default=0) + 1
        self._placed = placed
        self._strips = None
        layout = lines != self._lines
        self._lines = lines
        self.refresh(layout=layout)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return self._lines

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None  # the theme or the CSS changed: draw the lines again

    def render_line(self, y: int) -> Strip:
        # Lines drawn once per change of keys, width or style: the screen asks for
        # them at every repaint of the footer's region (each step change).
        if self._strips is None or len(self._strips) != self._lines or self._strips[0].cell_length != self.size.width:
            self._strips = self._draw()
        return self._strips[y] if y < len(self._strips) else Strip.blank(self.size.width, self.rich_style)

    def _draw(self) -> list[Strip]:
        base = self.rich_style
        key_style = base + self.get_component_rich_style("footer-key--key")
        description_style = base + self.get_component_rich_style("footer-key--description")
        mark_style = base + self.get_component_rich_style("footer-key--palette-mark")
        dim = Style(dim=True)
        rows: list[list[Segment]] = [[] for _ in range(self._lines)]
        ends = [0] * self._lines
        for place in self._placed:
            row, item = rows[place.line], place.item
            start = place.start - (len(PALETTE_MARK) if item is self._palette else 0)
            if start > ends[place.line]:
                row.append(Segment(" " * (start - ends[place.line]), base))
            if item is self._palette:
                row.append(Segment(PALETTE_MARK, mark_style))
            extra = dim if not item.enabled else None
            row.append(Segment(item.display, key_style + extra))
            if item.description:
                row.append(Segment(" " + item.description, description_style + extra))
            ends[place.line] = place.end
        width = self.size.width
        return [Strip(row).extend_cell_length(width, base).crop(0, width) for row in rows]

    def key_at(self, x: int, y: int) -> ShownKey | None:
        """The key drawn at cell (x, y) of the footer, if any."""
        for place in self._placed:
            if place.line == y and place.start <= x < place.end:
                return place.item
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        # As the stock footer: a click on a key presses it; a disabled key rings the bell.
        item = self.key_at(event.x, event.y)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

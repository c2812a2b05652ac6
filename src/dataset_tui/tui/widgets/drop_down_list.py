"""The options of an open `DropDown`: a list over the screen, mounted only while open.

Keys as in Textual's `Select` list: up, down, home, end, page up and down move,
enter picks, escape (or leaving the list) closes, and typed letters jump to
the first option whose prompt has them earliest.
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList

SEARCH_RESET_S = 0.7  # typed letters after this long start a new search (as Select's)


class DropDownList(OptionList):
    """The open drop-down's options; `Picked` or `Dismissed` tells the drop-down what happened."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Dismiss menu", show=False)]

    ALLOW_SELECT = False

    class Picked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Dismissed(Message):
        def __init__(self, *, lost_focus: bool) -> None:
            super().__init__()
            self.lost_focus = lost_focus

    def __init__(self, prompts: list[str], *, highlighted: int) -> None:
        super().__init__(*prompts, compact=True, markup=False)
        self._first_highlight = highlighted
        self._search = ""
        self._last_typed = 0.0

    def on_mount(self) -> None:
        self.highlighted = self._first_highlight
        self.scroll_to_highlight()

    def action_dismiss(self) -> None:
        self.post_message(self.Dismissed(lost_focus=False))

    def _on_blur(self, event: events.Blur) -> None:
        self.post_message(self.Dismissed(lost_focus=True))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Picked(event.option_index))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable()

    async def _on_key(self, event: events.Key) -> None:
        if event.character is None or not event.is_printable:
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        self._search = (self._search if now - self._last_typed < SEARCH_RESET_S else "") + event.character
        self._last_typed = now
        found = self._first_match(self._search.lower())
        if found is not None:
            self.highlighted = found
            self.scroll_to_highlight()

    def _first_match(self, query: str) -> int | None:
        """The option whose prompt has `query` earliest (the first such option on a tie)."""
        best: tuple[int, int] | None = None
        for index in range(self.option_count):
            at = str(self.get_option_at_index(index).prompt).lower().find(query)
            if at != -1 and (best is None or at < best[0]):
                best = (at, index)
        return None if best is None else best[1]

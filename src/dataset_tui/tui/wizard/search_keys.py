"""Search typed into a list itself: `/` starts it, letters narrow, backspace widens, enter ends (escape clears).

The list keeps the focus while the user searches, so every key is applied in
the list's own queue in the order it was typed: a burst like `/t0389⏎↓⏎`
(tmux, SSH, a fast typist) filters, ends the search, moves and picks, never
racing a focus change to a separate input field.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from textual import events
from textual.message import Message
from textual.widget import Widget


class SearchKeys:
    """Mixin for a Line-API list: implement `apply_search()` to filter its rows by `search_text`."""

    search_text: str = ""
    searching: bool = False

    class SearchChanged(Message):
        """The search text or its state changed (for the step to show it)."""

        def __init__(self, text: str, searching: bool) -> None:
            super().__init__()
            self.text = text
            self.searching = searching

    def apply_search(self) -> None:
        raise NotImplementedError

    def action_search(self) -> None:
        self.searching = True
        self._search_changed()

    def clear_search(self) -> None:
        self.search_text, self.searching = "", False
        self.apply_search()
        self._search_changed()

    def _search_changed(self) -> None:
        assert isinstance(self, Widget)
        self.post_message(SearchKeys.SearchChanged(self.search_text, self.searching))

    async def _on_key(self, event: events.Key) -> None:
        if self.searching:
            if event.key in ("enter", "tab"):
                self.searching = False
            elif event.key == "backspace":
                if self.search_text:
                    self.search_text = self.search_text[:-1]
                else:
                    self.searching = False
            elif event.is_printable and event.character:
                self.search_text += event.character
            else:
                await super()._on_key(event)  # type: ignore[misc]
                return
            event.stop()
            event.prevent_default()
            self.apply_search()
            self._search_changed()
            return
        await super()._on_key(event)  # type: ignore[misc]


def show_search(line: Any, event: SearchKeys.SearchChanged, matches: int, what: str) -> None:
    """The search line under a list: what is typed (with a cursor while typing) and how many match."""
    line.set_class(bool(event.searching or event.text), "-shown")
    cursor = "▏" if event.searching else ""
    ending = "enter: done · esc: clear" if event.searching else "/: search again"
    noun = what.removesuffix("s") if matches == 1 else what  # "tables" → "1 table"
    line.update(f"/{escape(event.text)}{cursor}  [dim]{matches:,} {noun} · {ending}[/dim]")

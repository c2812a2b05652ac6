"""`?`: every key of the screen underneath, grouped, plus the global ones."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from dataset_tui.tui.quitting import QUIT_BINDING
from dataset_tui.tui.screens.confirm import MODAL_CSS

GLOBAL_KEYS = [
    ("?", "this help"),
    ("ctrl+p", "command palette: every action, switch model or profile, open a dataset"),
    ("q", "quit (in a text box it types q); asks first if work is unsaved"),
    ("ctrl+q", "quit from anywhere; asks first if work is unsaved"),
    ("ctrl+c", "copy in a text box; elsewhere it says how to quit"),
]


def _key_label(key: str) -> str:
    return {"space": "space", "escape": "esc", "enter": "enter", "slash": "/", "question_mark": "?"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = (
        "HelpScreen { align: center middle; }\n"
        + MODAL_CSS
        + "\nHelpScreen .modal-box { width: 72; max-height: 90%; }"
    )
    BINDINGS = [Binding("escape,question_mark", "dismiss", "Close"), QUIT_BINDING]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        doc = self.for_screen.__class__.__doc__
        lines = [f"[b]{doc.splitlines()[0] if doc else 'Keys'}[/b]", ""]
        seen = set()
        for binding in self._bindings_of(self.for_screen):
            keys = ", ".join(_key_label(k.strip()) for k in binding.key.split(","))
            if binding.description and keys not in seen:
                seen.add(keys)
                lines.append(f"  [b]{keys:<12}[/b] {binding.description}")
        lines += ["", "[b]Everywhere[/b]", ""]
        lines += [f"  [b]{k:<12}[/b] {d}" for k, d in GLOBAL_KEYS]
        with VerticalScroll(classes="modal-box"):
            yield Static("\n".join(lines))

    @staticmethod
    def _bindings_of(screen: Screen[Any]) -> list[Binding]:
        """Our bindings of the focused widget (and its containers) and of the screen.

        Textual's own (tab to move focus, ctrl+c to copy) work everywhere and
        would only crowd the list.
        """
        nodes: list[DOMNode] = []
        node: DOMNode | None = screen.focused
        while node is not None and node is not screen:
            nodes.append(node)
            node = node.parent
        nodes.append(screen)
        out: list[Binding] = []
        for node in nodes:
            for cls in reversed(type(node).__mro__):
                if not cls.__module__.startswith("dataset_tui"):
                    continue
                for b in cls.__dict__.get("BINDINGS", []):
                    out.append(b if isinstance(b, Binding) else Binding(*b))
        return out

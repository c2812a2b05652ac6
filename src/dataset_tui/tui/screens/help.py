"""`?`: every key of the screen underneath, grouped, plus the global ones."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from dataset_tui.tui.screens.confirm import MODAL_CSS

GLOBAL_KEYS = [
    ("?", "this help"),
    ("ctrl+p", "command palette: every action, switch model or profile, open a dataset"),
    ("q / ctrl+q", "quit"),
]


def _key_label(key: str) -> str:
    return {"space": "space", "escape": "esc", "enter": "enter", "slash": "/", "question_mark": "?"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = (
        "HelpScreen { align: center middle; }\n"
        + MODAL_CSS
        + "\nHelpScreen .modal-box { width: 72; max-height: 90%; }"
    )
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        lines = [f"[b]{self.for_screen.__class__.__doc__.splitlines()[0] if self.for_screen.__class__.__doc__ else 'Keys'}[/b]", ""]
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
    def _bindings_of(screen: Screen) -> list[Binding]:
        out: list[Binding] = []
        for cls in reversed(type(screen).__mro__):
            for b in getattr(cls, "BINDINGS", []) if "BINDINGS" in cls.__dict__ else []:
                out.append(b if isinstance(b, Binding) else Binding(*b))
        return out

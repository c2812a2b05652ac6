"""One quit rule for every screen.

`q` (when no text box has focus, where it types a q) and `ctrl+q` quit from
every screen; both ask first when a screen on the stack says it holds
unsaved work; `ctrl+c` says the same thing everywhere. A screen takes part by
defining `has_unsaved_changes()`: the protocol below, not an attribute probe.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.binding import Binding

QUIT_HINT = "Press q (when no text box has focus) or ctrl+q to quit."

# A modal screen stops the app's own (non-priority) bindings, so every dialog
# lists this one too: q means the same in a dialog as on the screen below.
QUIT_BINDING = Binding("q", "app.request_quit", "Quit", show=False)


@runtime_checkable
class HoldsUnsavedWork(Protocol):
    """A screen that may hold work not yet saved (the wizard)."""

    def has_unsaved_changes(self) -> bool: ...


def unsaved(screens: list[object]) -> list[object]:
    """The screens (top first) that say they hold unsaved work."""
    return [s for s in reversed(screens) if isinstance(s, HoldsUnsavedWork) and s.has_unsaved_changes()]

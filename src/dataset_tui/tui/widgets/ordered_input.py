"""Input and TextArea that apply every key in the order it was typed.

Textual handles a printable key inside the focused field at once, but a key
bound by the field itself (backspace, ctrl+u, end, arrows…) first bubbles up
to the app, which then runs the field's action. When keys arrive in a burst
(tmux `send-keys`, SSH, a paste of keystrokes) the characters typed after a
bound key are inserted before its action runs: `ctrl+u 7 4` leaves an empty
field, `end backspace backspace 7 5` deletes the 75 just typed (Textual issue
6605). These fields run their own non-priority bindings inline, so the edit
happens in the field's own queue, in typing order. Priority bindings were
already checked by the app before the key reached the field, and keys the
field does not bind still bubble as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def run_own_binding(widget: DOMNode, event: events.Key) -> bool:
    """Run `widget`'s own (non-priority) binding for the key now; True when one ran."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue
        if await event_app(widget).run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


def event_app(node: DOMNode) -> App[Any]:
    return node.app


# A mixin placed before a Widget class: the checker sees it as the Widget it will
# be mixed into (so `super()._on_key` and `self.ancestors` are typed); at run time
# it adds no base of its own, so the MRO stays that of the widget it joins.
if TYPE_CHECKING:
    _MixedIntoWidget = Widget
else:
    _MixedIntoWidget = object


class OrderedKeys(_MixedIntoWidget):
    """For a focusable widget whose keys are all bindings (a list, a picker): resolve the
    key's binding inline, from this widget up to the app as the app itself would, so it is
    applied in typing order with the keys around it."""

    async def _on_key(self, event: events.Key) -> None:
        # The app's own non-priority lookup (this widget, its ancestors, the
        # screen, the app), run here instead of after the key bubbled up.
        for node in (self, *self.ancestors):
            if await run_own_binding(node, event):
                return
        await super()._on_key(event)


class OrderedInput(Input):
    """An Input whose editing keys cannot be overtaken by the characters typed after them."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and await run_own_binding(self, event):
            self._restart_blink()
            return
        await super()._on_key(event)


class OrderedTextArea(TextArea):
    """A TextArea whose editing keys cannot be overtaken by the characters typed after them."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and event.key not in ("enter", "tab") and await run_own_binding(self, event):
            return
        await super()._on_key(event)

"""TickBox: a Checkbox whose mark shows its state without colour.

Textual's Checkbox always draws `X` and tells on from off by colour alone,
so with NO_COLOR (or a colour-blind eye, or a monochrome terminal) every box
looks ticked. Here an unticked box is drawn empty.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox

TICKED = "X"
UNTICKED = " "


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        return super()._button

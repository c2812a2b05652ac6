"""One labelled field of the wizard's step 4: its label, its input, a hint, and its problem under it.

The row draws its label and hint itself, as the text of one widget, with the
input and the problem line as its only children. Built from a Vertical, a
Horizontal and two Labels instead, every row was four more widgets, and each
widget shown costs every layout and every paint: step 4's first showing
(about 100 widgets, laid out twice) was the wizard's longest event-loop stall.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from dataset_tui.tui.widgets.drop_down import DropDown

LABEL_WIDTH = 18  # the input starts here; the problem line is indented as far
INPUT_WIDTH = 14
SELECT_WIDTH = 30


class FieldRow(Widget):
    """`label`, then `field`, then `hint` on one line; the field's problem (hidden while empty) under them."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"field-row--hint"}

    DEFAULT_CSS = f"""
    FieldRow {{ height: auto; layout: vertical; }}
    FieldRow > Input {{ width: {INPUT_WIDTH}; margin-left: {LABEL_WIDTH}; }}
    FieldRow > DropDown {{ width: {SELECT_WIDTH}; margin-left: {LABEL_WIDTH}; }}
    FieldRow > .field-row--hint {{ color: $text-muted; }}
    FieldRow > .field-problem {{ color: $error; height: auto; padding-left: {LABEL_WIDTH}; display: none; }}
    FieldRow > .field-problem.-shown {{ display: block; }}
    """

    def __init__(self, label: str, field: Widget, field_id: str, *, sub: bool = False, hint: str = "") -> None:
        super().__init__(
            field,
            Static("", classes="field-problem", id=f"{field_id}-problem"),
            classes="field field-row",
            id=f"{field_id}-field",
        )
        self._label = ("  " if sub else "") + label
        self._hint = hint
        self._field_width = SELECT_WIDTH if isinstance(field, DropDown) else INPUT_WIDTH

    def render(self) -> Text:
        # The first line only: the field is drawn over the gap, the problem line below.
        text = Text(self._label.ljust(LABEL_WIDTH)[:LABEL_WIDTH] + " " * (self._field_width + 1), no_wrap=True, end="")
        if self._hint:
            text.append(self._hint, self.get_component_rich_style("field-row--hint"))
        return text

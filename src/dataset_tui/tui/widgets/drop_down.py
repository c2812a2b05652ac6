"""A compact drop-down that is one widget while closed.

Textual's `Select` is six widgets (the select, its current-value row, the
label, two arrows and the option list), each laid out, styled and painted
with its screen whether open or not: four of them were a quarter of the
wizard's filters step. This one draws its value and arrow as the text of one
widget and mounts its option list (`DropDownList`) only while open. It keeps
the compact `Select`'s keys (enter, space, up or down opens; the list's up,
down, home, end and typed letters choose; enter picks; escape closes) and its
looks, and posts `Changed` with `value` and `control` as `Select` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Console
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from dataset_tui.tui.widgets.drop_down_list import DropDownList

ARROW_WIDTH = 3  # " ▼ ": a space, the arrow, the space Select's padding leaves on the right

_WRAP_CONSOLE = Console(width=200, color_system=None, legacy_windows=False)  # only measures text


class DropDown(Widget, can_focus=True):
    """The current option's prompt and an arrow; enter opens the options under it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,down,space,up", "open", "Show menu", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"drop-down--arrow"}

    DEFAULT_CSS = """
    DropDown {
        width: 1fr;
        height: auto;
        color: $foreground;
        background: $surface;
        pointer: pointer;
        &:focus { background-tint: $foreground 5%; }
        & > .drop-down--arrow { color: $foreground 50%; }
        & > DropDownList {
            width: 1fr;
            height: auto;
            max-height: 12;
            overlay: screen;
            constrain: none inside;
            color: $foreground;
            background: $surface;
            border: none;
            padding: 0;
            &:focus { background-tint: $foreground 5%; }
            & > .option-list--option { padding: 0; }
        }
    }
    """

    class Changed(Message):
        """The chosen value changed (by the user, or set in code outside `prevent`)."""

        def __init__(self, drop_down: DropDown, value: str) -> None:
            super().__init__()
            self.drop_down = drop_down
            self.value = value

        @property
        def control(self) -> DropDown:
            return self.drop_down

    def __init__(
        self,
        options: Iterable[tuple[str, str]],
        *,
        value: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`options` are (prompt, value) pairs, at least one; `value` defaults to the first."""
        super().__init__(id=id, classes=classes)
        self._options = self._checked(options)
        self._value = self._options[0][1] if value is None else value
        self._check_value(self._value)
        self._list: DropDownList | None = None  # mounted while open

    @staticmethod
    def _checked(options: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        listed = list(options)
        if not listed:
            raise ValueError("a drop-down needs at least one option")
        return listed

    def _check_value(self, value: str) -> None:
        if all(v != value for _, v in self._options):
            raise ValueError(f"{value!r} is not one of the drop-down's options")

    # -- value and options -----------------------------------------------------------------

    @property
    def options(self) -> list[tuple[str, str]]:
        return list(self._options)

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, value: str) -> None:
        self._check_value(value)
        if value == self._value:
            return
        self._value = value
        # The prompt may wrap to another number of lines: the form re-lays out.
        self.refresh(layout=True)
        self.post_message(self.Changed(self, value))

    def set_options(self, options: Iterable[tuple[str, str]]) -> None:
        """New options; the value stays when still offered, else becomes the first option's."""
        self._options = self._checked(options)
        self.refresh(layout=True)
        if all(v != self._value for _, v in self._options):
            self.value = self._options[0][1]

    @property
    def prompt(self) -> str:
        return next(p for p, v in self._options if v == self._value)

    # -- drawing -------------------------------------------------------------------------------

    def _prompt_lines(self, width: int) -> list[Text]:
        # As Select's label (a Static beside the arrow) wraps a long prompt.
        return list(Text(self.prompt).wrap(_WRAP_CONSOLE, max(1, width - ARROW_WIDTH)))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(len(p) for p, _ in self._options) + ARROW_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Only the value's lines: the open list lies over the screen below them.
        return len(self._prompt_lines(width))

    def render(self) -> Text:
        width = self.content_size.width
        lines = self._prompt_lines(width)
        arrow = self.get_component_rich_style("drop-down--arrow")
        text = Text(no_wrap=True, end="")
        for number, line in enumerate(lines):
            if number:
                text.append("\n")
            line.truncate(width - ARROW_WIDTH, pad=True)
            text.append_text(line)
            mark = " " if number else ("▲" if self.expanded else "▼")  # the arrow on the first line only
            text.append(f" {mark} ", arrow)
        return text

    # -- opening and closing ---------------------------------------------------------------

    @property
    def expanded(self) -> bool:
        return self._list is not None

    def action_open(self) -> None:
        if self._list is not None:
            return
        index = next(i for i, (_, v) in enumerate(self._options) if v == self._value)
        options = DropDownList([prompt for prompt, _ in self._options], highlighted=index)
        # Under the value's lines (the list takes no room in the layout).
        options.styles.offset = (0, len(self._prompt_lines(self.content_size.width)))
        self._list = options
        self.mount(options)
        options.focus(scroll_visible=False)
        self.refresh()

    def close(self, *, refocus: bool = True) -> None:
        """Close the list if open; `refocus` gives the focus back to the drop-down."""
        if self._list is not None:
            self._list.remove()
            self._list = None
            self.refresh()
        if refocus:
            self.focus()

    @on(DropDownList.Picked)
    def _picked(self, event: DropDownList.Picked) -> None:
        event.stop()
        self.close()
        self.value = self._options[event.index][1]

    @on(DropDownList.Dismissed)
    def _dismissed(self, event: DropDownList.Dismissed) -> None:
        event.stop()
        self.close(refocus=not event.lost_focus)

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        if self._list is None:
            self.focus()
            self.action_open()
        elif event.widget is self:
            self.close()

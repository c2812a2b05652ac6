"""StepIndicator: "1 Basic · 2 Tables · 3 Columns · 4 Filters & split", the current step lit."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StepIndicator(Widget):
    """One line naming each step; done steps ticked, the current one highlighted."""

    DEFAULT_CSS = """
    StepIndicator {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    """

    step: reactive[int] = reactive(1)
    # Steps the user has passed (validated) at least once.
    reached: reactive[int] = reactive(1)

    def __init__(self, steps: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.steps = tuple(steps)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        narrow = self.size.width and self.size.width < 60
        for number, title in enumerate(self.steps, start=1):
            if number > 1:
                text.append(" · ", style="dim")
            label = f"{number} {title}"
            if narrow and number != self.step:
                label = str(number)
            if number == self.step:
                text.append(f" {label} ", style="bold reverse")
            elif number < self.reached or number < self.step:
                text.append(f"✓ {label}", style="")
            else:
                text.append(label, style="dim")
        return text

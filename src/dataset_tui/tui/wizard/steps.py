"""What the wizard screen asks of each of its four steps.

The screen keeps one list of steps and talks to whichever is current through
this protocol, instead of a switch on the step number for each thing it does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Problem
    from dataset_tui.tui.wizard.draft import WizardDraft


class WizardStep(Protocol):
    def enter(self) -> None:
        """The step became visible: refresh what other steps decide, focus its first field."""

    def show_problems(self, problems: list[Problem]) -> bool:
        """Show each problem beside what it is about (clearing the old ones); True when any was shown."""
        ...

    def load(self, draft: WizardDraft) -> None:
        """Show another draft (after a reload from the store)."""

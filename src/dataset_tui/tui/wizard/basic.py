"""Step 1 of the wizard: the dataset's name (checked live) and description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TextArea

from dataset_tui.domain.definition import NAME_RE, Problem
from dataset_tui.tui.widgets.ordered_input import OrderedInput, OrderedTextArea
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.draft import WizardDraft

# Typing pauses shorter than this do not start a check: one store read per
# pause, not per key.
NAME_CHECK_DELAY_S = 0.3

NAME_MAX = 64
FORMAT_HINT = "1–64 characters: a letter first, then letters, digits, _ or -"


@dataclass(frozen=True)
class NameState:
    """Whether step 1's name can be used: `checked` stays False until the store has answered."""

    checked: bool
    problem: str | None = None  # why the name cannot be used; None when it can (or is unknown)


class BasicStep(VerticalScroll):
    """Name and description."""

    DEFAULT_CSS = """
    BasicStep { padding: 1 2; }
    BasicStep .row { height: auto; }
    BasicStep .field-label { width: 14; padding-top: 0; }
    BasicStep Input { width: 1fr; }
    BasicStep #description { height: 6; width: 1fr; }
    BasicStep .status { margin-left: 14; height: auto; color: $text-muted; }
    BasicStep .status.-ok { color: $success; }
    BasicStep .status.-error { color: $error; }
    BasicStep .hint { margin-top: 1; color: $text-muted; }
    """

    class Changed(Message):
        """The user edited a field of this step."""

    class NameChecked(Message):
        """The availability check of the current name finished."""

        def __init__(self, name: str, problem: str | None) -> None:
            super().__init__()
            self.name = name
            self.problem = problem

    def __init__(self, draft: WizardDraft, *, editing: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.editing = editing
        # name → None (free) or why it cannot be used; only for checked names.
        self.checked: dict[str, str | None] = {}
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Name", classes="field-label")
            yield OrderedInput(
                value=self.draft.name,
                placeholder="e.g. purchases_6m",
                id="name",
                compact=True,
                disabled=self.editing,
            )
        yield Static("", id="name-status", classes="status")
        with Horizontal(classes="row"):
            yield Label("Description", classes="field-label")
            yield OrderedTextArea(
                self.draft.description, id="description", soft_wrap=True, tab_behavior="focus", compact=True
            )
        yield Static("", id="description-status", classes="status")
        yield Static(self._hint(), classes="hint")

    def _hint(self) -> str:
        model = escape(self.draft.model)
        if self.editing:
            return (
                f"Editing {escape(self.draft.name)} in model {model}: saving adds a new version. "
                f"To rename it: dataset-tui rename {escape(self.draft.name)} NEW"
            )
        return f"Model {model}. The name must be unique in the model. ctrl+n: next step."

    def on_mount(self) -> None:
        if self.editing:
            self._status("")
        elif self.draft.name:
            self._schedule(self.draft.name)

    def enter(self) -> None:
        self.focus_first()

    def focus_first(self) -> None:
        target = self.query_one("#description" if self.editing else "#name")
        target.focus()

    # -- name --------------------------------------------------------------------

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        if self.editing:
            # The (disabled) field reports its initial value once; an edited
            # dataset keeps its name, which is of course "taken" by itself.
            return
        self.draft.name = event.value
        self.post_message(self.Changed())
        self._schedule(event.value)

    def _schedule(self, value: str) -> None:
        if self._timer is not None:
            self._timer.stop()
        name = value.strip()
        if not name:
            self._status("")
            return
        if len(name) > NAME_MAX:
            # Said, not cut: a pasted name keeps every character the user typed.
            self._status(f"{len(name)} characters: a name has at most {NAME_MAX}", error=True)
            return
        if not NAME_RE.fullmatch(name):
            self._status(FORMAT_HINT, error=True)
            return
        if name in self.checked:
            self._show_checked(name)
            return
        self._status("checking…")
        self._timer = self.set_timer(NAME_CHECK_DELAY_S, lambda: self.check_now(name))

    def check_now(self, name: str) -> None:
        """Ask the store whether `name` is free (in a worker); NameChecked follows."""
        self._check(name)

    def _check(self, name: str) -> None:
        self._ask_store(self.app.ctx, name)  # type: ignore[attr-defined]

    @warehouse_work("check the name", group="wizard-name")
    def _ask_store(self, ctx: Any, name: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(self.NameChecked(name, calls.name_problem(ctx, name)))

    @on(NameChecked)
    def _checked(self, event: NameChecked) -> None:
        # Not stopped: the screen hears it too (it may be waiting to move on).
        self.checked[event.name] = event.problem
        if self.draft.name.strip() == event.name:
            self._show_checked(event.name)

    def _show_checked(self, name: str) -> None:
        problem = self.checked[name]
        if problem is None:
            self._status(f"✓ {name} is available", ok=True)
        else:
            self._status(problem, error=True)

    def name_state(self) -> NameState:
        """What the store said of the current name (an edited dataset keeps its own name)."""
        if self.editing:
            return NameState(checked=True)
        name = self.draft.name.strip()
        if name not in self.checked:
            return NameState(checked=False)
        return NameState(checked=True, problem=self.checked[name])

    def _status(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        status = self.query_one("#name-status", Static)
        status.update(escape(text))
        status.set_class(ok, "-ok")
        status.set_class(error, "-error")

    # -- description ---------------------------------------------------------------

    @on(TextArea.Changed, "#description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        self.draft.description = event.text_area.text
        self.post_message(self.Changed())

    # -- problems ------------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> bool:
        """Show each problem beside its field; returns whether any was shown."""
        shown = False
        for p in problems:
            if p.path == "name":
                self._status(p.message, error=True)
                shown = True
            elif p.path == "description":
                desc = self.query_one("#description-status", Static)
                desc.update(escape(p.message))
                desc.set_class(True, "-error")
                shown = True
        return shown

    def set_editing(self, editing: bool) -> None:
        """Editing keeps the name; a save as a new dataset makes it editable again."""
        self.editing = editing
        name = self.query_one("#name", Input)
        name.disabled = editing
        with name.prevent(Input.Changed):
            name.value = self.draft.name
        self.query_one(".hint", Static).update(self._hint())

    def load(self, draft: Any) -> None:
        """Show another draft (after a reload from the store)."""
        self.draft = draft
        self.query_one("#name", Input).value = draft.name
        self.query_one("#description", TextArea).text = draft.description

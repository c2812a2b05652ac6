"""What every part of the wizard screen shares: its state, its steps, moving between them and checking them."""

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from textual import events
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input

from dataset_tui.domain.definition import Definition, Problem
from dataset_tui.tui.key_order import KEY_WAIT_LIMIT_S, hold_keys, release_keys, replay_keys
from dataset_tui.tui.widgets.step_indicator import StepIndicator
from dataset_tui.tui.wizard.basic import BasicStep
from dataset_tui.tui.wizard.columns import ColumnsStep
from dataset_tui.tui.wizard.draft import (
    STEPS,
    WizardDraft,
    comparable,
    step_of,
)
from dataset_tui.tui.wizard.filters import FiltersStep
from dataset_tui.tui.wizard.steps import WizardStep
from dataset_tui.tui.wizard.tables import TablesStep


class WizardBase(Screen[str | None]):
    """The wizard's state and steps; WizardScreen (screen.py) builds on it with loading and saving."""

    # The state every part of the wizard shares (set in WizardScreen.__init__).
    source_definition: Definition | None
    base_revision: int | None
    clone_of: str | None
    editing: bool
    step: int
    reached: int
    draft: WizardDraft
    _initial: tuple[Any, ...]
    table_infos: dict[str, Any]
    schema_loading: set[str]
    suggestions: list[Any]
    cached: tuple[Any, str, int] | None  # (counts, definition hash, version)
    _summary_timer: Timer | None
    _advance_after_name_check: bool
    _saving: bool
    _return_focus: Widget | None = None

    @property
    def ctx(self) -> Any:
        return self.app.ctx  # type: ignore[attr-defined]

    @property
    def basic(self) -> BasicStep:
        return self.query_one("#step-1", BasicStep)

    @property
    def tables_step(self) -> TablesStep:
        return self.query_one("#step-2", TablesStep)

    @property
    def columns_step(self) -> ColumnsStep:
        return self.query_one("#step-3", ColumnsStep)

    @property
    def filters_step(self) -> FiltersStep:
        return self.query_one("#step-4", FiltersStep)

    @property
    def changed(self) -> bool:
        return comparable(self.draft) != self._initial

    def has_unsaved_changes(self) -> bool:
        """Whether leaving now would lose work (the app asks before quitting when it would)."""
        return self.changed and not self._saving

    def _update_title(self) -> None:
        if self.editing:
            what = f"edit {self.draft.name} (from v{self.base_revision})"
        elif self.clone_of:
            what = f"clone of {self.clone_of}"
        else:
            what = "new dataset"
        self.sub_title = f"{what}{' · modified' if self.changed else ''}"

    def _ensure_schemas(self) -> None:
        """Start loading the schemas of chosen tables not loaded yet (WizardLoading does)."""
        raise NotImplementedError

    def _schedule_summary(self, *, now: bool = False) -> None:
        """Recompute step 4's summary after a pause in typing (WizardLoading does)."""
        raise NotImplementedError

    # -- moving between steps ------------------------------------------------------------

    # -- keys in a burst ------------------------------------------------------------------
    #
    # ctrl+n, ctrl+o and ctrl+s are priority bindings: they run as their key
    # reaches the app, while the keys typed just before them may still wait in
    # the focused field's queue (a burst from tmux, SSH or a paste):
    # `n a m e ctrl+n` would check an empty name, `down enter ctrl+n` a step
    # with no primary table. So these actions wait until every widget of the
    # wizard has handled what it was sent; the keys typed after them wait in
    # the app (tui/key_order.py) until the action ran and what it focused (the
    # new step's first field) has landed: handed out at once, `ctrl+n /cust`
    # sent `u` to a screen with no focus, or to the table list before the `/`
    # that had gone back for a replay. Under an app that does not keep keys
    # back, the keys that arrive meanwhile are held by the screen (nothing has
    # focus) and replayed, in order, to whatever has focus once the action ran.

    _held: list[events.Key] | None = None
    _pending: list[Callable[[], None]]
    _keys_hold: object | None = None
    # ctrl+n on step 1 before the name check answered: the keys typed after it
    # belong to step 2, so they stay held until the answer (or this timer) comes.
    _name_wait: Timer | None = None

    def _after_typed_keys(self, action: Callable[[], None]) -> None:
        if self._held is not None:
            self._pending.append(action)
            return
        self._held, self._pending = [], [action]
        self._keys_hold = hold_keys(self.app, self)
        focused = self._return_focus = self.focused
        self.set_focus(None, scroll_visible=False)
        # A callback posted to a widget runs after what is already queued
        # there. Hop through the focused widget twice (the messages its keys
        # post to itself land behind the first hop), then up through each
        # parent to the screen, so what bubbled up from those keys is handled
        # before the action.
        path: list[Widget] = []
        if focused is not None:
            path = [
                focused,
                *[n for n in focused.ancestors if isinstance(n, Widget) and n is not self and self in n.ancestors],
            ]
            path.insert(0, focused)
        self._hop(path, 0)

    def _hop(self, path: list[Widget], index: int) -> None:
        if index < len(path) and path[index].is_attached:
            path[index].call_later(self._hop, path, index + 1)
            return
        if index < len(path):
            self._hop(path, index + 1)
            return
        self.call_later(self._run_pending)

    def _run_pending(self) -> None:
        pending, self._pending = self._pending, []
        held, self._held = self._held or [], None
        for action in pending:
            action()
        if self._advance_after_name_check:
            self._held = held
            if self._name_wait is None:
                self._name_wait = self.set_timer(KEY_WAIT_LIMIT_S, self._stop_waiting_for_name)
            return
        # `focus()` is applied later, in order: look once what the actions focused have landed.
        self.call_later(self._refocus_and_replay, held)

    def _name_answered(self) -> None:
        """The name check that a held ctrl+n waited for has answered (and moved on or not)."""
        if self._name_wait is None:
            return
        self._name_wait.stop()
        self._name_wait = None
        self.call_later(self._run_pending)  # actions typed meanwhile (plain App), then the held keys

    def _stop_waiting_for_name(self) -> None:
        # The store is slow to answer: the keys go back to step 1, ctrl+n is
        # dropped (jumping to step 2 later, under the user's typing, is worse).
        self._advance_after_name_check = False
        self._name_answered()

    @property
    def focus_parked(self) -> bool:
        """True while focus is taken away only to hold the keys typed after an action (KeyFooter waits)."""
        return self._held is not None or self._return_focus is not None

    def _refocus_and_replay(self, held: list[events.Key]) -> None:
        if self.focused is None and self._return_focus is not None and self._return_focus.is_attached:
            self._focus_keeping_text(self._return_focus)
        self._return_focus = None
        self.refresh_bindings()  # the footer shows the keys of whatever has focus now
        # Ahead of the keys the app has not handed out yet (tui/key_order.py).
        replay_keys(self.app, held)
        hold, self._keys_hold = self._keys_hold, None
        release_keys(self.app, hold)

    def _focus_keeping_text(self, widget: Widget) -> None:
        """Give focus back without the Input's select-all: the keys replayed next would replace its text."""
        if isinstance(widget, Input) and widget.select_on_focus:
            widget.select_on_focus = False
            self.set_focus(widget)
            widget.call_later(setattr, widget, "select_on_focus", True)  # after its Focus event
            return
        self.set_focus(widget)

    def hold_key(self, event: events.Key) -> bool:
        """Keep a key that arrived while an action waits for the keys before it; True when held."""
        if self._held is None:
            return False
        self._held.append(event)
        return True

    def action_next(self) -> None:
        self._after_typed_keys(self._next)

    def action_previous(self) -> None:
        self._after_typed_keys(self._previous)

    def _next(self) -> None:
        if self.step == len(STEPS):
            # Nowhere further to go: check the step, so the user learns what is left.
            if self._check_step(self.step):
                self.notify("Everything is filled in: ctrl+s saves.", timeout=3)
            return
        if self._check_step(self.step):
            self._go(self.step + 1)

    def _previous(self) -> None:
        if self.step > 1:
            self._go(self.step - 1)

    def _go(self, step: int) -> None:
        self.step = step
        self.reached = max(self.reached, step)
        indicator = self.query_one(StepIndicator)
        indicator.step = step
        indicator.reached = self.reached
        self.query_one(ContentSwitcher).current = f"step-{step}"
        self._ensure_schemas()
        self._step(step).enter()
        self._schedule_summary(now=True)

    def _step(self, step: int) -> WizardStep:
        return (self.basic, self.tables_step, self.columns_step, self.filters_step)[step - 1]

    def _check_step(self, step: int) -> bool:
        """Check one step; show its problems beside their fields. True when it is fine."""
        if step == 1:
            state = self.basic.name_state()
            _, problems = self.draft.build(1)
            if not problems and not state.checked:
                # The availability check has not answered yet: ask now, go on when it does.
                self._advance_after_name_check = True
                self.basic.check_now(self.draft.name.strip())
                return False
            if not problems and state.problem is not None:
                problems = [Problem(path="name", message=state.problem)]
            return self._show_step_problems(1, problems)
        if step == 2 and not self.tables_step.loaded and not self.draft.primary:
            self.notify("The tables are still loading…", timeout=3)
            return False
        return self._show_step_problems(step, self._step_problems(step))

    def _step_problems(self, step: int) -> list[Problem]:
        """The problems of one step (2–4) as the draft stands."""
        _, problems = self.draft.build(step)
        problems = [p for p in problems if step_of(p.path) == step]
        if step == 3:
            problems += self._schema_problems()
        return problems

    def _schema_problems(self) -> list[Problem]:
        """Role types checked against the warehouse's schema (types known from step 2)."""
        from dataset_tui.domain.validation import ROLE_TYPES

        problems = []
        for i, col in enumerate(self.draft.selected_columns()):
            from dataset_tui.tui.wizard.draft_parts import PARAM_VALUES

            # What the column holds in the output: an epoch is a TIMESTAMP, a key its value field's type.
            kind = "TIMESTAMP" if col.unit else PARAM_VALUES.get(col.param_value or "", col.type or "")
            if col.role and kind:
                base = kind.split("<", 1)[0].split("(", 1)[0].strip().upper()
                if base not in ROLE_TYPES[col.role]:
                    problems.append(
                        Problem(
                            path=f"columns[{i}].role",
                            message=f"a {col.role} column must be {' or '.join(ROLE_TYPES[col.role])}, not {kind}"
                            + (" (an INT64 epoch: u sets its unit)" if col.is_epoch else ""),
                        )
                    )
        return problems

    def _show_step_problems(self, step: int, problems: list[Problem]) -> bool:
        self._step(step).show_problems(problems)
        if step == 4:
            target = self.filters_step.first_problem_field()
            if target is not None:
                target.focus()
        if problems:
            # The toast is markup: a message quoting a pattern ([A-Z]…) must not be eaten.
            shown = escape("; ".join(p.message for p in problems[:2]))
            more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
            self.notify(f"{shown}{more}", title=f"Step {step}: fix this first", severity="warning", timeout=5)
        return not problems

"""The dataset wizard: four steps from nothing (or a saved version) to a saved dataset.

1 Basic · 2 Tables · 3 Columns · 4 Filters & split. `ctrl+n` / `ctrl+o` move
between steps (each step is checked before the next), `ctrl+s` saves from
anywhere (everything is checked first, and the first step with a problem is
shown), `escape` leaves (asking first when something changed). These four
are priority bindings, so they work whichever field has focus.

The steps edit one `WizardDraft`; this screen owns the workers that fetch
what the steps show (tables, schemas, joins, statistics, samples, the live
SQL and split estimate) and the save. The screen is dismissed with the saved
dataset's name, or None when the user leaves without saving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Header, Input, TextArea

from dataset_tui.domain.definition import prepare_wording
from dataset_tui.tui.widgets.drop_down import DropDown
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.widgets.step_indicator import StepIndicator
from dataset_tui.tui.wizard.basic import BasicStep
from dataset_tui.tui.wizard.columns import ColumnsStep
from dataset_tui.tui.wizard.draft import (
    STEPS,
    WizardDraft,
    comparable,
)
from dataset_tui.tui.wizard.filters import FiltersStep
from dataset_tui.tui.wizard.saving import WizardSaving
from dataset_tui.tui.wizard.search_keys import SearchKeys

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
from dataset_tui.tui.wizard.tables import TablesStep


class WizardScreen(WizardSaving):
    """Dataset wizard"""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+o", "previous", "Back", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
        # Tab is the app's own (not a priority binding): the app hands keys out
        # one at a time (tui/key_order.py), so the keys after a tab reach the next
        # field, and a tab typed while an action holds the keys waits its turn.
    ]

    DEFAULT_CSS = """
    WizardScreen #steps { height: 1fr; }
    WizardScreen #steps > * { height: 1fr; }
    """

    def __init__(
        self,
        definition: Definition | None = None,
        *,
        base_revision: int | None = None,
        clone_of: str | None = None,
    ) -> None:
        """New (no definition), edit (a definition and the revision it is), or clone (`clone_of`)."""
        super().__init__()
        self.source_definition = definition
        self.base_revision = base_revision
        self.clone_of = clone_of
        # Editing keeps the name; a clone or a new dataset creates one.
        self.editing = definition is not None and base_revision is not None and clone_of is None
        self.step = 1
        self.reached = 1
        self.draft: WizardDraft = WizardDraft()
        self._initial: tuple[Any, ...] = ()
        self.table_infos: dict[str, Any] = {}
        self.schema_loading: set[str] = set()
        self.suggestions: list[Any] = []
        self.cached: tuple[Any, str, int] | None = None  # (counts, definition hash, version)
        self._summary_timer: Timer | None = None
        self._advance_after_name_check = False
        self._saving = False

    # -- layout ---------------------------------------------------------------------

    def _make_draft(self) -> WizardDraft:
        ctx = self.ctx
        if self.source_definition is None:
            return WizardDraft(model=ctx.model, dataset=ctx.profile.dataset)
        draft = WizardDraft.from_definition(self.source_definition)
        if self.clone_of is not None:
            draft.model = ctx.model
            if draft.name == self.clone_of:
                draft.name = f"{self.clone_of}_copy"
        return draft

    def compose(self) -> ComposeResult:
        self.draft = self._make_draft()
        self._initial = comparable(self.draft)
        yield Header()
        yield StepIndicator(STEPS, id="indicator")
        with ContentSwitcher(initial="step-1", id="steps"):
            yield BasicStep(self.draft, editing=self.editing, id="step-1")
            yield TablesStep(self.draft, id="step-2")
            yield ColumnsStep(self.draft, id="step-3")
            yield FiltersStep(self.draft, id="step-4")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._update_title()
        self.basic.focus_first()
        # A draft that is not plainly valid is worded by pydantic, whose import
        # and reader cost 150 ms and more: build them in a thread now, not on
        # the event loop when the first key makes the draft invalid.
        self.run_worker(prepare_wording, thread=True, exit_on_error=False, group="prepare-wording")
        self._load_tables()
        if self.draft.tables:
            self._load_schemas(self.draft.tables)
        if len(self.draft.tables) >= 2:
            # Candidates for the join editor; the saved joins stay as they are.
            self._find_joins(list(self.draft.tables), self.draft.primary)
        if self.editing:
            self._load_cached(self.draft.name)

    def on_key(self, event: events.Key) -> None:
        # Keys typed the moment the wizard opens reach the screen before its
        # first field has focus (the app forwards to whatever was focused
        # when the key arrived): hand them to the field now focused instead
        # of dropping them. A field with focus stops its own printable keys,
        # so one arriving here never came through it.
        if self.hold_key(event):
            event.stop()
            return
        focused = self.focused
        if event.is_printable and isinstance(focused, (Input, TextArea)) and not focused.disabled:
            event.stop()
            focused.post_message(events.Key(event.key, event.character))

    @property
    def changed(self) -> bool:
        return comparable(self.draft) != self._initial

    def has_unsaved_changes(self) -> bool:
        """Whether leaving now would lose work (the app asks before quitting when it would)."""
        return self.changed and not self._saving

    # -- leaving -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        # escape first closes an open drop-down, as it would anywhere else.
        for drop_down in self.query(DropDown):
            if drop_down.expanded:
                drop_down.close()
                return
        # Whether anything changed is known once the keys typed before escape are applied.
        self._after_typed_keys(self._cancel)

    def _cancel(self) -> None:
        # escape in a search being typed into a list ends and clears it (as in
        # less or vim), rather than asking to leave a wizard the user is using.
        searched = self._return_focus
        if isinstance(searched, SearchKeys) and searched.searching:
            searched.clear_search()
            return
        self._leave(lambda: self.dismiss(None))

    def action_quit_app(self) -> None:
        """Quit the app, asking first when the draft has unsaved changes (the app's ctrl+q calls this)."""
        self._leave(self.app.exit)

    def _leave(self, go: Any) -> None:
        """Run `go` (dismiss, or quit the app) at once when nothing changed, else after a "Discard" answer."""
        if not self.has_unsaved_changes():
            go()
            return
        from dataset_tui.tui.screens.confirm import ConfirmScreen

        def answer(discard: bool | None) -> None:
            if discard:
                go()

        self.app.push_screen(
            ConfirmScreen(
                "Discard your changes?",
                "Nothing of this wizard has been saved. ctrl+s saves instead.",
                yes="Discard",
                no="Keep editing",
                danger=True,
            ),
            callback=answer,
        )

    # -- step 1: name checks -------------------------------------------------------------------

    @on(BasicStep.NameChecked)
    def _name_checked(self, event: BasicStep.NameChecked) -> None:
        if self._advance_after_name_check and event.name == self.draft.name.strip():
            self._advance_after_name_check = False
            if self.step == 1 and self._check_step(1):
                self._go(2)
            self._name_answered()  # the keys typed after ctrl+n go on, to whichever step is shown

    @on(BasicStep.Changed)
    @on(TablesStep.Changed)
    @on(ColumnsStep.Changed)
    def _edited(self, event: Any) -> None:
        self._update_title()
        if isinstance(event, TablesStep.Changed) and event.tables_changed:
            self._tables_changed()
        if isinstance(event, ColumnsStep.Changed) and self.columns_step.showing_problems:
            # Marks (`!`) and messages follow the fixes as they are made, not at the next ctrl+n.
            self.columns_step.show_problems(self._step_problems(3), move_cursor=False)

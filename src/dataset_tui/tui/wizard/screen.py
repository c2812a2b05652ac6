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

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ContentSwitcher
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Select, TextArea

from dataset_tui.domain.definition import Problem
from dataset_tui.tui.widgets.step_indicator import StepIndicator
from dataset_tui.tui.wizard.basic import BasicStep
from dataset_tui.tui.wizard.columns import ColumnsStep
from dataset_tui.tui.wizard.draft import (
    STEPS,
    JoinDraft,
    WizardDraft,
    comparable,
    step_of,
)
from dataset_tui.tui.wizard import messages as msg
from dataset_tui.tui.wizard.filters import FiltersStep
from dataset_tui.tui.wizard.steps import WizardStep
from dataset_tui.tui.wizard.tables import TablesStep
from dataset_tui.tui.widgets.key_footer import KeyFooter
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition

# Regenerating the SQL on every key press would queue work the user never
# sees: wait for a pause in typing.
SUMMARY_DELAY_S = 0.3


class WizardScreen(Screen[str | None]):
    """Dataset wizard"""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+o", "previous", "Back", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
        # Tab as a priority binding moves focus as the key arrives. Otherwise
        # it travels up from the focused field through the step's containers
        # while the keys typed after it are already going into the old field
        # (seen when typing fast or pasting "name<tab>description").
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
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

    @property
    def ctx(self) -> Any:
        return self.app.ctx  # type: ignore[attr-defined]

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
        focused = self.focused
        if event.is_printable and isinstance(focused, (Input, TextArea)) and not focused.disabled:
            event.stop()
            focused.post_message(events.Key(event.key, event.character))

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

    # -- moving between steps ------------------------------------------------------------

    def action_next(self) -> None:
        if self.step == len(STEPS):
            # Nowhere further to go: check the step, so the user learns what is left.
            if self._check_step(self.step):
                self.notify("Everything is filled in: ctrl+s saves.", timeout=3)
            return
        if self._check_step(self.step):
            self._go(self.step + 1)

    def action_previous(self) -> None:
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
            if not problems and state is False:
                # The availability check has not answered yet: ask now, go on when it does.
                self._advance_after_name_check = True
                self.basic.check_now(self.draft.name.strip())
                return False
            if not problems and isinstance(state, str):
                problems = [Problem(path="name", message=state)]
            return self._show_step_problems(1, problems)
        if step == 2 and not self.tables_step.loaded and not self.draft.primary:
            self.notify("The tables are still loading…", timeout=3)
            return False
        _, problems = self.draft.build(step)
        problems = [p for p in problems if step_of(p.path) == step]
        if step == 3:
            problems += self._schema_problems()
        return self._show_step_problems(step, problems)

    def _schema_problems(self) -> list[Problem]:
        """Role types checked against the warehouse's schema (types known from step 2)."""
        from dataset_tui.domain.validation import ROLE_TYPES

        problems = []
        for i, col in enumerate(self.draft.selected_columns()):
            if col.role and col.type:
                base = col.type.split("<", 1)[0].split("(", 1)[0].strip().upper()
                if base not in ROLE_TYPES[col.role]:
                    problems.append(
                        Problem(
                            path=f"columns[{i}].role",
                            message=f"a {col.role} column must be {' or '.join(ROLE_TYPES[col.role])}, not {col.type}",
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

    # -- leaving -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        # escape first closes an open drop-down, as it would anywhere else.
        for select in self.query(Select):
            if select.expanded:
                select.expanded = False
                select.focus()
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

    @on(BasicStep.Changed)
    @on(TablesStep.Changed)
    @on(ColumnsStep.Changed)
    def _edited(self, event: Any) -> None:
        self._update_title()
        if isinstance(event, TablesStep.Changed) and event.tables_changed:
            self._tables_changed()

    # -- step 2: tables, schemas, joins ----------------------------------------------------------
    #
    # Workers get what they need as arguments (never reading the screen or a
    # step from their thread) and post a message from `messages`; the `on`
    # handlers below, on the event loop, update the steps.

    def _load_tables(self) -> None:
        self._fetch_tables(self.ctx, self.draft.dataset)

    @warehouse_work("load the tables", group="wizard-tables")
    def _fetch_tables(self, ctx: Any, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        try:
            infos = calls.list_tables(ctx, dataset)
        except Exception as exc:
            self.post_message(msg.TablesFailed(_message(exc)))
            raise
        self.post_message(msg.TablesLoaded(infos))

    @on(msg.TablesFailed)
    def _tables_failed(self, event: msg.TablesFailed) -> None:
        self.tables_step.show_load_error(event.text)

    @on(msg.TablesLoaded)
    def _tables_loaded(self, event: msg.TablesLoaded) -> None:
        self.table_infos = {info.name: info for info in event.infos}
        self.tables_step.show_tables(event.infos)
        self._schedule_summary()

    def _tables_changed(self) -> None:
        self._ensure_schemas()
        self.columns_step.refresh_rows()
        if len(self.draft.tables) >= 2:
            self._find_joins(list(self.draft.tables), self.draft.primary)

    def _ensure_schemas(self) -> None:
        missing = [t for t in self.draft.tables if t not in self.columns_step.schemas and t not in self.schema_loading]
        if missing:
            self._load_schemas(missing)

    def _load_schemas(self, tables: list[str]) -> None:
        self.schema_loading.update(tables)
        self._fetch_schemas(self.ctx, tables, self.draft.dataset)

    @warehouse_work("read the table schemas", group="wizard-schemas", exclusive=False)
    def _fetch_schemas(self, ctx: Any, tables: list[str], dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        try:
            for table in tables:
                self.post_message(msg.SchemaLoaded(table, calls.table_schema(ctx, table, dataset)))
        finally:
            self.post_message(msg.SchemasDone(tables))

    @on(msg.SchemaLoaded)
    def _schema_loaded(self, event: msg.SchemaLoaded) -> None:
        self.columns_step.set_schema(event.table, event.columns)
        self._schedule_summary()

    @on(msg.SchemasDone)
    def _schemas_done(self, event: msg.SchemasDone) -> None:
        self.schema_loading.difference_update(event.tables)

    def _find_joins(self, tables: list[str], primary: str | None) -> None:
        self._fetch_joins(self.ctx, tables, primary, self.draft.dataset)

    @warehouse_work("detect joins", group="wizard-joins")
    def _fetch_joins(self, ctx: Any, tables: list[str], primary: str | None, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        found = calls.detect_joins(ctx, tables, dataset)
        mapping = calls.suggest(ctx, tables, primary, dataset)
        self.post_message(msg.JoinsFound(tables, found, mapping))

    @on(msg.JoinsFound)
    def _joins_found(self, event: msg.JoinsFound) -> None:
        if event.tables != self.draft.tables:
            return  # the user changed the tables since; a newer search is on its way
        self.suggestions = event.found
        added = []
        for s in event.mapping.joins:
            if s.right_table in self.draft.secondary and self.draft.join_for(s.right_table) is None:
                self.draft.set_join(
                    JoinDraft(
                        s.right_table,
                        "left",
                        [(f"{s.left_table}.{s.left_column}", f"{s.right_table}.{s.right_column}")],
                        s.confidence,
                        s.reason,
                    )
                )
                added.append(s.right_table)
        self.tables_step.refresh_joins()
        for warning in event.mapping.warnings:
            if any(t in warning for t in added) or "no join found" in warning:
                self.notify(warning, severity="warning", timeout=6)
        self._update_title()

    @on(TablesStep.EditJoin)
    def _edit_join(self, event: TablesStep.EditJoin) -> None:
        from dataset_tui.tui.wizard.join_dialog import JoinScreen

        join = self.draft.join_for(event.table) if event.table else None
        joinable = [event.table] if event.table else [t for t in self.draft.secondary]
        if not joinable:
            self.notify("Only joined tables need a join: add one with space first.")
            return
        schemas = {
            t: [(c.name, c.type) for c in cols] for t, cols in self.columns_step.schemas.items() if t in self.draft.tables
        }

        def done(result: JoinDraft | None) -> None:
            if result is not None:
                self.tables_step.set_join(result)

        self.app.push_screen(
            JoinScreen(join=join, tables=self.draft.tables, joinable=joinable, schemas=schemas, suggestions=self.suggestions),
            callback=done,
        )

    # -- step 3: statistics, samples, suggestions -----------------------------------------------

    @on(ColumnsStep.Wanted)
    def _wanted(self, event: ColumnsStep.Wanted) -> None:
        dataset = self.draft.dataset
        if event.what == "stats" and event.table:
            self._load_stats(self.ctx, event.table, dataset)
        elif event.what == "samples" and event.key:
            self._load_samples(self.ctx, event.key, dataset)
        elif event.what == "suggest":
            self._suggest_roles(self.ctx, list(self.draft.tables), self.draft.primary, dataset)

    @warehouse_work("load statistics", group="wizard-stats", exclusive=False)
    def _load_stats(self, ctx: Any, table: str, dataset: str) -> None:
        from dataset_tui.services.errors import Declined
        from dataset_tui.tui.screens.cost import ask_cost_from_worker
        from dataset_tui.tui.wizard import calls

        threshold = ctx.profile.confirm_bytes

        def confirm(dry: Any) -> bool:
            return ask_cost_from_worker(self.app, f"Statistics of {table}", dry, threshold)

        try:
            view = calls.table_stats(ctx, table, confirm, dataset)
        except Exception as exc:
            state = "declined" if isinstance(exc, Declined) else _message(exc)
            self.post_message(msg.StatsLoaded(table, None, state))
            raise
        self.post_message(msg.StatsLoaded(table, view))

    @on(msg.StatsLoaded)
    def _stats_loaded(self, event: msg.StatsLoaded) -> None:
        self.columns_step.set_stats(event.table, event.view, event.state)

    @warehouse_work("load sample values", group="wizard-samples")
    def _load_samples(self, ctx: Any, key: tuple[str, str], dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.SamplesLoaded(key, calls.samples(ctx, key[0], key[1], dataset)))

    @on(msg.SamplesLoaded)
    def _samples_loaded(self, event: msg.SamplesLoaded) -> None:
        self.columns_step.set_samples(event.key, event.values)

    @warehouse_work("suggest roles", group="wizard-suggest")
    def _suggest_roles(self, ctx: Any, tables: list[str], primary: str | None, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.RolesSuggested(calls.suggest(ctx, tables, primary, dataset).roles))

    @on(msg.RolesSuggested)
    def _roles_suggested(self, event: msg.RolesSuggested) -> None:
        self.columns_step.apply_roles(event.roles)

    # -- step 4: the live summary ------------------------------------------------------------------

    @on(FiltersStep.Changed)
    def _filters_changed(self) -> None:
        self._update_title()
        self._schedule_summary()

    def _schedule_summary(self, *, now: bool = False) -> None:
        """Recompute step 4's summary and field problems after a pause in typing (never while on other steps)."""
        if self._summary_timer is not None:
            self._summary_timer.stop()
        if self.step != 4:
            return
        self._summary_timer = self.set_timer(0.01 if now else SUMMARY_DELAY_S, self._start_summary)

    def _start_summary(self) -> None:
        definition, problems = self.draft.build(4)
        # Step 4's problems appear beside their fields, within this one
        # debounce of the key that caused them; the summary lists only what
        # other steps still miss, so no problem is said twice.
        self.filters_step.show_problems([p for p in problems if step_of(p.path) == 4])
        if definition is None:
            elsewhere = [p for p in problems if step_of(p.path) != 4]
            lines = "\n".join(f"• {escape(p.message)}" for p in elsewhere[:4])
            here = "see the fields marked on the left" if self.filters_step.has_class("-wide") else "see the fields marked above"
            text = f"[yellow]Not complete yet:[/yellow]\n{lines}" if lines else f"[yellow]Not complete yet:[/yellow] {here}"
            self.filters_step.show_summary(text)
            return
        primary = self.table_infos.get(self.draft.primary or "")
        self._summarize(definition, self.cached, primary.rows if primary is not None else None, self.ctx.warehouse_project())

    @warehouse_work("generate the SQL", group="wizard-summary")
    def _summarize(self, definition: Definition, cached: Any, primary_rows: int | None, project: str | None) -> None:
        from dataset_tui.domain import clock
        from dataset_tui.domain.sqlgen import SqlGenError, generate_sql
        from dataset_tui.tui.wizard.summary import estimate_text

        try:
            sql = generate_sql(definition, "full", project=project, label="wizard draft")
        except SqlGenError as exc:
            sql = "-- " + str(exc).replace("\n", "\n-- ")
        self.post_message(msg.SummaryReady(estimate_text(definition, cached, primary_rows, clock.today()), sql))

    @on(msg.SummaryReady)
    def _summary_ready(self, event: msg.SummaryReady) -> None:
        self.filters_step.show_summary(event.estimate, event.sql)

    def _load_cached(self, name: str) -> None:
        self._fetch_cached(self.ctx, name)

    @warehouse_work("read the last analysis", group="wizard-cached")
    def _fetch_cached(self, ctx: Any, name: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.CachedLoaded(calls.cached_counts(ctx, name)))

    @on(msg.CachedLoaded)
    def _cached_loaded(self, event: msg.CachedLoaded) -> None:
        self.cached = event.cached
        self._schedule_summary()

    # -- saving ---------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        # Every step, in order: the first one with a problem is shown.
        state = self.basic.name_state()
        if state is False and not self.editing:
            self.basic.check_now(self.draft.name.strip())
        for step in range(1, len(STEPS) + 1):
            if step == 1 and state is False and not self.editing:
                _, problems = self.draft.build(1)
                if not problems:
                    continue  # the name is well-formed; the store decides on save
            if not self._check_step(step):
                if self.step != step:
                    self._go(step)
                    self._check_step(step)  # show the problems on the step now visible
                return
        definition, problems = self.draft.build(4)
        if definition is None:
            self._show_problems(problems)
            return
        self._saving = True
        self.notify("Saving…", timeout=2)
        self._save(definition, self.base_revision if self.editing else None, not self.editing)

    def _save(self, definition: Definition, base_revision: int | None, create: bool) -> None:
        self._store(self.ctx, definition, base_revision, create)

    @warehouse_work("save the dataset", group="wizard-save")
    def _store(self, ctx: Any, definition: Definition, base_revision: int | None, create: bool) -> None:
        from dataset_tui.domain.definition import DefinitionError
        from dataset_tui.store import ConflictError, NameTakenError
        from dataset_tui.tui.wizard import calls

        try:
            outcome = calls.save(ctx, definition, base_revision=base_revision, create=create)
        except ConflictError as exc:
            self.post_message(msg.SaveConflict(str(exc), exc.current_revision))
            return
        except NameTakenError as exc:
            self.post_message(msg.SaveRefused([Problem(path="name", message=str(exc))]))
            return
        except DefinitionError as exc:
            self.post_message(msg.SaveRefused(list(exc.problems)))
            return
        except Exception:
            self.post_message(msg.SaveFailed())
            raise
        self.post_message(msg.Saved(outcome))

    @on(msg.SaveFailed)
    def _save_failed(self) -> None:
        # The error itself reaches the user through the app's one handler.
        self._saving = False

    @on(msg.SaveRefused)
    def _save_refused(self, event: msg.SaveRefused) -> None:
        self._show_problems(event.problems)

    def _show_problems(self, problems: list[Problem]) -> None:
        """Problems found on save: go to the first step they are about and show them there."""
        self._saving = False
        if not problems:
            return
        step = min(step_of(p.path) for p in problems)
        if self.step != step:
            self._go(step)
        self._show_step_problems(step, [p for p in problems if step_of(p.path) == step])

    @on(msg.Saved)
    def _saved(self, event: msg.Saved) -> None:
        from dataset_tui.tui import actions

        outcome = event.outcome
        self._saving = False
        self._initial = comparable(self.draft)  # nothing unsaved any more
        self.notify(outcome.describe()[0].upper() + outcome.describe()[1:] + ".", title="Saved")
        actions.changed(self, outcome.head.name)
        self.dismiss(outcome.head.name)

    @on(msg.SaveConflict)
    def _conflict(self, event: msg.SaveConflict) -> None:
        from dataset_tui.tui.wizard.conflict_dialog import ConflictScreen

        self._saving = False

        def answer(choice: str | None) -> None:
            if choice == "reload":
                self._reload()
            elif choice == "save_as":
                self._save_as_new()

        self.app.push_screen(ConflictScreen(self.draft.name, event.message, event.current_revision), callback=answer)

    def _reload(self) -> None:
        self._fetch_latest(self.ctx, self.draft.name)

    @warehouse_work("reload the dataset", group="wizard-reload")
    def _fetch_latest(self, ctx: Any, name: str) -> None:
        from dataset_tui.tui.wizard import calls

        revision, definition = calls.latest(ctx, name)
        self.post_message(msg.Reloaded(revision, definition))

    @on(msg.Reloaded)
    def _reloaded(self, event: msg.Reloaded) -> None:
        revision, definition = event.revision, event.definition
        self.base_revision = revision
        self.draft = WizardDraft.from_definition(definition)
        self._initial = comparable(self.draft)
        for step in range(1, len(STEPS) + 1):
            self._step(step).load(self.draft)
        self._ensure_schemas()
        self._load_cached(self.draft.name)
        self._go(1)
        self._update_title()
        self.notify(f"Reloaded v{revision}: apply your change again, then ctrl+s.", title="Reloaded")

    def _save_as_new(self) -> None:
        from dataset_tui.tui.screens.confirm import NameScreen
        from dataset_tui.tui.wizard import calls as wizard_calls

        def chosen(name: str | None) -> None:
            if not name:
                return
            self.draft.name = name
            definition, problems = self.draft.build(4)
            if definition is None:
                self._show_problems(problems)
                return
            self.editing = False
            self.base_revision = None
            self.basic.set_editing(False)
            self._update_title()
            self._saving = True
            self._save(definition, None, True)

        self.app.push_screen(
            NameScreen(
                "Save as a new dataset",
                f"{self.draft.name}_mine",
                lambda n: wizard_calls.name_problem(self.ctx, n),
                ok="Save",
            ),
            callback=chosen,
        )


def _message(exc: BaseException) -> str:
    from dataset_tui.services.errors import user_message

    return user_message(exc) or f"{type(exc).__name__}: {exc}"

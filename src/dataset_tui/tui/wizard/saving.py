"""Saving the wizard's draft: checks first, the store in a worker, conflicts and "save as new"."""


from typing import Any

from textual import on

from dataset_tui.domain.definition import Definition, Problem
from dataset_tui.tui.wizard import messages as msg
from dataset_tui.tui.wizard.draft import (
    STEPS,
    WizardDraft,
    comparable,
    step_of,
)
from dataset_tui.tui.wizard.loading import WizardLoading
from dataset_tui.tui.work import warehouse_work


class WizardSaving(WizardLoading):
    """ctrl+s and what follows it."""

    def action_save(self) -> None:
        self._after_typed_keys(self._save_now)

    def _save_now(self) -> None:
        if self._saving:
            return
        # Every step, in order: the first one with a problem is shown.
        state = self.basic.name_state()
        if not state.checked and not self.editing:
            self.basic.check_now(self.draft.name.strip())
        for step in range(1, len(STEPS) + 1):
            if step == 1 and not state.checked and not self.editing:
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

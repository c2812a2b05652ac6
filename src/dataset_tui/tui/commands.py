"""Command palette (ctrl+p): every action of the screen, switch model or profile, open a dataset.

Typing never creates anything by itself: a new model is offered only for
`model NAME`, as an option labelled "Create model 'NAME'", so a search that
matches nothing (say "undelete") cannot land the user in an empty new model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dataset_tui.tui.context import app_context

# Opening a dataset by name scales with the store; the palette shows at most this many.
MAX_DATASET_HITS = 50
# What the user types before a name to be offered a new model.
NEW_MODEL_PREFIX = "model "


class DatasetCommands(Provider):
    """Actions, models, profiles and datasets."""

    async def startup(self) -> None:
        app = self.app
        ctx = app_context(self)
        self._screen_actions = self._actions_of(self.screen)
        # Reading names is cheap (the store keeps heads in one small file), but
        # run it off the event loop anyway: another process may have changed it.
        self._models: list[str] = []
        self._datasets: list[str] = []
        worker = app.run_worker(partial(self._read_store, ctx), thread=True, exit_on_error=False)
        await worker.wait()
        if worker.result is not None:
            self._models, self._datasets = worker.result
        self._profiles = ctx.settings.names()

    @staticmethod
    def _read_store(ctx: Any) -> tuple[list[str], list[str]]:
        from dataset_tui.services import definitions

        models = sorted({"default", ctx.model, *definitions.list_models(ctx)})
        names = [h.name for h in definitions.list_datasets(ctx)]
        return models, names

    def _actions_of(self, screen: Any) -> list[tuple[str, Callable[[], Any], str]]:
        out: list[tuple[str, Callable[[], Any], str]] = []
        for cls in type(screen).__mro__:
            for binding in cls.__dict__.get("BINDINGS", []):
                action, description = binding.action, binding.description
                if description and not action.startswith("app.pop_screen"):
                    title = f"{screen.__class__.__doc__ or 'Screen'}: {description}".replace("\n", " ")
                    keys = self.app.get_key_display(binding)
                    out.append((title, partial(screen.run_action, action), f"key {keys}"))
        return out

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: Any = self.app
        ctx = app_context(self)
        commands = list(self._screen_actions)
        for model in self._models:
            if model != ctx.model:
                switch = partial(app.switch_model, model)
                commands.append((f"Switch model: {model}", switch, "datasets of another model"))
        for profile in self._profiles:
            if profile != ctx.profile.name:
                switch = partial(app.switch_profile, profile)
                commands.append((f"Switch profile: {profile}", switch, "another warehouse"))
        commands.append(
            (
                "Deleted datasets: undelete or purge",
                self._show_deleted,
                "the list's deleted view (f), u undelete, p purge",
            )
        )
        commands.append(
            ("Create a model…", self._explain_new_model, f"type {NEW_MODEL_PREFIX.strip()} NAME here to create one")
        )
        return commands

    def _show_deleted(self) -> None:
        from dataset_tui.tui.quitting import unsaved
        from dataset_tui.tui.screens.datasets import DatasetsScreen

        above = self.app.screen_stack[2:]  # [0] is Textual's default screen, [1] the list
        if unsaved(list(above)):
            self.app.notify("Save or leave the wizard first: the deleted view is on the list.", severity="warning")
            return
        for _ in above:
            self.app.pop_screen()
        home = self.app.screen_stack[1]
        if isinstance(home, DatasetsScreen):
            home.show_filter("deleted")

    def _explain_new_model(self) -> None:
        self.app.notify(
            f"Type {NEW_MODEL_PREFIX}NAME in the palette (ctrl+p), then choose Create model 'NAME'.",
            title="Create a model",
        )

    def _open(self, name: str) -> None:
        from dataset_tui.tui.screens.detail import DetailScreen

        self.app.push_screen(DetailScreen(name))

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        # A model is only a namespace: a new one starts empty. Offered only
        # when asked for by name, never as the answer to a search.
        from dataset_tui.domain.definition import MODEL_RE

        if query.lower().startswith(NEW_MODEL_PREFIX):
            wanted = query[len(NEW_MODEL_PREFIX) :].strip()
            if MODEL_RE.fullmatch(wanted) and wanted not in self._models:
                app: Any = self.app
                title = f"Create model '{wanted}' (new, empty) and switch to it"
                yield Hit(1.0, title, partial(app.switch_model, wanted), help="a new, empty model namespace")
        shown = 0
        for name in self._datasets:
            title = f"Open dataset: {name}"
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), partial(self._open, name), help="detail screen")
                shown += 1
                if shown >= MAX_DATASET_HITS:
                    break

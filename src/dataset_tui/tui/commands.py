"""Command palette (ctrl+p): every action of the screen, switch model or profile, open a dataset."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

# Opening a dataset by name scales with the store; the palette shows at most this many.
MAX_DATASET_HITS = 50


class DatasetCommands(Provider):
    """Actions, models, profiles and datasets."""

    async def startup(self) -> None:
        app: Any = self.app
        self._screen_actions = self._actions_of(self.screen)
        # Reading names is cheap (the store keeps heads in one small file), but
        # run it off the event loop anyway: another process may have changed it.
        self._models: list[str] = []
        self._datasets: list[str] = []
        worker = app.run_worker(partial(self._read_store, app.ctx), thread=True, exit_on_error=False)
        await worker.wait()
        if worker.result is not None:
            self._models, self._datasets = worker.result
        self._profiles = app.ctx.settings.names()

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
        commands = list(self._screen_actions)
        for model in self._models:
            if model != app.ctx.model:
                commands.append((f"Switch model: {model}", partial(app.switch_model, model), "datasets of another model"))
        for profile in self._profiles:
            if profile != app.ctx.profile.name:
                commands.append((f"Switch profile: {profile}", partial(app.switch_profile, profile), "another warehouse"))
        return commands

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
        # A model is only a namespace: switching to a new one starts it empty.
        from dataset_tui.domain.definition import MODEL_RE

        wanted = query.strip()
        if MODEL_RE.fullmatch(wanted) and wanted not in self._models:
            title = f"Switch model: {wanted} (new, empty)"
            yield Hit(0.5, title, partial(self.app.switch_model, wanted), help="start a new model namespace")  # type: ignore[attr-defined]
        shown = 0
        for name in self._datasets:
            title = f"Open dataset: {name}"
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), partial(self._open, name), help="detail screen")
                shown += 1
                if shown >= MAX_DATASET_HITS:
                    break

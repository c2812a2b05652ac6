"""Dataset actions shared by the home, detail and history screens.

`e`, `c`, `a` and `d` mean the same on every screen, so they are written once
here: each asks what it must (a name, a confirmation), runs the service in a
worker, and tells every screen that the datasets changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from dataset_tui.tui.messages import DatasetsChanged
from dataset_tui.tui.work import warehouse_work


def _ctx(screen: Screen[Any]) -> Any:
    return screen.app.ctx  # type: ignore[attr-defined]


def changed(screen: Screen[Any], name: str | None) -> None:
    """Tell every screen on the stack that datasets changed (call on the event loop)."""
    for s in screen.app.screen_stack:
        s.post_message(DatasetsChanged(name))


def edit(screen: Screen[Any], name: str, callback: Callable[[str | None], None] | None = None) -> None:
    """Open the wizard on the dataset's latest version (edits start from the newest draft)."""
    _Runner.open_wizard(screen, name, callback=callback)


def name_problem(screen: Screen[Any], new_name: str) -> str | None:
    from dataset_tui.services import definitions

    return definitions.name_problem(_ctx(screen), new_name)


def clone(screen: Screen[Any], name: str) -> None:
    """Clone as is, or (ctrl+e) open the wizard on a copy to change it before the first save."""
    from dataset_tui.tui.screens.confirm import NameScreen

    ask = NameScreen(
        f"Clone {name} as", f"{name}_copy", lambda n: name_problem(screen, n), ok="Clone", alternative="Clone and edit"
    )

    def done(new_name: str | None) -> None:
        if not new_name:
            return
        if ask.chose_alternative:
            _clone_and_edit(screen, name, new_name)
        else:
            _Runner.clone(screen, name, new_name)

    screen.app.push_screen(ask, callback=done)


def _clone_and_edit(screen: Screen[Any], name: str, new_name: str) -> None:
    def saved(result: str | None) -> None:
        if result:
            changed(screen, result)

    _Runner.open_wizard(screen, name, callback=saved, clone_as=new_name)


def activate(screen: Screen[Any], name: str, version: int | None = None) -> None:
    screen.notify(f"Activating {name}: checking tables and columns, then a dry run…")
    _Runner.activate(screen, name, version)


def delete(screen: Screen[Any], head: Any, after: Callable[[], None] | None = None) -> None:
    from dataset_tui.tui.screens.confirm import ConfirmScreen, TypeNameScreen

    def done(ok: bool | None) -> None:
        if ok:
            _Runner.delete(screen, head.name, head.status == "active", after)

    if head.status == "active":
        screen.app.push_screen(
            TypeNameScreen(
                f"Delete active dataset {head.name}?",
                f"Pipelines use v{head.active_version} of it. It can be brought back with "
                f"`dataset-tui undelete {head.name}` until purged. Type its name to delete it:",
                head.name,
            ),
            callback=done,
        )
    else:
        screen.app.push_screen(
            ConfirmScreen(
                f"Delete draft {head.name}?",
                f"Its {head.versions} version(s) are kept until purged: "
                f"`dataset-tui undelete {head.name}` brings it back.",
                yes="Delete",
                danger=True,
            ),
            callback=done,
        )


class _Runner:
    """Workers need a DOM node to belong to; the screen the user acted on is that node."""

    @staticmethod
    def open_wizard(
        screen: Screen[Any],
        name: str,
        *,
        callback: Callable[[str | None], None] | None,
        clone_as: str | None = None,
    ) -> None:
        """Read the latest version off the event loop, then open the wizard on it (or on a copy)."""

        @warehouse_work("open the wizard", group="open-wizard")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions
            from dataset_tui.tui.screens.wizard import WizardScreen

            head = definitions.get_dataset(_ctx(self), name)
            definition = definitions.get_version(_ctx(self), name, head.revision).definition
            if clone_as is not None:
                definition = definition.replace(name=clone_as)

            def push() -> None:  # widgets are made on the event loop, not in this thread
                if clone_as is None:
                    wizard = WizardScreen(definition, base_revision=head.revision)
                else:
                    wizard = WizardScreen(definition, clone_of=name)
                self.app.push_screen(wizard, callback)

            self.app.call_from_thread(push)

        run(screen)

    @staticmethod
    def clone(screen: Screen[Any], name: str, new_name: str) -> None:
        @warehouse_work("clone", group="clone")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            definitions.clone(_ctx(self), name, new_name)
            self.app.call_from_thread(_done, self, f"Cloned {name} as {new_name}.", new_name)

        run(screen)

    @staticmethod
    def activate(screen: Screen[Any], name: str, version: int | None) -> None:
        @warehouse_work("activate", group="activate")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            head = definitions.activate(_ctx(self), name, version=version)
            self.app.call_from_thread(_done, self, f"{name}: v{head.active_version} is active.", name)

        run(screen)

    @staticmethod
    def delete(screen: Screen[Any], name: str, force: bool, after: Callable[[], None] | None) -> None:
        @warehouse_work("delete", group="delete")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            definitions.delete(_ctx(self), name, force=force)
            self.app.call_from_thread(_done, self, f"Deleted {name}. `dataset-tui undelete {name}` brings it back.", None)
            if after is not None:
                self.app.call_from_thread(after)

        run(screen)


def _done(screen: Screen[Any], text: str, name: str | None) -> None:
    screen.notify(text)
    changed(screen, name)

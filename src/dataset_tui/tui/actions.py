"""Dataset actions shared by the home, detail and history screens.

`e`, `c`, `a`, `d` (and `u`, `p` in the deleted view) mean the same on every
screen, so they are written once here: each asks what it must (a name, a
confirmation), runs the service in a worker, and the worker posts an
`ActionDone` message; the app (app.py) says what happened and tells every
screen that the datasets changed. Errors go to the app's one handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from dataset_tui.tui.context import app_context
from dataset_tui.tui.messages import ActionDone, DatasetsChanged, OpenWizard
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


def _ctx(screen: Screen[Any]) -> AppContext:
    return app_context(screen)


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


def clone(screen: Screen[Any], name: str, version: int) -> None:
    """Clone `version` (the one the user is looking at) as is, or (ctrl+e) open the wizard on a copy.

    The home list and the detail screen pass the version in use (active, else
    the latest); history passes the selected one. The dialog names it.
    """
    from dataset_tui.tui.screens.confirm import NameScreen

    ask = NameScreen(
        f"Clone {name} v{version} as",
        f"{name}_copy",
        lambda n: name_problem(screen, n),
        ok="Clone",
        alternative="Clone and edit",
    )

    def done(new_name: str | None) -> None:
        if not new_name:
            return
        if ask.chose_alternative:
            _clone_and_edit(screen, name, version, new_name)
        else:
            _Runner.clone(screen, name, version, new_name)

    screen.app.push_screen(ask, callback=done)


def _clone_and_edit(screen: Screen[Any], name: str, version: int, new_name: str) -> None:
    def saved(result: str | None) -> None:
        if result:
            changed(screen, result)

    _Runner.open_wizard(screen, name, callback=saved, clone_as=new_name, version=version)


def activate(screen: Screen[Any], name: str, version: int | None = None) -> None:
    screen.notify(f"Activating {name}: checking tables and columns, then a dry run…")
    _Runner.activate(screen, name, version)


def delete(screen: Screen[Any], head: Any) -> None:
    from dataset_tui.tui.screens.confirm import ConfirmScreen, TypeNameScreen

    def done(ok: bool | None) -> None:
        if ok:
            _Runner.delete(screen, head.name, head.status == "active")

    if head.status == "active":
        screen.app.push_screen(
            TypeNameScreen(
                f"Delete active dataset {head.name}?",
                f"Pipelines use v{head.active_version} of it. It can be brought back (f: deleted, u) "
                f"until purged. Type its name to delete it:",
                head.name,
            ),
            callback=done,
        )
    else:
        screen.app.push_screen(
            ConfirmScreen(
                f"Delete draft {head.name}?",
                f"Its {_versions(head.versions)} kept until purged: press f until the list shows "
                "deleted, then u brings it back.",
                yes="Delete",
                danger=True,
            ),
            callback=done,
        )


def undelete(screen: Screen[Any], name: str) -> None:
    """Bring a deleted dataset back; if its name was taken since, ask for another."""
    from dataset_tui.tui.screens.confirm import NameScreen

    if name_problem(screen, name) is None:
        _Runner.undelete(screen, name, None)
        return

    def done(new_name: str | None) -> None:
        if new_name:
            _Runner.undelete(screen, name, new_name)

    screen.app.push_screen(
        NameScreen(
            f"{name} is taken now: undelete it as",
            f"{name}_restored",
            lambda n: name_problem(screen, n),
            ok="Undelete",
        ),
        callback=done,
    )


def purge(screen: Screen[Any], head: Any) -> None:
    """Remove a deleted dataset for good, behind its typed name."""
    from dataset_tui.tui.screens.confirm import TypeNameScreen

    def done(ok: bool | None) -> None:
        if ok:
            _Runner.purge(screen, head.name)

    screen.app.push_screen(
        TypeNameScreen(
            f"Purge {head.name} for good?",
            f"Its {_versions(head.versions)} will be removed and cannot be brought back. "
            "Type its name to purge it:",
            head.name,
            ok="Purge",
        ),
        callback=done,
    )


def _versions(n: int) -> str:
    from dataset_tui.tui.summaries import plural

    return plural(n, "version") + (" is" if n == 1 else " are")


class _Runner:
    """Workers need a DOM node to belong to; the screen the user acted on is that node.

    Each posts one message back (never touches a widget from its thread).
    """

    @staticmethod
    def open_wizard(
        screen: Screen[Any],
        name: str,
        *,
        callback: Callable[[str | None], None] | None,
        clone_as: str | None = None,
        version: int | None = None,
    ) -> None:
        """Read the version off the event loop (default: the latest); the app then opens the wizard on it."""

        @warehouse_work("open the wizard", group="open-wizard")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            head = definitions.get_dataset(_ctx(self), name)
            number = version if version is not None else head.revision
            definition = definitions.get_version(_ctx(self), name, number).definition
            if clone_as is not None:
                self.post_message(OpenWizard(definition.replace(name=clone_as), callback, clone_of=name))
            else:
                self.post_message(OpenWizard(definition, callback, base_revision=head.revision))

        run(screen)

    @staticmethod
    def clone(screen: Screen[Any], name: str, version: int, new_name: str) -> None:
        @warehouse_work("clone", group="clone")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            definitions.clone(_ctx(self), name, new_name, version=version)
            self.post_message(ActionDone(f"Cloned {name} v{version} as {new_name}.", new_name))

        run(screen)

    @staticmethod
    def activate(screen: Screen[Any], name: str, version: int | None) -> None:
        @warehouse_work("activate", group="activate")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            head = definitions.activate(_ctx(self), name, version=version)
            self.post_message(ActionDone(f"{name}: v{head.active_version} is active.", name))

        run(screen)

    @staticmethod
    def delete(screen: Screen[Any], name: str, force: bool) -> None:
        @warehouse_work("delete", group="delete")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            definitions.delete(_ctx(self), name, force=force)
            text = f"Deleted {name}. The list's deleted view (f) brings it back with u."
            self.post_message(ActionDone(text, None, gone=name))

        run(screen)

    @staticmethod
    def undelete(screen: Screen[Any], name: str, as_name: str | None) -> None:
        @warehouse_work("undelete", group="undelete")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            head = definitions.undelete(_ctx(self), name, as_name=as_name)
            where = f" as {head.name}" if head.name != name else ""
            self.post_message(ActionDone(f"Brought back {name}{where} ({head.badge}).", head.name))

        run(screen)

    @staticmethod
    def purge(screen: Screen[Any], name: str) -> None:
        @warehouse_work("purge", group="purge")
        def run(self: Screen[Any]) -> None:
            from dataset_tui.services import definitions

            definitions.purge(_ctx(self), name)
            self.post_message(ActionDone(f"Purged {name}: it is gone for good.", None, gone=name))

        run(screen)

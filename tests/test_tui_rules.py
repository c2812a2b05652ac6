"""The rules every screen keeps (issue: a day of real use), driven by keys (Pilot).

One quit rule (q and ctrl+q from every screen, asking first when work is
unsaved; ctrl+c says the same everywhere), the safe answer focused in every
confirmation, the export dialog's defaults equal to the CLI's, the palette
never creating a model from a search, deleted datasets with a home in the app.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext
from tui_support import (  # noqa: F401 - fixtures
    add,
    app_for,
    fixed_clock,
    names_on_screen,
    notifications,
    press,
    settle,
    started,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def ctx(open_context: Any, demo_file: Path) -> AppContext:
    context = open_context(demo_file)
    add(context, "alpha")
    add(context, "beta")
    return context


def record_exit(app: Any) -> list[bool]:
    exits: list[bool] = []
    app.exit = lambda *args, **kwargs: exits.append(True)
    return exits


# keys from the list to each screen; the screen's class name, checked before q
SCREENS = {
    "DatasetsScreen": (),
    "DetailScreen": ("enter",),
    "HistoryScreen": ("h",),
    "CompareScreen": ("space", "space", "m"),
    "PreviewScreen": ("enter", "p"),
    "ExportScreen": ("x",),
    "HelpScreen": ("question_mark",),
    "ConfirmScreen": ("d",),
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_q_and_ctrl_q_quit_from_every_screen(ctx: AppContext, screen: str, key: str) -> None:
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        for k in SCREENS[screen]:
            await press(pilot, k)
        assert type(app.screen).__name__ == screen
        exits = record_exit(app)
        await press(pilot, key)
        assert exits == [True]


async def test_q_in_a_text_box_types_and_ctrl_q_still_quits(ctx: AppContext) -> None:
    from textual.widgets import Input

    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        exits = record_exit(app)
        await press(pilot, "slash", "q")
        assert app.screen.query_one("#search", Input).value == "q"
        assert exits == []
        await pilot.press("ctrl+q")
        assert exits == [True]


async def test_ctrl_c_says_the_same_thing_on_every_screen(ctx: AppContext) -> None:
    from dataset_tui.tui.quitting import QUIT_HINT

    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        seen = []
        for keys in ((), ("enter",), ("h",)):
            for k in keys:
                await press(pilot, k)
            app.clear_notifications()
            await press(pilot, "ctrl+c")
            seen.append(notifications(app))
        assert seen == [[QUIT_HINT]] * 3


def unsaved_screen(dirty: bool) -> Any:
    from textual.screen import Screen
    from textual.widgets import Label

    class Editor(Screen[None]):
        """Editor"""

        def compose(self) -> Any:
            yield Label("editing")

        def has_unsaved_changes(self) -> bool:
            return dirty

    return Editor()


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quitting_with_unsaved_work_asks_and_stay_is_the_default(ctx: AppContext, key: str) -> None:
    from textual.widgets import Button

    from dataset_tui.tui.screens.confirm import QuitConfirmScreen

    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        app.push_screen(unsaved_screen(True))
        await settle(pilot)
        app.push_screen(unsaved_screen(False))  # a clean screen above a dirty one still asks
        await settle(pilot)
        exits = record_exit(app)
        await press(pilot, key)
        assert isinstance(app.screen, QuitConfirmScreen) and exits == []
        assert app.screen.focused is app.screen.query_one("#no", Button)
        await press(pilot, key)  # asking twice does not stack a second question
        assert len([s for s in app.screen_stack if isinstance(s, QuitConfirmScreen)]) == 1
        await press(pilot, "enter")  # the reflex keeps the work
        assert exits == [] and not isinstance(app.screen, QuitConfirmScreen)
        await press(pilot, key)
        await press(pilot, "y")
        assert exits == [True]


async def test_quitting_with_only_clean_screens_does_not_ask(ctx: AppContext) -> None:
    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        app.push_screen(unsaved_screen(False))
        await settle(pilot)
        exits = record_exit(app)
        await pilot.press("q")
        assert exits == [True]


@pytest.mark.parametrize("keys", [("d",), ("enter", "d")], ids=["list", "detail"])
async def test_confirmations_focus_the_safe_answer(ctx: AppContext, keys: tuple[str, ...]) -> None:
    from textual.widgets import Button

    from dataset_tui.tui.screens.confirm import ConfirmScreen

    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        for k in keys:
            await press(pilot, k)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.focused is app.screen.query_one("#no", Button)
        await press(pilot, "enter")
        assert definitions.get_dataset(ctx, "alpha").deleted_at is None


# -- the export dialog starts where `dataset-tui export NAME` does ------------


@pytest.mark.parametrize("split", [True, False], ids=["with-split", "no-split"])
async def test_export_dialog_defaults_are_the_cli_defaults(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split: bool
) -> None:
    from textual.widgets import Input

    from dataset_tui.cli import main
    from dataset_tui.tui.widgets.tick_box import TickBox

    if not split:
        add(ctx, "gamma", split=None)
    name = "alpha" if split else "gamma"
    definitions.activate(ctx.store, ctx.model, name, checks=None)
    v1_filters = definitions.get_version(ctx, name, 1).definition.to_dict()["filters"]
    add(ctx, name, "a newer draft", filters={**v1_filters, "min_transactions": 3})
    tui_dir, cli_dir = tmp_path / "tui", tmp_path / "cli"
    tui_dir.mkdir()
    cli_dir.mkdir()
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        if not split:
            await pilot.press("down", "down")
        await press(pilot, "x")
        ticked = [box.id for box in app.screen.query(TickBox) if box.value]
        assert app.screen.query_one("#as-of", Input).value == ""  # live, as the CLI without --as-of
        assert app.screen.query_one("#folder", Input).value == str(Path.cwd())  # the CLI's -o .
        app.screen.query_one("#folder", Input).value = str(tui_dir)
        await press(pilot, "ctrl+s")
        await settle(pilot)
    assert sorted(ticked) == (["item-eval", "item-full", "item-train"] if split else ["item-full"])
    monkeypatch.chdir(cli_dir)
    assert main(["--db", str(ctx.store.folder), "export", name]) == 0
    written = sorted(p.name for p in tui_dir.iterdir())
    assert written == sorted(p.name for p in cli_dir.iterdir())
    # the active version (v1), not the newer draft, as the CLI
    splits = ["eval", "full", "train"] if split else ["full"]
    expected = [f"{name}_v1_{s}.sql" for s in splits]
    assert written == expected
    for file in written:
        assert (tui_dir / file).read_text() == (cli_dir / file).read_text(), file


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no-colour"])
async def test_export_checkboxes_show_their_state_without_colour(ctx: AppContext, no_color: bool) -> None:
    from dataset_tui.tui.widgets.tick_box import TickBox

    app = app_for(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        if no_color:
            app.no_color = True  # what NO_COLOR=1 sets
        await settle(pilot)
        await press(pilot, "x")
        marks = {box.id: str(box.render())[:3] for box in app.screen.query(TickBox)}
    assert marks["item-train"] == marks["item-full"] == "▐X▌"
    assert marks["item-tfx"] == marks["item-definition"] == "▐ ▌"


# -- the palette never makes a model from a search ----------------------------


async def palette(pilot: Any, text: str) -> None:
    await press(pilot, "ctrl+p")
    await pilot.press(*text)
    await pilot.pause(0.6)
    await press(pilot, "enter")


async def test_palette_search_for_undelete_shows_the_deleted_view_not_a_new_model(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.datasets import DatasetsScreen

    definitions.delete(ctx, "beta")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "enter")  # from the detail screen too
        await palette(pilot, "undelete")
        assert ctx.model == "default"
        assert isinstance(app.screen, DatasetsScreen) and app.screen.status_filter == "deleted"
        assert names_on_screen(app) == ["beta"]
        await palette(pilot, "zzqq")  # matches nothing: enter does nothing
        from textual.command import CommandPalette

        assert ctx.model == "default" and isinstance(app.screen, CommandPalette)
        await press(pilot, "escape")
        await palette(pilot, "model zzqq")  # asked for by name: offered, labelled
        assert ctx.model == "zzqq"


# -- deleted datasets: f shows them, u brings one back, p purges behind its name


async def test_deleted_view_undelete_and_purge(ctx: AppContext) -> None:
    from textual.widgets import Input

    from dataset_tui.tui.screens.confirm import NameScreen, TypeNameScreen

    definitions.delete(ctx, "alpha")
    definitions.delete(ctx, "beta")
    add(ctx, "beta", "a new beta took the name")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        for _ in range(3):
            await pilot.press("f")
        await settle(pilot)
        assert sorted(names_on_screen(app)) == ["alpha", "beta"]
        footer_keys = {b.key for _, b, enabled, _ in app.screen.active_bindings.values() if enabled}
        assert {"u", "p"} <= footer_keys and "e" not in footer_keys
        await press(pilot, "enter", "e", "d")  # live-dataset keys do nothing to a deleted one
        assert type(app.screen).__name__ == "DatasetsScreen"
        if names_on_screen(app)[0] != "beta":
            await pilot.press("down")
        await press(pilot, "u")  # beta's name is taken: ask for another
        assert isinstance(app.screen, NameScreen)
        assert app.screen.query_one("#name", Input).value == "beta_restored"
        await press(pilot, "enter")
        await settle(pilot)
        assert definitions.get_dataset(ctx, "beta_restored").versions == 1
        assert names_on_screen(app) == ["alpha"]
        await press(pilot, "p")
        assert isinstance(app.screen, TypeNameScreen)
        await pilot.press("enter")  # nothing typed: nothing purged
        await press(pilot, *"alph", "enter")
        assert isinstance(app.screen, TypeNameScreen)
        await press(pilot, "a", "enter")
        await settle(pilot)
        assert names_on_screen(app) == []
        assert definitions.deleted_datasets(ctx) == []
        await press(pilot, "f")
        assert sorted(names_on_screen(app)) == ["beta", "beta_restored"]


async def test_undelete_keeps_the_name_when_it_is_free(ctx: AppContext) -> None:
    definitions.delete(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        for _ in range(3):
            await pilot.press("f")
        await settle(pilot)
        await press(pilot, "u")
        await settle(pilot)
        assert definitions.get_dataset(ctx, "alpha").deleted_at is None
        assert any("Brought back alpha" in n for n in notifications(app))


# -- clone copies the version the user is looking at --------------------------


async def make_active_and_newer(ctx: AppContext) -> None:
    data = definitions.get_version(ctx, "alpha", 1).definition.to_dict()
    definitions.activate(ctx.store, ctx.model, "alpha", checks=None)
    data["filters"]["min_transactions"] = 7
    from dataset_tui.domain.definition import parse_definition

    definitions.save(ctx, parse_definition(data), base_revision=1)


@pytest.mark.parametrize(
    ("keys", "version"),
    [(("c",), 1), (("enter", "c"), 1), (("h", "c"), 2), (("h", "down", "c"), 1)],
    ids=["list-active", "detail-active", "history-newest", "history-older"],
)
async def test_clone_copies_the_version_being_viewed(ctx: AppContext, keys: tuple[str, ...], version: int) -> None:
    from textual.widgets import Label

    await make_active_and_newer(ctx)
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        for k in keys:
            await press(pilot, k)
        assert str(app.screen.query_one(".title", Label).content) == f"Clone alpha v{version} as"
        await press(pilot, "enter")
        await settle(pilot)
    copied = definitions.get_version(ctx, "alpha_copy", 1).definition
    expected = definitions.get_version(ctx, "alpha", version).definition
    assert copied.filters == expected.filters


# -- workers post messages; no widget is touched off the event loop ------------


@pytest.fixture
def widgets_touched_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every query/mount/update made from a thread other than the event loop's."""
    import threading

    from textual.dom import DOMNode
    from textual.widget import Widget
    from textual.widgets import Label, Static

    offenders: list[str] = []
    main = threading.main_thread()

    def guard(cls: Any, name: str) -> None:
        original = getattr(cls, name)

        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not main:
                offenders.append(f"{type(self).__name__}.{name} from {threading.current_thread().name}")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, checked)

    touching = (
        (DOMNode, "query_one"),
        (DOMNode, "query"),
        (Widget, "__init__"),
        (Widget, "mount"),
        (Static, "update"),
        (Label, "update"),
    )
    for cls, name in touching:
        guard(cls, name)
    return offenders


async def test_screens_workers_never_touch_widgets(ctx: AppContext, widgets_touched_off_the_loop: list[str]) -> None:
    from dataset_tui.tui.screens.preview import PreviewScreen

    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        for keys in (("enter",), ("r",), ("v",), ("p",), ("escape", "h"), ("t",), ("escape", "escape")):
            for k in keys:
                await press(pilot, k)
            if keys == ("p",):
                assert isinstance(app.screen, PreviewScreen)
        await press(pilot, "space", "space", "m")
        await press(pilot, "escape", "x")
        await press(pilot, "escape", "c")
        await press(pilot, "enter")
        await settle(pilot)
        assert any(name.endswith("_copy") for name in names_on_screen(app))  # the clone ran, its result came back
    assert widgets_touched_off_the_loop == []


def every_confirmation() -> list[tuple[str, Any]]:
    from dataset_tui.tui.screens.confirm import (
        ConfirmScreen,
        QuitConfirmScreen,
        TypeNameScreen,
    )
    from dataset_tui.tui.screens.cost import CostScreen
    from dataset_tui.warehouse.base import DryRun

    return [
        ("delete", lambda: ConfirmScreen("Delete draft x?", yes="Delete", danger=True)),
        ("discard", lambda: ConfirmScreen("Discard changes?", yes="Discard", danger=True)),
        ("overwrite", lambda: ConfirmScreen("Overwrite existing files?", yes="Overwrite", danger=True)),
        ("quit", lambda: QuitConfirmScreen("Quit and lose unsaved changes?", yes="Quit without saving", danger=True)),
        ("cost", lambda: CostScreen("Analyze", DryRun(bytes_processed=10**12, cost_usd=6.25), None)),
        ("typed-name", lambda: TypeNameScreen("Purge x for good?", "Type its name:", "x", ok="Purge")),
    ]


@pytest.mark.parametrize("which", [name for name, _ in every_confirmation()])
async def test_enter_and_escape_never_confirm_anything(ctx: AppContext, which: str) -> None:
    make = dict(every_confirmation())[which]
    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        for keys in (("enter",), ("escape",), ("escape", "enter")):
            answers: list[Any] = []
            dialog = make()
            app.push_screen(dialog, callback=answers.append)
            await settle(pilot)
            await press(pilot, *keys)
            # Declined, or (a typed-name dialog with nothing typed) still asking.
            assert answers == [False] or (not answers and app.screen is dialog), (keys, answers)
            if app.screen is dialog:
                await press(pilot, "escape")
                assert answers == [False]


# -- the quit rule holds on every screen of the package, dialogs included ----


def screen_classes() -> dict[str, type]:
    """Every Screen class defined in dataset_tui.tui: a screen added later cannot miss the test below."""
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import dataset_tui.tui as tui

    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(tui.__path__, "dataset_tui.tui."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Screen) and obj.__module__ == module.__name__:
                found[obj.__name__] = obj
    return found


def make_screen(name: str, app: Any) -> Any:
    """An instance of each screen class, as the app would open it (None: the home list, already open)."""
    from dataset_tui.services.runs import Preview, PreviewColumn
    from dataset_tui.tui.screens.as_of import AsOfScreen
    from dataset_tui.tui.screens.compare import CompareScreen
    from dataset_tui.tui.screens.confirm import ConfirmScreen, NameScreen, QuitConfirmScreen, TypeNameScreen
    from dataset_tui.tui.screens.cost import CostScreen
    from dataset_tui.tui.screens.demo_build import DemoBuildScreen
    from dataset_tui.tui.screens.detail import DetailScreen
    from dataset_tui.tui.screens.export import ExportScreen
    from dataset_tui.tui.screens.help import HelpScreen
    from dataset_tui.tui.screens.history import HistoryScreen
    from dataset_tui.tui.screens.materialize import MaterializeScreen
    from dataset_tui.tui.screens.preview import PreviewScreen
    from dataset_tui.tui.wizard.conflict_dialog import ConflictScreen
    from dataset_tui.tui.wizard.join_dialog import JoinScreen
    from dataset_tui.tui.wizard.screen import WizardScreen
    from dataset_tui.warehouse.base import DryRun

    class IdleDemoBuild(DemoBuildScreen):
        """The demo dialog with its build left out: the warehouse exists, it would close at once."""

        def build(self) -> None:
            pass

    schemas = {"transactions": [("customer_id", "INT64")], "customers": [("customer_id", "INT64")]}
    makers: dict[str, Any] = {
        "DatasetsScreen": lambda: None,
        "DetailScreen": lambda: DetailScreen("alpha"),
        "HistoryScreen": lambda: HistoryScreen("alpha"),
        "CompareScreen": lambda: CompareScreen(["alpha", "beta"]),
        "PreviewScreen": lambda: PreviewScreen(
            "alpha",
            Preview(
                name="alpha",
                version=1,
                split="full",
                as_of=dt.date(2026, 12, 1),
                live=True,
                columns=(PreviewColumn(name="a", role=None, type="INT64"),),
                rows=((1,),),
                truncated=False,
                partitions=(),
            ),
        ),
        "ExportScreen": lambda: ExportScreen("alpha"),
        "HelpScreen": lambda: HelpScreen(app.screen),
        "ConfirmScreen": lambda: ConfirmScreen("Delete draft x?", yes="Delete", danger=True),
        "QuitConfirmScreen": lambda: QuitConfirmScreen("Quit?", danger=True),
        "TypeNameScreen": lambda: TypeNameScreen("Purge x for good?", "Type its name:", "x", ok="Purge"),
        "NameScreen": lambda: NameScreen("Clone alpha as", "alpha_copy", lambda _name: None),
        "CostScreen": lambda: CostScreen("Analyze", DryRun(bytes_processed=10**12, cost_usd=6.25), None),
        "AsOfScreen": lambda: AsOfScreen(None),
        "MaterializeScreen": lambda: MaterializeScreen("alpha"),
        "DemoBuildScreen": lambda: IdleDemoBuild(),
        "WizardScreen": lambda: WizardScreen(),
        "JoinScreen": lambda: JoinScreen(
            join=None,
            tables=["transactions", "customers"],
            joinable=["customers"],
            schemas=schemas,
            suggestions=[],
        ),
        "ConflictScreen": lambda: ConflictScreen("alpha", "alpha is at v2 now", 2),
    }
    return makers[name]()


# Screens built on another (WizardBase is the wizard's state, not a screen of its own).
NOT_OPENED_ALONE = {"WizardBase", "WizardLoading", "WizardSaving"}


def test_every_screen_is_in_the_quit_rule_test() -> None:
    from unittest.mock import Mock

    missing = []
    for name in sorted(set(screen_classes()) - NOT_OPENED_ALONE):
        try:
            make_screen(name, Mock())
        except KeyError:
            missing.append(name)
    assert missing == [], f"add these screens to make_screen: {missing}"


@pytest.mark.parametrize("name", sorted(set(screen_classes()) - NOT_OPENED_ALONE))
async def test_q_quits_from_every_screen_unless_a_text_box_has_focus(ctx: AppContext, name: str) -> None:
    from textual.widgets import Input, TextArea

    app = app_for(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = make_screen(name, app)
        if screen is not None:
            app.push_screen(screen)
            await settle(pilot)
        assert isinstance(app.screen, screen_classes()[name])
        exits = record_exit(app)
        focused = app.screen.focused
        if isinstance(focused, (Input, TextArea)):
            before = focused.value if isinstance(focused, Input) else focused.text
            await pilot.press("q")  # in a text box q is a letter
            await settle(pilot)
            after = focused.value if isinstance(focused, Input) else focused.text
            assert exits == [] and after != before and "q" in after
            # Back as it was (the wizard would now rightly ask first), then away from the box.
            if isinstance(focused, Input):
                focused.value = before
            else:
                focused.text = before
            app.screen.set_focus(None)
            await settle(pilot)
        # The quit question itself keeps asking (its y quits): a second q does not stack another.
        expected = [] if name == "QuitConfirmScreen" else [True]
        await pilot.press("q")
        await settle(pilot)
        assert exits == expected
        exits.clear()
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert exits == expected
        if not expected:
            assert isinstance(app.screen, screen_classes()[name])

"""The rules every screen keeps (issue: a day of real use), driven by keys (Pilot).

One quit rule (q and ctrl+q from every screen, asking first when work is
unsaved; ctrl+c says the same everywhere), the safe answer focused in every
confirmation, the export dialog's defaults equal to the CLI's, the palette
never creating a model from a search, deleted datasets with a home in the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_tui_app import TODAY, add, app_for, notifications, settle

from dataset_tui.domain import clock
from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    with clock.fixed(TODAY):
        yield


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
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for k in SCREENS[screen]:
            await pilot.press(k)
            await settle(pilot)
        assert type(app.screen).__name__ == screen
        exits = record_exit(app)
        await pilot.press(key)
        await settle(pilot)
        assert exits == [True]


async def test_q_in_a_text_box_types_and_ctrl_q_still_quits(ctx: AppContext) -> None:
    from textual.widgets import Input

    app = app_for(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        exits = record_exit(app)
        await pilot.press("slash", "q")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "q"
        assert exits == []
        await pilot.press("ctrl+q")
        assert exits == [True]


async def test_ctrl_c_says_the_same_thing_on_every_screen(ctx: AppContext) -> None:
    from dataset_tui.tui.quitting import QUIT_HINT

    app = app_for(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = []
        for keys in ((), ("enter",), ("h",)):
            for k in keys:
                await pilot.press(k)
                await settle(pilot)
            app.clear_notifications()
            await pilot.press("ctrl+c")
            await settle(pilot)
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
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(unsaved_screen(True))
        await settle(pilot)
        app.push_screen(unsaved_screen(False))  # a clean screen above a dirty one still asks
        await settle(pilot)
        exits = record_exit(app)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, QuitConfirmScreen) and exits == []
        assert app.screen.focused is app.screen.query_one("#no", Button)
        await pilot.press(key)  # asking twice does not stack a second question
        await settle(pilot)
        assert len([s for s in app.screen_stack if isinstance(s, QuitConfirmScreen)]) == 1
        await pilot.press("enter")  # the reflex keeps the work
        await settle(pilot)
        assert exits == [] and not isinstance(app.screen, QuitConfirmScreen)
        await pilot.press(key)
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert exits == [True]


async def test_quitting_with_only_clean_screens_does_not_ask(ctx: AppContext) -> None:
    app = app_for(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
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
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for k in keys:
            await pilot.press(k)
            await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.focused is app.screen.query_one("#no", Button)
        await pilot.press("enter")
        await settle(pilot)
        assert definitions.get_dataset(ctx, "alpha").deleted_at is None

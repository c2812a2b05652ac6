"""Every key goes to the field that had focus when it was typed (tui/key_order.py).

Keys arrive in bursts (tmux `send-keys`, SSH, a paste of keystrokes) with a
tab, an editing key or a key that opens a dialog among them, while a slow
warehouse answers in the background. Each case runs ROUNDS times and must
give exactly what was typed every time.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.test_tui_wizard import BASE, ctx  # noqa: F401 - fixtures
from tests.test_tui_wizard_bursts import ROUNDS, burst, keys_handled, slow

from tui_support import (  # noqa: F401 - fixtures
    fixed_clock,
    open_wizard,
    recording_app,
    save_definition,
    settle,
    wizard,
    wizard_warehouse,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def fields(screen: Any) -> tuple[str, str]:
    return screen.query_one("#name").value, screen.query_one("#description").text


async def test_tab_in_a_burst_the_moment_the_wizard_opens(ctx: Any) -> None:
    from dataset_tui.tui.screens.wizard import WizardScreen

    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for i in range(ROUNDS):
            # Pushed and typed into at once: nothing is composed or focused yet.
            app.push_screen(WizardScreen())
            burst(app, *f"name_{i}", "tab", *f"about {i}")
            await keys_handled(pilot)
            screen = wizard(pilot)
            assert fields(screen) == (f"name_{i}", f"about {i}"), f"round {i}"
            screen.dismiss(None)
            await settle(pilot)


async def test_tab_and_shift_tab_in_a_burst_in_step_1(ctx: Any) -> None:
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        for i in range(ROUNDS):
            screen.query_one("#name").focus()
            await settle(pilot)
            # Replace both fields, then go back to the name and add to it: one burst.
            burst(app, "ctrl+u", *f"n{i}", "tab", "ctrl+u", *f"d{i}", "shift+tab", "end", *"_x")
            await keys_handled(pilot)
            assert fields(screen) == (f"n{i}_x", f"d{i}"), f"round {i}"
            assert app.focused is screen.query_one("#name")


async def test_tab_in_a_burst_in_the_export_dialog(ctx: Any) -> None:
    from dataset_tui.tui.screens.export import ExportScreen

    save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for i in range(ROUNDS):
            # Opened by the first key of the burst.
            burst(app, "x")
            await keys_handled(pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportScreen)
            dialog.query_one("#as-of").focus()
            await settle(pilot)
            day, folder = f"2025-01-{i + 1:02d}", f"/tmp/out_{i}"
            burst(app, *day, "tab", "ctrl+u", *folder, "shift+tab", "end", "backspace", "9")
            await keys_handled(pilot)
            assert dialog.query_one("#as-of").value == day[:-1] + "9", f"round {i}"
            assert dialog.query_one("#folder").value == folder, f"round {i}"
            burst(app, "escape")
            await keys_handled(pilot)
            assert not isinstance(app.screen, ExportScreen)


async def test_a_new_name_typed_in_a_burst_into_the_name_dialog(ctx: Any) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.tui.screens.confirm import NameScreen

    save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for i in range(ROUNDS):
            # c opens the clone dialog; the keys after it go into its name field, in order.
            name = f"copy_{i}"
            keys = ("c", "ctrl+u", *name[:-1], "x", "backspace", name[-1])
            if i % 4 == 3:  # and now and then straight on to enter: cloned under exactly that name
                burst(app, *keys, "enter")
                await keys_handled(pilot)
                await settle(pilot)
                assert not isinstance(app.screen, NameScreen)
                assert definitions.get_dataset(ctx, name).versions == 1, f"round {i}"
                continue
            burst(app, *keys)
            await keys_handled(pilot)
            dialog = app.screen
            assert isinstance(dialog, NameScreen), f"round {i}"
            assert dialog.query_one("#name").value == name, f"round {i}"
            burst(app, "escape")
            await keys_handled(pilot)

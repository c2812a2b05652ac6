"""A key that moves the focus into a text box, then characters, all in one burst (tui/key_order.py).

tmux `send-keys` and SSH deliver `/tmux` at once. Every character after the
key that focuses a search (or the alias field) must land in that box, in
order, and a letter bound on the widget that had the focus before (`d`
delete, `q` quit, `n` new, `a` add join, `r` role …) is text there, never a
command. Each case runs ROUNDS times while a slow warehouse answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.test_tui_wizard import BASE, ctx  # noqa: F401 - fixtures
from tests.test_tui_wizard_bursts import ROUNDS, burst, keys_handled, slow

from tui_support import (  # noqa: F401 - fixtures
    edit_at_step,
    fixed_clock,
    open_wizard,
    recording_app,
    save_definition,
    settle,
    wizard,
    wizard_warehouse,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")

# Words full of the home list's command letters (d delete, q quit, n new, e edit, h history, p purge …).
HOME_WORDS = ["tmux", "dq", "new", "abcdef", "quit", "hex", "purchases"]
# The table step binds a (add join); the column step r, a, v, u, s, i and space/enter.
TABLE_WORDS = ["trans", "cust", "prod", "tav"]
COLUMN_WORDS = ["user_id", "amount", "ravusi", "s"]


async def test_a_search_typed_in_a_burst_on_the_home_screen(ctx: Any) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.tui.screens.datasets import DatasetsScreen

    save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, DatasetsScreen)
        search = home.query_one("#search")
        for i in range(ROUNDS):
            word = HOME_WORDS[i % len(HOME_WORDS)]
            burst(app, "/", *word)
            await keys_handled(pilot)
            assert app.screen is home, f"round {i}: {word!r} opened {app.screen}"
            assert (search.value, app.focused) == (word, search), f"round {i}"
            # Cleared and back to the list, and straight on with a key for the list.
            burst(app, "escape", "/", "x", "backspace", "backspace")
            await keys_handled(pilot)
            assert (search.value, app.focused) == ("", search), f"round {i}"
            burst(app, "escape")
            await keys_handled(pilot)
            assert app.focused is home.table, f"round {i}"
        assert app.is_running
        assert definitions.get_dataset(ctx, "purchases").deleted_at is None


async def test_enter_in_the_home_search_hands_the_next_keys_to_the_list(ctx: Any) -> None:
    from dataset_tui.tui.screens.datasets import DatasetsScreen

    save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        search = home.query_one("#search")
        for i in range(ROUNDS):
            # Search, leave the box with enter, and mark the one match with space.
            burst(app, "/", "ctrl+u", *"purch", "enter", "space")
            await keys_handled(pilot)
            assert isinstance(app.screen, DatasetsScreen)
            assert (search.value, app.focused) == ("purch", home.table), f"round {i}"
            assert home.table.marked == ({"purchases"} if i % 2 == 0 else set()), f"round {i}"


async def test_a_table_search_typed_in_a_burst_in_the_wizard(ctx: Any) -> None:
    saved = save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await edit_at_step(pilot, saved.version.definition, 2)
        picker = screen.tables_step.picker
        draft_before = (screen.draft.primary, list(screen.draft.secondary))
        for i in range(ROUNDS):
            word = TABLE_WORDS[i % len(TABLE_WORDS)]
            if i % 2:
                # The step opens and is searched in one burst: back to step 1 first.
                burst(app, "ctrl+o")
                await keys_handled(pilot)
                assert screen.step == 1
                burst(app, "ctrl+n", "/", *word)
            else:
                burst(app, "/", *word)
            await keys_handled(pilot)
            assert app.screen is screen, f"round {i}: {word!r} opened {app.screen}"
            assert screen.step == 2 and app.focused is picker, f"round {i}"
            assert (picker.search_text, picker.searching) == (word, True), f"round {i}"
            assert (screen.draft.primary, list(screen.draft.secondary)) == draft_before
            burst(app, *["backspace"] * (len(word) + 1))
            await keys_handled(pilot)
            assert (picker.search_text, picker.searching) == ("", False), f"round {i}"


async def test_a_column_search_and_an_alias_typed_in_a_burst_in_the_wizard(ctx: Any) -> None:
    saved = save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await edit_at_step(pilot, saved.version.definition, 3)
        step = screen.columns_step
        picker, alias = step.picker, step.query_one("#alias")
        roles_before = {k: (c.selected, c.role) for k, c in screen.draft.columns.items()}
        for i in range(ROUNDS):
            word = COLUMN_WORDS[i % len(COLUMN_WORDS)]
            if i % 2:
                burst(app, "ctrl+o")
                await keys_handled(pilot)
                assert screen.step == 2
                burst(app, "ctrl+n", "/", *word)
            else:
                burst(app, "/", *word)
            await keys_handled(pilot)
            assert screen.step == 3 and app.focused is picker, f"round {i}"
            assert (picker.search_text, picker.searching) == (word, True), f"round {i}"
            assert {k: (c.selected, c.role) for k, c in screen.draft.columns.items()} == roles_before
            burst(app, *["backspace"] * (len(word) + 1))
            await keys_handled(pilot)
            assert (picker.search_text, picker.searching) == ("", False), f"round {i}"
        # `a` focuses the alias field: the name typed after it, then enter back to the list and a move.
        picker.cursor = next(n for n, row in enumerate(picker.rows) if row[0] == "column")
        await settle(pilot)
        for i in range(ROUNDS):
            key = picker.current
            name = f"rvs_{i}"
            row = picker.cursor
            move = "up" if i % 2 else "down"  # a key for the list again, right after enter
            burst(app, "a", "ctrl+u", *name, "enter", move)
            await keys_handled(pilot)
            assert screen.draft.columns[key].alias == name, f"round {i}"
            assert app.focused is picker and picker.cursor == row + (-1 if i % 2 else 1), f"round {i}"
            assert alias.value == screen.draft.columns[picker.current].alias, f"round {i}"


async def test_a_new_name_then_ctrl_n_then_a_search_in_one_burst(ctx: Any) -> None:
    """`name ctrl+n /word` typed at once on a new dataset: ctrl+n comes before the name's
    availability check has answered. It waits for that answer and moves on; the keys after
    it go to step 2's search, and the name is kept (it once came back selected, and `/word`
    replaced it)."""
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        picker = screen.tables_step.picker
        for i in range(ROUNDS):
            name, word = f"burst_{i}", TABLE_WORDS[i % len(TABLE_WORDS)]
            burst(app, *name, "ctrl+n", "/", *word)
            await keys_handled(pilot)
            await settle(pilot)
            assert screen.draft.name == name, f"round {i}"
            assert screen.step == 2 and app.focused is picker, f"round {i}: step {screen.step}"
            assert (picker.search_text, picker.searching) == (word, True), f"round {i}"
            # The count under the search is that of the list shown (the names may load after the search).
            count = len(picker.entries)
            line = str(screen.query_one("#tables-search").content)
            assert f"{count:,} {'table' if count == 1 else 'tables'} ·" in line, f"round {i}: {line!r}"
            # Back to step 1, the name cleared, for the next round's new name.
            burst(app, *["backspace"] * (len(word) + 1), "ctrl+o")
            await keys_handled(pilot)
            await settle(pilot)
            assert screen.step == 1, f"round {i}"
            burst(app, "ctrl+u")
            await keys_handled(pilot)
            assert screen.draft.name == "", f"round {i}"


async def test_escape_clears_a_search_being_typed_and_only_then_leaves(ctx: Any) -> None:
    saved = save_definition(ctx, BASE)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await edit_at_step(pilot, saved.version.definition, 2)
        picker = screen.tables_step.picker
        for i in range(ROUNDS):
            burst(app, "/", *TABLE_WORDS[i % len(TABLE_WORDS)], "escape")
            await keys_handled(pilot)
            assert app.screen is screen, f"round {i}: escape in the search left the wizard"
            assert (picker.search_text, picker.searching) == ("", False), f"round {i}"
            assert len(picker.entries) == len(picker.all_entries) > 1, f"round {i}"
            assert app.focused is picker, f"round {i}"
        # Not searching: escape leaves (nothing was changed, so without asking).
        burst(app, "escape")
        await keys_handled(pilot)
        await settle(pilot)
        assert app.screen is not screen


async def test_keys_typed_before_the_table_names_arrive_wait_for_them(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`name ctrl+n /tra enter enter` typed at once while the warehouse is still listing its
    tables (BigQuery takes a second or more): the enter that picks lands on the list the user
    will see, not on an empty one, where it did nothing."""
    import time

    from dataset_tui.tui.wizard import calls

    listed = calls.table_catalog

    def slow_listing(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.6)
        return listed(*args, **kwargs)

    monkeypatch.setattr(calls, "table_catalog", slow_listing)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        from dataset_tui.tui.screens.wizard import WizardScreen

        await settle(pilot)
        app.push_screen(WizardScreen())  # not settled: the names are still being listed
        await pilot.pause(0.05)
        screen = wizard(pilot)
        assert not screen.tables_step.loaded
        burst(app, *"ahead", "ctrl+n", "/", *"tra", "enter", "enter")
        await keys_handled(pilot)
        await settle(pilot)
        assert screen.step == 2
        assert screen.draft.primary == "transactions"
        assert (screen.tables_step.picker.search_text, screen.tables_step.picker.searching) == ("tra", False)


@pytest.mark.parametrize("slow_call", ["suggest", "table_schema"])
async def test_keys_typed_after_s_wait_for_the_suggested_roles(
    ctx: Any, monkeypatch: pytest.MonkeyPatch, slow_call: str
) -> None:
    """`name ctrl+n /trans enter enter ctrl+n s ctrl+n` typed at once (as tmux sends it): the
    last ctrl+n is checked against the roles `s` applies, not against the empty step it was
    typed on. On a loaded host the suggestion came after that ctrl+n (which found no column and
    stayed on step 3), or before the table's columns were in the draft (so it selected none)."""
    import time

    from dataset_tui.tui.wizard import calls

    call = getattr(calls, slow_call)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.6)
        return call(*args, **kwargs)

    monkeypatch.setattr(calls, slow_call, slow)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        burst(app, *"suggested_first", "ctrl+n")
        await keys_handled(pilot)
        await settle(pilot)
        burst(app, "/", *"trans", "enter", "enter", "ctrl+n", "s", "ctrl+n")
        await keys_handled(pilot)
        await settle(pilot)
        assert screen.step == 4
        roles = {c.role for c in screen.draft.selected_columns()}
        assert {"user_id", "timestamp"} <= roles

"""Keys in bursts (as tmux send-keys and SSH deliver them) while a slow warehouse answers.

Every input of every wizard step takes a burst of editing keys and
characters with no pause between them, 20 times over, and must hold exactly
what was typed. A thread-checking shim fails the run if a worker thread
reads or redraws a widget.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.test_tui_wizard import BASE, ctx, test_create_a_complete_dataset_with_keys_only  # noqa: F401 - fixtures

from tui_support import (  # noqa: F401 - fixtures
    edit_at_step,
    fixed_clock,
    open_wizard,
    press,
    recording_app,
    save_definition,
    settle,
    text_of,
    wizard,
    wizard_warehouse,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")

ROUNDS = 20
SLOW_S = 0.05  # every warehouse call, in the background workers


class SlowWarehouse:
    """The real warehouse, each call delayed: results land while the user types."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(SLOW_S)
            return attr(*args, **kwargs)

        return slow


def burst(app: Any, *keys: str) -> None:
    """Queue the keys at once, with no wait between them (pilot.press waits for each)."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        # A character arrives under its key's name, as from a terminal: `/` is `slash`.
        event = events.Key(_character_to_key(key), key) if len(key) == 1 else events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)


async def keys_handled(pilot: Any) -> None:
    """Settle, then wait until the app has handed out every typed key (tui/key_order.py).

    On a loaded machine Pilot's idle check can return while keys still wait their turn.
    """
    await settle(pilot, 0.02)
    for _ in range(200):
        if not pilot.app.keys_pending:
            return
        await settle(pilot, 0.02)
    raise AssertionError(f"{pilot.app.keys_pending} keys never handled")


async def typed(pilot: Any, widget: Any, keys: tuple[str, ...], expected: str) -> None:
    burst(pilot.app, *keys)
    await keys_handled(pilot)
    value = widget.text if hasattr(widget, "text") and not hasattr(widget, "cursor_position") else widget.value
    assert value == expected, f"{keys!r} into #{widget.id} gave {value!r}"


async def closed(pilot: Any, screen: Any) -> None:
    """Leave the wizard and let its workers end (leaving cancels the ones still running)."""
    from textual.worker import WorkerCancelled

    screen.dismiss(None)
    await pilot.pause()
    with contextlib.suppress(WorkerCancelled):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def slow(ctx: Any) -> None:
    ctx.set_warehouse(SlowWarehouse(ctx.warehouse()))


async def burst_field(pilot: Any, screen: Any, field_id: str, old: str, values: list[str]) -> None:
    """ROUNDS bursts into one field: clear-and-type, then end + backspaces + type."""
    widget = screen.query_one(f"#{field_id}")
    widget.focus()
    await settle(pilot)
    current = old
    for i in range(ROUNDS):
        new = values[i % len(values)]
        keys = ("ctrl+u", *new) if i % 2 == 0 else ("end", *(["backspace"] * len(current)), *new)
        await typed(pilot, widget, keys, new)
        current = new


async def test_bursts_into_every_field_of_step_4(ctx: Any) -> None:
    data = dict(BASE)
    data["filters"] = {
        "date_range": {"type": "rolling", "months": 6},
        "top_products_percent": 70,
        "min_transactions": 2,
    }
    saved = save_definition(ctx, data)
    fixed = dict(BASE, name="fixed")
    fixed["filters"] = {"date_range": {"type": "fixed", "start": "2025-01-01", "end": "2025-03-01"}}
    fixed["split"] = {"type": "random", "train_percent": 80}
    saved_fixed = save_definition(ctx, fixed)
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        for version, fields in (
            (
                saved.version,
                [
                    ("months", "6", ["12", "3"]),
                    ("top", "70", ["74", "75"]),
                    ("min-tx", "2", ["5", "10"]),
                    ("eval-days", "30", ["14", "7"]),
                ],
            ),
            (
                saved_fixed.version,
                [
                    ("start", "2025-01-01", ["2025-01-15", "2024-12-31"]),
                    ("end", "2025-03-01", ["2025-02-28", "2025-03-01"]),
                    ("train", "80", ["75", "90"]),
                ],
            ),
        ):
            screen = await edit_at_step(pilot, version.definition, 4)
            assert screen.step == 4
            for field_id, old, values in fields:
                await burst_field(pilot, screen, field_id, old, values)
            # The draft follows the inputs: they are the source of truth.
            assert screen.draft.to_data(4)[1] == []
            await closed(pilot, screen)


async def test_bursts_into_the_name_description_and_alias(ctx: Any) -> None:
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        from dataset_tui.tui.screens.wizard import WizardScreen

        await settle(pilot)
        # A name typed the moment the wizard opens, before anything has loaded.
        app.push_screen(WizardScreen())
        burst(app, *"first_name")
        await keys_handled(pilot)
        screen = wizard(pilot)
        assert screen.query_one("#name").value == "first_name"
        await burst_field(pilot, screen, "name", "first_name", ["orders_a", "orders_bb"])
        description = screen.query_one("#description")
        description.focus()
        for i in range(ROUNDS):
            await typed(pilot, description, ("ctrl+u", *f"line {i}"), f"line {i}")
        await press(pilot, "ctrl+n")
        await press(pilot, "down", "down", "down", "enter", "ctrl+n")
        assert screen.step == 3
        await pilot.press("down", "a")
        alias = screen.query_one("#alias")
        assert app.focused is alias
        for i in range(ROUNDS):
            await typed(pilot, alias, ("ctrl+u", *f"who_{i}"), f"who_{i}")
        key = screen.columns_step.picker.current
        assert screen.draft.columns[key].alias == f"who_{ROUNDS - 1}"


# -- no widget touched from a thread -------------------------------------------------------------


@pytest.fixture
def main_thread_only() -> Iterator[list[str]]:
    """Patch what reads or redraws widgets to record any call made off the event loop's thread."""
    from textual.dom import DOMNode
    from textual.widget import Widget
    from textual.widgets import Static

    main = threading.main_thread()
    offenders: list[str] = []
    originals = {
        (DOMNode, "query_one"): DOMNode.query_one,
        (DOMNode, "query"): DOMNode.query,
        (Widget, "refresh"): Widget.refresh,
        (Static, "update"): Static.update,
    }

    def guard(owner: type, name: str, original: Any) -> Any:
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is not main:
                offenders.append(f"{type(self).__name__}.{name} from {threading.current_thread().name}")
            return original(self, *args, **kwargs)

        return checked

    for (owner, name), original in originals.items():
        setattr(owner, name, guard(owner, name, original))
    try:
        yield offenders
    finally:
        for (owner, name), original in originals.items():
            setattr(owner, name, original)


async def test_no_worker_touches_a_widget(ctx: Any, tmp_path: Path, main_thread_only: list[str]) -> None:
    # The whole keys-only run: tables, schemas, joins, statistics, suggestions,
    # the live summary and the save all run in workers.
    await test_create_a_complete_dataset_with_keys_only(ctx, tmp_path)
    assert main_thread_only == []


async def test_step4_errors_name_their_field_beside_it(ctx: Any) -> None:
    saved = save_definition(ctx, BASE)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await edit_at_step(pilot, saved.version.definition, 4)
        screen.query_one("#top").focus()
        await pilot.press("ctrl+u", "0")
        await settle(pilot, 0.4)  # one debounce, no ctrl+n or ctrl+s
        assert text_of(screen, "#top-problem") == "Top products %: must be between 1 and 99"
        screen.query_one("#min-tx").focus()
        await pilot.press("ctrl+u", "-")  # kept and said, not silently dropped
        await settle(pilot, 0.4)
        assert screen.query_one("#min-tx").value == "-"
        assert text_of(screen, "#min-tx-problem") == "Min transactions: must be a whole number (got '-')"
        # Said once: beside the field, not again in the summary.
        assert "Top products" not in text_of(screen, "#estimate")
        await pilot.press("ctrl+u", "3")
        await settle(pilot, 0.4)
        assert text_of(screen, "#min-tx-problem") == ""
        assert text_of(screen, "#top-problem") == "Top products %: must be between 1 and 99"


def test_an_alias_rule_is_said_in_words() -> None:
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft.from_definition(parse_definition(BASE))
    draft.columns[("transactions", "amount")].alias = "9bad"
    messages = [p.message for p in draft.build(4)[1]]
    assert messages == ["alias '9bad': a letter or _ first, then letters, digits or _ (at most 128 characters)"] or any(
        "transactions.amount" in m or "9bad" in m for m in messages
    )
    assert not any("[" in m for m in messages)


async def test_ctrl_q_in_a_modified_wizard_asks_first(ctx: Any) -> None:
    from dataset_tui.tui.screens.confirm import ConfirmScreen

    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        assert not screen.has_unsaved_changes()
        await pilot.press(*"keep_me")
        assert screen.has_unsaved_changes()
        await press(pilot, "ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.is_running
        await press(pilot, "escape")  # keep editing
        assert app.screen is screen and screen.query_one("#name").value == "keep_me"


async def test_moving_on_in_a_burst_applies_the_keys_before_it(ctx: Any) -> None:
    """`down down down enter ctrl+n` at once: the primary is chosen, then the step is checked."""
    slow(ctx)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        for i in range(ROUNDS // 4):
            await open_wizard(pilot)
            screen = wizard(pilot)
            burst(app, *f"n{i}", "ctrl+n")
            await keys_handled(pilot)
            assert screen.step == 2, f"round {i}"
            burst(app, "down", "down", "down", "enter", "ctrl+n")
            await keys_handled(pilot)
            assert screen.draft.primary == "transactions", f"round {i}"
            assert screen.step == 3, f"round {i}"
            burst(app, "down", "space", "r", "ctrl+o")  # customer_id: selected, user_id, then back
            await keys_handled(pilot)
            assert screen.step == 2
            assert screen.draft.role_columns().get("user_id") is not None, [
                (c.name, c.selected, c.role) for c in screen.draft.columns.values()
            ]
            assert screen.draft.role_columns()["user_id"].name == "customer_id"
            await closed(pilot, screen)

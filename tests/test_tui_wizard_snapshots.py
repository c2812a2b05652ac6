"""Snapshots of each wizard step at 80×24 and 120×40 (clock fixed, cursors still).

Regenerate after an intended change with
`pytest tests/test_tui_wizard_snapshots.py --snapshot-update`, then look at
the SVGs in `__snapshots__/`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain import clock
from dataset_tui.services.context import AppContext

TODAY = dt.date(2025, 6, 15)
SIZES = [(80, 24), (120, 40)]


@pytest.fixture(scope="module")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dataset_tui.warehouse.demo import build_demo

    path = tmp_path_factory.mktemp("wizard-snap-wh") / "wh.duckdb"
    # The shop's tables only: the steps are driven by position in the table list, and the
    # wizard's GA4 flow (events_* as one entry) is a later task.
    build_demo(path, rows=5_000, seed=1, today=TODAY, ga4=False)
    return path


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    with clock.fixed(TODAY):
        yield


@pytest.fixture
def app(tmp_path: Path, warehouse_file: Path) -> Any:
    from dataset_tui.tui.app import DatasetTuiApp

    ctx = AppContext.open(db=tmp_path / "store", warehouse=warehouse_file)
    yield DatasetTuiApp(ctx)
    ctx.close()


async def settle(pilot: Any, wait: float = 0.05) -> None:
    await pilot.pause(wait)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Any, ready: Any, what: str, timeout: float = 10.0) -> None:
    """Wait for debounced work (timers, then workers) instead of guessing a pause."""
    waited = 0.0
    while not ready():
        assert waited < timeout, f"gave up waiting for {what}"
        await settle(pilot)
        waited += 0.05


def no_blinking(screen: Any) -> None:
    """Cursors that never blink, set before any typing: a blink phase caught
    in a picture would make it differ from run to run."""
    from textual.widgets import Input, TextArea

    for widget in screen.query(Input):
        widget.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False


async def still(pilot: Any) -> None:
    """No toasts, every worker done: the picture must not depend on timing."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def step1(pilot: Any) -> None:
    from dataset_tui.tui.screens.wizard import WizardScreen

    await settle(pilot)
    pilot.app.push_screen(WizardScreen())
    await settle(pilot)
    no_blinking(pilot.app.screen)
    await pilot.press(*"purchases_6m", "tab", *"Six months of purchases")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.basic.name_state().checked, "the name check")


async def step2(pilot: Any) -> None:
    await step1(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("down", "down", "down", "enter", "up", "up", "space")
    await settle(pilot)


async def step3(pilot: Any) -> None:
    await step2(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("down", "down", "down", "down")  # transactions.amount: a histogram
    await settle(pilot)


async def step4(pilot: Any) -> None:
    await step3(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("enter", "down", "enter", "tab", "tab", *"80", "tab", "2", "tab")
    await pilot.press("enter", "down", "down", "enter")
    screen = pilot.app.screen
    await until(
        pilot, lambda: "random split" in screen.query_one("#sql").text, "the SQL of the random split"
    )


STEPS = {"1_basic": step1, "2_tables": step2, "3_columns": step3, "4_filters": step4}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("step", list(STEPS))
def test_wizard_step(snap_compare: Any, app: Any, step: str, size: tuple[int, int]) -> None:
    drive = STEPS[step]

    async def run_before(pilot: Any) -> None:
        await drive(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

"""Snapshots of each wizard step at 80×24 and 120×40 (clock fixed, cursors still).

Regenerate after an intended change with
`pytest tests/test_tui_wizard_snapshots.py --snapshot-update`, then look at
the SVGs in `__snapshots__/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui_support import fixed_clock, open_wizard, press, still, until, wizard_warehouse  # noqa: F401 - fixtures

SIZES = [(80, 24), (120, 40)]
pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def app(open_context: Any, wizard_warehouse: Path) -> Any:
    from dataset_tui.tui.app import DatasetTuiApp

    return DatasetTuiApp(open_context(wizard_warehouse))


def no_blinking(screen: Any) -> None:
    """Cursors that never blink, set before any typing: a blink phase caught
    in a picture would make it differ from run to run."""
    from textual.widgets import Input, TextArea

    for widget in screen.query(Input):
        widget.cursor_blink = False
    for area in screen.query(TextArea):
        area.cursor_blink = False


async def step1(pilot: Any) -> None:
    await open_wizard(pilot)
    no_blinking(pilot.app.screen)
    await pilot.press(*"purchases_6m", "tab", *"Six months of purchases")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.basic.name_state().checked, "the name check")


async def step2(pilot: Any) -> None:
    await step1(pilot)
    await press(pilot, "ctrl+n")
    await press(pilot, "down", "down", "down", "enter", "up", "up", "space")


async def step3(pilot: Any) -> None:
    await step2(pilot)
    await press(pilot, "ctrl+n")
    await press(pilot, "s")
    await press(pilot, "down", "down", "down", "down")  # transactions.amount: a histogram


async def step4(pilot: Any) -> None:
    await step3(pilot)
    await press(pilot, "ctrl+n")
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

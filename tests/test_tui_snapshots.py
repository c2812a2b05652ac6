"""Snapshots of each screen at 80×24 and 120×40 (pytest-textual-snapshot).

The clock is fixed and the data is the small deterministic demo, so the
pictures do not change from day to day. Regenerate with
`pytest tests/test_tui_snapshots.py --snapshot-update` and look at them.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain import clock
from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions, runs
from tui_support import EXAMPLE, app_for, still

TODAY = dt.date(2025, 6, 15)
SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def ctx(open_context: Any, demo_file: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir("/tmp")  # the export modal shows the working directory
    with clock.fixed(dt.datetime(2025, 6, 15, 9, 30, tzinfo=dt.UTC)):
        context = open_context(demo_file)
        definitions.save(context, parse_definition(EXAMPLE))
        weekly = copy.deepcopy(EXAMPLE)
        weekly.update(name="weekly_eval", description="Time split: the last week for evaluation")
        weekly["split"] = {"type": "time", "eval_days": 6}
        weekly["filters"].pop("top_products_percent")
        definitions.save(context, parse_definition(weekly))
        runs.analyze(context, "purchases_6m")
        definitions.activate(context, "purchases_6m")
        changed = copy.deepcopy(EXAMPLE)
        changed["filters"]["min_transactions"] = 3
        definitions.save(context, parse_definition(changed), base_revision=1)
    return context


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    with clock.fixed(dt.datetime(2025, 6, 15, 9, 30, tzinfo=dt.UTC)):
        yield


def steps(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        pilot.app.cursor_blink = False
        await still(pilot)
        for key in keys:
            await pilot.press(key)
            await still(pilot)
        # A DataTable measures its columns on idle, after the rows arrive.
        await pilot.pause(0.3)
        await still(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_datasets_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("down", "space"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("h"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("space", "space", "m"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_five_datasets(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    # Long names and the long outputs row: every dataset stays on screen, cells wrap.
    for i, name in enumerate(("gamma_with_a_longer_name", "delta", "epsilon_outputs")):
        data = copy.deepcopy(EXAMPLE)
        data.update(name=name, description="")
        data["filters"]["min_transactions"] = 3 + i
        with clock.fixed(dt.datetime(2025, 6, 15, 9, 30, tzinfo=dt.UTC)):
            definitions.save(ctx, parse_definition(data))
    keys = ("space",) * 5 + ("m",)
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_export_modal(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("x"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_export_modal_no_color(
    snap_compare: Any, ctx: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual reads NO_COLOR once, when an app is made, and takes it out of the
    # environment: set it for this app only, so no other test runs without colour.
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(ctx)
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=steps("x"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("question_mark"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_preview_screen(snap_compare: Any, ctx: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(ctx), terminal_size=size, run_before=steps("enter", "p"))

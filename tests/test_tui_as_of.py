"""The detail screen's "as of" choice (o): analyze and preview count rows as on that day."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain import clock
from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions, runs
from dataset_tui.services.context import AppContext

LATER = dt.date(2030, 1, 1)  # long after the small demo's last row: live windows are empty
AS_OF = dt.date(2025, 3, 31)
EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "purchases_6m.json").read_text())


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    with clock.fixed(LATER):
        yield


@pytest.fixture
def ctx(open_context: Any, demo_file: Path) -> AppContext:
    context: AppContext = open_context(demo_file)
    data = copy.deepcopy(EXAMPLE)
    data["name"] = "alpha"
    definitions.save(context, parse_definition(data))
    return context


async def settle(pilot: Any) -> None:
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_as_of_choice_drives_analyze_and_preview(ctx: AppContext) -> None:
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.screens.as_of import AsOfScreen
    from dataset_tui.tui.screens.preview import PreviewScreen

    app = DatasetTuiApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # Live by default: the six months before 2030 hold no row.
        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        cached = definitions.cached_analysis(ctx, "alpha")
        assert cached is not None and cached.result["rows"] == 0 and cached.result["live"] is True

        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, AsOfScreen)
        await pilot.press(*"31/03/2025", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AsOfScreen), "a bad date keeps the form open"
        assert "YYYY-MM-DD" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#as-of").value = ""
        await pilot.press(*AS_OF.isoformat(), "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AsOfScreen)
        assert f"as of {AS_OF}" in app.screen.sub_title

        await pilot.press("r")
        await settle(pilot)
        await settle(pilot)
        cached = definitions.cached_analysis(ctx, "alpha")
        assert cached is not None
        assert cached.result["as_of"] == AS_OF.isoformat() and cached.result["live"] is False
        want = runs.analyze(ctx, "alpha", as_of=AS_OF)
        assert cached.result["rows"] == want["rows"] > 0
        shown = str(app.screen.query_one("#analysis").render())
        assert f"as of {AS_OF}" in shown and f"{want['rows']:,}" in shown

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.result["rows"] and f"as of {AS_OF}" in str(app.screen.query_one("#caption").render())
        await pilot.press("escape")
        await settle(pilot)

        # Back to live: an empty answer.
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#as-of").value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert "as of" not in app.screen.sub_title
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen) and app.screen.result["rows"] == []

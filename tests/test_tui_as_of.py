"""The detail screen's "as of" choice (o): analyze and preview count rows as on that day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain import clock
from dataset_tui.services import definitions, runs
from dataset_tui.services.context import AppContext
from tui_support import EXAMPLE, add, press, settle, started

LATER = dt.date(2030, 1, 1)  # long after the small demo's last row: live windows are empty
AS_OF = dt.date(2025, 3, 31)


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    with clock.fixed(LATER):
        yield


@pytest.fixture
def ctx(open_context: Any, demo_file: Path) -> AppContext:
    context: AppContext = open_context(demo_file)
    add(context, "alpha", EXAMPLE["description"])
    return context


async def test_as_of_choice_drives_analyze_and_preview(ctx: AppContext) -> None:
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.screens.as_of import AsOfScreen
    from dataset_tui.tui.screens.preview import PreviewScreen

    app = DatasetTuiApp(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "enter")
        # Live by default: the six months before 2030 hold no row.
        await press(pilot, "r")
        await settle(pilot)
        cached = definitions.cached_analysis(ctx, "alpha")
        assert cached is not None and cached.result["rows"] == 0 and cached.result["live"] is True

        await press(pilot, "o")
        assert isinstance(app.screen, AsOfScreen)
        await press(pilot, *"31/03/2025", "enter")
        assert isinstance(app.screen, AsOfScreen), "a bad date keeps the form open"
        assert "YYYY-MM-DD" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#as-of").value = ""
        await press(pilot, *AS_OF.isoformat(), "enter")
        assert not isinstance(app.screen, AsOfScreen)
        assert f"as of {AS_OF}" in app.screen.sub_title

        await press(pilot, "r")
        await settle(pilot)
        cached = definitions.cached_analysis(ctx, "alpha")
        assert cached is not None
        assert cached.result["as_of"] == AS_OF.isoformat() and cached.result["live"] is False
        want = runs.analyze(ctx, "alpha", as_of=AS_OF)
        assert want.as_of == AS_OF and not want.live
        assert cached.result["rows"] == want.counts.rows > 0
        shown = str(app.screen.query_one("#analysis").render())
        assert f"as of {AS_OF}" in shown and f"{want.counts.rows:,}" in shown

        await press(pilot, "p")
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.result.rows and f"as of {AS_OF}" in str(app.screen.query_one("#caption").render())
        await press(pilot, "escape")

        # Back to live: an empty answer.
        await press(pilot, "o")
        app.screen.query_one("#as-of").value = ""
        await press(pilot, "enter")
        assert "as of" not in app.screen.sub_title
        await press(pilot, "p")
        assert isinstance(app.screen, PreviewScreen) and app.screen.result.rows == ()

"""In-process wizard figures for bench/scale.py: the table step at 100 / 1,000 / 5,000
tables and the column step at 200 / 2,000 / 10,000 columns, each beside the same
step on a small warehouse (5 tables, 20 columns) measured in the same run.

Each figure is the time from `ctrl+n` until the step shows what it must (the
names and the details of the rows on screen; every column of the table), and
the longest event-loop stall meanwhile (gaps between 10 ms ticks, as
bench/startup.py measures them; target under 50 ms).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


async def _measure(
    app: Any, pilot: Any, key: str, ready: Callable[[], bool], timeout: float = 600.0
) -> tuple[float, float]:
    from bench.fixtures import TickGaps

    ticks = TickGaps(app)
    start = time.perf_counter()
    await pilot.press(key)
    while not ready():
        if time.perf_counter() - start > timeout:
            raise SystemExit("the wizard step did not show in time")
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - start
    await pilot.pause(0.1)
    ticks.timer.stop()
    await app.workers.wait_for_complete()  # e.g. statistics started by the step, before the file closes
    return seconds, ticks.longest()


async def _step(warehouse: Path, store: Path, *, columns: bool) -> tuple[float, float]:
    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.screens.wizard import WizardScreen

    ctx = AppContext.open(db=store, warehouse=warehouse)
    app = DatasetTuiApp(ctx)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            screen = WizardScreen()
            app.push_screen(screen)
            await pilot.pause(0.2)
            await pilot.press(*"bench_wizard")
            await pilot.pause(0.6)  # the live name check
            await app.workers.wait_for_complete()
            step = screen.tables_step
            if not columns:

                def tables_shown() -> bool:
                    if not hasattr(step, "catalog"):
                        return bool(step.loaded)  # before the catalog: every table with its details at once
                    picker = step.picker
                    shown = picker.entries[: picker.size.height - 1]
                    return step.catalog is not None and bool(shown) and all(e.name in picker.details for e in shown)

                return await _measure(app, pilot, "ctrl+n", tables_shown)
            await pilot.press("ctrl+n")
            while not step.loaded:
                await pilot.pause(0.05)
            await pilot.press("enter")  # the one table: primary
            await pilot.pause(0.1)
            want = len(ctx.warehouse().schema("raw_data", "wide").columns)
            picker = screen.columns_step.picker
            return await _measure(app, pilot, "ctrl+n", lambda: len(picker._column_rows()) == want)
    finally:
        ctx.close()


def wizard_step(warehouse: Path, store: Path, *, columns: bool) -> tuple[float, float]:
    """(seconds until the step shows, longest stall) of the table step, or the column step."""
    return asyncio.run(_step(warehouse, store, columns=columns))

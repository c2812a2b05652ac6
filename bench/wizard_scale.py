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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class Stalls:
    """Gaps between 10 ms ticks of the event loop: the longest one is the stall a user feels."""

    def __init__(self, app: Any) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = app.set_interval(0.01, self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def take(self) -> float:
        """The longest gap since the last `take` (including the one running now)."""
        longest = max([*self.gaps, time.perf_counter() - self.last])
        self.gaps.clear()
        return longest

    def stop(self) -> None:
        self.timer.stop()


@dataclass(frozen=True)
class Shown:
    """What showing a change cost: wall time to the paint, the longest stall, the event loop's CPU time."""

    seconds: float
    stall: float
    cpu: float


async def until_painted(
    app: Any, act: Callable[[], Awaitable[None]], ready: Callable[[], bool], timeout: float = 60.0
) -> Shown:
    """Run `act` (a key, a push) and wait for the first paint after `ready()` holds.

    `cpu` is the event-loop thread's own CPU time from `act` to that paint
    (the loop runs on this thread): on a loaded 2-core host the wall time
    mostly says how busy the machine was, the CPU time what the change costs.
    Keys go in as the terminal sends them (`simulate_key`), not through
    Pilot's `press`, which also waits until the whole process (workers
    included) is idle.
    """
    stalls = Stalls(app)
    await asyncio.sleep(0.05)
    stalls.take()  # ticking from here
    painted = asyncio.Event()
    start, cpu = time.perf_counter(), time.thread_time()
    await act()
    while not ready():
        if time.perf_counter() - start > timeout:
            raise SystemExit("the change did not show in time")
        await asyncio.sleep(0.002)
    app.screen.call_after_refresh(painted.set)
    app.screen.refresh()
    await painted.wait()
    shown = Shown(time.perf_counter() - start, 0.0, time.thread_time() - cpu)
    await asyncio.sleep(0.02)
    shown = replace(shown, stall=stalls.take())
    stalls.stop()
    return shown


async def key_until_painted(app: Any, key: str, ready: Callable[[], bool], timeout: float = 60.0) -> Shown:
    """`until_painted` for one key."""

    async def press() -> None:
        app.simulate_key(key)

    return await until_painted(app, press, ready, timeout)


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


# -- the column step at 20 / 2,000 / 10,000 columns, change by change ------------------------


async def _column_flow(warehouse: Path, store: Path) -> dict[str, Shown]:
    """Each change of a new wizard on the one table `wide`, until painted (see `until_painted`)."""
    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.screens.wizard import WizardScreen

    ctx = AppContext.open(db=store, warehouse=warehouse)
    app = DatasetTuiApp(ctx)
    figures: dict[str, Shown] = {}
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            screen = WizardScreen()

            async def push() -> None:
                await app.push_screen(screen)

            figures["open wizard"] = await until_painted(app, push, lambda: True)
            await pilot.press(*"bench_wizard")
            await pilot.pause(0.6)  # the live name check
            await app.workers.wait_for_complete()
            figures["step 1→2"] = await key_until_painted(
                app, "ctrl+n", lambda: screen.step == 2 and screen.tables_step.loaded
            )
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            want = len(ctx.warehouse().schema("raw_data", "wide").columns)
            draft = screen.draft
            # The table becomes the primary: its schema is read and filed while step 2 shows.
            figures["schema filed"] = await key_until_painted(
                app, "enter", lambda: len(draft.columns_of("wide")) == want
            )
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            picker = screen.columns_step.picker
            figures["step 2→3"] = await key_until_painted(
                app, "ctrl+n", lambda: screen.step == 3 and len(picker._column_rows()) == want
            )
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)

            async def burst() -> None:
                for key in ("slash", *"c0001"):  # as tmux or SSH deliver them: no pause between keys
                    app.simulate_key(key)

            figures["search burst"] = await until_painted(app, burst, lambda: picker.search_text == "c0001")
            await pilot.press("enter", "space")
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            figures["step 3→4"] = await key_until_painted(app, "ctrl+n", lambda: screen.step == 4)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            figures["step 4→3"] = await key_until_painted(app, "ctrl+o", lambda: screen.step == 3)
            await app.workers.wait_for_complete()
    finally:
        ctx.close()
    return figures


def main() -> None:
    """The column step at 2,000 and 10,000 columns, each change beside the same on 20 columns."""
    import sys
    import tempfile

    from bench.scale import wide_table

    sizes = [int(a) for a in sys.argv[1:]] or [2000, 10_000]
    with tempfile.TemporaryDirectory(prefix="bench-wizard-") as tmp:
        folder = Path(tmp)
        flows = {}
        for count in (20, *sizes):
            path = folder / f"wide_{count}.duckdb"
            wide_table(path, count, rows=1000)
            flows[count] = asyncio.run(_column_flow(path, folder / f"store_{count}"))
    print(
        "wizard on one table of N columns: until painted, event-loop CPU, longest stall "
        "(target under 50 ms); baseline: the same change on 20 columns, same run"
    )
    base = flows[20]
    for count in sizes:
        for what, shown in flows[count].items():
            b = base[what]
            print(
                f"  {count:>6,} columns  {what:<13} {shown.seconds * 1000:5.0f} ms, cpu {shown.cpu * 1000:4.0f} ms, "
                f"stall {shown.stall * 1000:4.0f} ms   beside 20: {b.seconds * 1000:4.0f} ms, "
                f"cpu {b.cpu * 1000:3.0f} ms, stall {b.stall * 1000:3.0f} ms  → cpu ×{shown.cpu / max(b.cpu, 1e-4):.1f}"
            )


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import os

    if os.environ.get("BENCH_GC_LOG"):
        from bench.gc_log import install

        install()
    main()

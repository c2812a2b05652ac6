"""Start-up and responsiveness of the TUI.

1. Process start → dataset list on screen, in a real pseudo-terminal, with
   1,000 datasets in the store (target ≤ 0.8 s median), beside
   `python -c "import textual.app"` timed the same way in the same run; then
   both again with one busy CPU loop per core beside them (a shared, loaded
   host: what users of a bastion machine see).
2. The longest event-loop stall while a warehouse call takes 3 s (a slowed
   adapter), measured by a 10 ms timer inside the app (target ≤ 50 ms),
   beside the same app idle for the same time.
3. Opening the wizard on a saved dataset and each step change, beside a
   baseline screen (header, input, four switched panes, footer) timed the
   same way in the same run, with a warehouse answering 0.2 s late: the
   time from the key to the first paint showing the step, and the longest
   event-loop stall meanwhile (`python bench/startup.py wizard` runs only this).
4. The same stall measure while the home list of 20,000 datasets is searched
   (`/`, then keys typed in bursts, then escape), beside the same app idle
   (`python bench/startup.py search` runs only this, beside 100 datasets).

`BENCH_GC_LOG=1` also prints the garbage collector's passes (bench/gc_log.py).

Run: `make bench` (or `python bench/startup.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

RUNS = 7
DATASETS = 1_000
SEARCH_DATASETS = 20_000


def make_store(folder: Path, count: int) -> str:
    """A store with `count` datasets; returns the name the list shows first."""
    from bench.fixtures import bulk_store

    names = bulk_store(folder, count)
    return sorted(names)[0]


def time_until(argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 20.0) -> float:
    """Seconds from spawning `argv` in a pty until `marker` appears in its output."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.01)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if marker in seen:
                    return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} did not appear within {timeout}s; output tail: {seen[-400:]!r}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def busy_loops(count: int) -> list[subprocess.Popen[bytes]]:
    """`count` processes spinning a CPU each, until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def startup(tmp: Path, first: str, *, load: int = 0) -> tuple[list[float], list[float]]:
    """Start-up times of the app and of the baseline, each run alternately; `load` busy loops beside."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40", COLORTERM="truecolor")
    # An installed app has its modules compiled (pip writes the .pyc files), as the
    # baseline's Textual has in site-packages. With PYTHONDONTWRITEBYTECODE set (as in
    # some shells and CI), every start would compile the app's ~150 modules from
    # source (~0.2 s here) while the baseline reads bytecode: not what a user waits for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["DATASET_TUI_DB"] = str(tmp / "store")
    # An existing (empty) warehouse file: start-up must not depend on it.
    env["DATASET_TUI_WAREHOUSE"] = str(tmp / "wh.duckdb")
    import duckdb

    duckdb.connect(str(tmp / "wh.duckdb")).close()
    app = [sys.executable, "-m", "dataset_tui"]
    baseline = [sys.executable, "-c", "import textual.app; print('imported')"]
    app_times, base_times = [], []
    loops = busy_loops(load)
    try:
        for _ in range(RUNS):
            base_times.append(time_until(baseline, b"imported", env, timeout=60))
            app_times.append(time_until(app, first.encode(), env, timeout=60))
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    return app_times, base_times


async def stall(seconds: float = 3.0) -> tuple[float, float, float]:
    """Longest gap between 10 ms ticks: idle, then while analyze waits on a 3 s warehouse."""
    from bench.fixtures import TickGaps, slowed_context
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.screens.detail import DetailScreen

    with tempfile.TemporaryDirectory() as tmp:
        ctx, name = slowed_context(Path(tmp), delay=seconds)
        app = DatasetTuiApp(ctx)

        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            ticks = TickGaps(app)
            await asyncio.sleep(seconds)
            idle = max(ticks.gaps)
            ticks.gaps.clear()
            await app.push_screen(DetailScreen(name))
            await pilot.pause(1.0)
            await app.workers.wait_for_complete()
            opening = max(ticks.gaps)
            ticks.gaps.clear()
            await pilot.press("r")
            await asyncio.sleep(seconds + 0.5)
            busy = max(ticks.gaps)
            ticks.timer.stop()
            await app.workers.wait_for_complete()
        ctx.close()
    return idle, opening, busy


def _baseline_screen() -> Any:
    """The least a screen like the wizard can cost: a header, an input, four switched panes, a footer."""
    from textual.app import ComposeResult
    from textual.binding import Binding
    from textual.screen import Screen
    from textual.widgets import ContentSwitcher, Footer, Header, Input, Static

    class Baseline(Screen[None]):
        BINDINGS = [  # noqa: RUF012 (Textual's class data)
            Binding("ctrl+n", "next", "Next", priority=True),
            Binding("ctrl+o", "previous", "Back", priority=True),
        ]
        step = 1

        def compose(self) -> ComposeResult:
            yield Header()
            with ContentSwitcher(initial="p1"):
                for i in range(1, 5):
                    yield Static(f"pane {i}", id=f"p{i}")
            yield Input(id="first")
            yield Footer()

        def on_mount(self) -> None:
            self.query_one("#first").focus()

        def action_next(self) -> None:
            self.step += 1
            self.query_one(ContentSwitcher).current = f"p{self.step}"

        def action_previous(self) -> None:
            self.step -= 1
            self.query_one(ContentSwitcher).current = f"p{self.step}"

    return Baseline()


async def wizard_times(runs: int = RUNS) -> dict[str, tuple[list[Any], list[Any]]]:
    """Opening the wizard on a saved dataset and each step change (ctrl+n, then back
    with ctrl+o), each beside the baseline screen timed the same way in the same
    app, while the warehouse answers 0.2 s late (the wizard must not wait for it).

    Each figure (bench.wizard_scale.Shown) is the time from the key (or the
    push) to the first paint that shows the step, the event loop's CPU time
    for it, and the longest event-loop stall meanwhile (10 ms ticks):
    {what: (wizard figures, baseline figures)}.
    """
    from bench.fixtures import slowed_context
    from bench.wizard_scale import key_until_painted, until_painted
    from dataset_tui.services import definitions
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.wizard.screen import WizardScreen

    changes = (
        ("step 1→2", "ctrl+n", 2), ("step 2→3", "ctrl+n", 3), ("step 3→4", "ctrl+n", 4), ("step 4→3", "ctrl+o", 3),
    )
    times: dict[str, tuple[list[Any], list[Any]]] = {what: ([], []) for what in ("open", *(c[0] for c in changes))}
    with tempfile.TemporaryDirectory() as tmp:
        ctx, name = slowed_context(Path(tmp), delay=0.2)
        head, version = definitions.resolve(ctx.store, ctx.model, name)
        app = DatasetTuiApp(ctx)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            for _ in range(runs):
                for which in (0, 1):  # 0 the wizard, 1 the baseline
                    screen = (
                        WizardScreen(version.definition, base_revision=head.revision)
                        if which == 0
                        else _baseline_screen()
                    )

                    async def push(screen: Any = screen) -> None:
                        await app.push_screen(screen)

                    times["open"][which].append(await until_painted(app, push, lambda: True))
                    await app.workers.wait_for_complete()
                    await pilot.pause(0.2)
                    for what, key, step in changes:
                        shown = await key_until_painted(app, key, lambda step=step, s=screen: s.step == step)
                        times[what][which].append(shown)
                        # Let the step's own work (statistics, the live SQL) end before the next change.
                        await app.workers.wait_for_complete()
                        await pilot.pause(0.2)
                    app.pop_screen()
                    await pilot.pause()
                    await app.workers.wait_for_complete()
        ctx.close()
    return times


async def search_stall(count: int = SEARCH_DATASETS) -> tuple[float, float, float, int]:
    """Longest gap between 10 ms ticks: the home list of `count` datasets idle, then
    searched with `/` and bursts of typed keys (as a user types), then cleared.

    Returns (idle, searching, opening seconds, rows shown after the search).
    """
    from bench.fixtures import TickGaps
    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.widgets.dataset_list import DatasetList
    from dataset_tui.warehouse.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_store(folder / "store", count)
        build_demo(folder / "wh.duckdb", rows=2_000, seed=1)
        ctx = AppContext.open(db=folder / "store", warehouse=folder / "wh.duckdb")
        app = DatasetTuiApp(ctx)

        async with app.run_test(size=(120, 40)) as pilot:
            # From here, not from before the app started: its start-up is the
            # same for every size and timed in section 1.
            ticks = TickGaps(app)
            gaps = ticks.gaps
            dataset_list = app.screen.query_one("#datasets", DatasetList)
            while len(dataset_list.rows) < count:  # opening: the list of `count` arrives from a worker
                await asyncio.sleep(0.01)
            # A few ticks after the rows arrived, so drawing them counts, and so a
            # small list (there before the first tick) has gaps to measure.
            await asyncio.sleep(0.1)
            opening = max(gaps)
            await asyncio.sleep(1.0)
            gaps.clear()
            await asyncio.sleep(2.0)
            idle = max(gaps)
            gaps.clear()
            await pilot.press("slash")
            for burst in ("data", "set_", "19", "99"):
                await pilot.press(*burst)
                await asyncio.sleep(0.15)
            await app.workers.wait_for_complete()
            await asyncio.sleep(0.3)
            shown = len(dataset_list.rows)
            await pilot.press("escape")
            await app.workers.wait_for_complete()
            await asyncio.sleep(0.3)
            searching = max(gaps)
        ctx.close()
    return idle, searching, opening, shown


def print_wizard_times(times: dict[str, tuple[list[Any], list[Any]]]) -> None:
    print(
        "wizard on a saved dataset: until painted, event-loop CPU, longest stall (medians; max stall); "
        "baseline: a screen with header, input, 4 switched panes, footer"
    )
    for what, (wizard, baseline) in times.items():
        w, b = _medians(wizard), _medians(baseline)
        print(
            f"  wizard {what:<9} {w[0]:5.0f} ms, cpu {w[1]:4.0f} ms, stall {w[2]:4.0f} ms (max {w[3]:4.0f})"
            f"  beside baseline {b[0]:4.0f} ms, cpu {b[1]:3.0f} ms, stall {b[2]:3.0f} ms (max {b[3]:3.0f})"
            f"  → cpu ratio {w[1] / max(b[1], 0.1):.1f}×"
        )


def _medians(shown: list[Any]) -> tuple[float, float, float, float]:
    """Median wall, CPU and stall, and the largest stall, in ms."""
    return (
        statistics.median(s.seconds for s in shown) * 1000,
        statistics.median(s.cpu for s in shown) * 1000,
        statistics.median(s.stall for s in shown) * 1000,
        max(s.stall for s in shown) * 1000,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = make_store(Path(tmp) / "store", DATASETS)
        app_times, base_times = startup(Path(tmp), first)
        cores = os.cpu_count() or 2
        loaded_app, loaded_base = startup(Path(tmp), first, load=cores)
    app_med, base_med = statistics.median(app_times), statistics.median(base_times)
    print(
        f"start-up to dataset list ({DATASETS} datasets): median {app_med * 1000:.0f} ms "
        f"(min {min(app_times) * 1000:.0f}, max {max(app_times) * 1000:.0f}; target ≤ 800 ms)"
    )
    print(
        f"  baseline `import textual.app`:            median {base_med * 1000:.0f} ms"
        f"  → ratio {app_med / base_med:.2f}×"
    )
    app_med, base_med = statistics.median(loaded_app), statistics.median(loaded_base)
    print(
        f"start-up to dataset list, {cores} busy CPU loops beside: median {app_med * 1000:.0f} ms "
        f"(min {min(loaded_app) * 1000:.0f}, max {max(loaded_app) * 1000:.0f})"
    )
    print(
        f"  baseline `import textual.app`, same load:  median {base_med * 1000:.0f} ms"
        f"  → ratio {app_med / base_med:.2f}×"
    )
    idle, opening, busy = asyncio.run(stall())
    print(f"longest event-loop stall during a 3 s warehouse call: {busy * 1000:.0f} ms (target ≤ 50 ms)")
    print(f"  baseline, same app idle:                   {idle * 1000:.0f} ms  → ratio {busy / idle:.2f}×")
    print(f"  (for reference: opening the detail screen, SQL highlighting included: {opening * 1000:.0f} ms)")
    print_wizard_times(asyncio.run(wizard_times()))
    idle, searching, opening, shown = asyncio.run(search_stall())
    print(
        f"longest event-loop stall searching {SEARCH_DATASETS:,} datasets (/ and typed bursts, then escape): "
        f"{searching * 1000:.0f} ms (target ≤ 50 ms; {shown} rows matched)"
    )
    print(f"  baseline, same app idle on the same list:  {idle * 1000:.0f} ms  → ratio {searching / idle:.2f}×")
    small_opening = asyncio.run(search_stall(100))[2]
    print(f"longest stall while the list of {SEARCH_DATASETS:,} opens: {opening * 1000:.0f} ms")
    print(
        f"  baseline, the same with 100 datasets (the app's first paint): {small_opening * 1000:.0f} ms"
        f"  → ratio {opening / small_opening:.2f}×"
    )


def print_search_stall() -> None:
    """Section 4 alone (`python bench/startup.py search`)."""
    idle, searching, opening, shown = asyncio.run(search_stall())
    small_idle, small_searching, small_opening, _ = asyncio.run(search_stall(100))
    print(
        f"longest event-loop stall, home list of {SEARCH_DATASETS:,} datasets: opening {opening * 1000:.0f} ms, "
        f"searching {searching * 1000:.0f} ms ({shown} rows matched), idle {idle * 1000:.0f} ms (target ≤ 50 ms)"
    )
    print(
        f"  baseline, the same with 100 datasets: opening {small_opening * 1000:.0f} ms, "
        f"searching {small_searching * 1000:.0f} ms, idle {small_idle * 1000:.0f} ms"
    )


if __name__ == "__main__":
    if os.environ.get("BENCH_GC_LOG"):
        from bench.gc_log import install

        install()
    if sys.argv[1:] == ["wizard"]:
        print_wizard_times(asyncio.run(wizard_times()))
    elif sys.argv[1:] == ["search"]:
        print_search_stall()
    else:
        main()

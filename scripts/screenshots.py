"""`make screenshots`: SVG pictures of every screen, on demo data, into screenshots/.

The clock is fixed and the demo is deterministic, so the pictures only
change when the UI does. README.md shows them.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
TODAY = dt.datetime(2025, 6, 15, 9, 30, tzinfo=dt.UTC)
SIZE = (120, 36)


def build_context(folder: Path) -> Any:
    from dataset_tui.domain import clock
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.services import checks, definitions, runs
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.demo import build_demo

    clock.fix(TODAY)
    # The wizard pictures are driven by the same key scripts as its snapshots,
    # which pick tables by position in the shop's four tables (no GA4 family).
    build_demo(folder / "demo.duckdb", rows=100_000, seed=42, today=TODAY.date(), ga4=False)
    ctx = AppContext.open(db=folder / "store", warehouse=folder / "demo.duckdb")
    example = json.loads((ROOT / "examples" / "purchases_6m.json").read_text())
    # The wizard shots type "purchases_6m"; keep that name free for them.
    example["name"] = "purchases_top80"
    definitions.save(ctx, parse_definition(checks.fill_column_types(ctx, parse_definition(example)).to_dict()))
    runs.analyze(ctx, "purchases_top80")
    definitions.activate(ctx, "purchases_top80")
    newer = copy.deepcopy(example)
    newer["filters"]["min_transactions"] = 3
    definitions.save(ctx, parse_definition(newer), base_revision=1, note="stricter: 3+ purchases")
    weekly = copy.deepcopy(example)
    weekly.update(name="weekly_eval", description="The last week held out for evaluation")
    weekly["split"] = {"type": "time", "eval_days": 6}
    weekly["filters"].pop("top_products_percent")
    definitions.save(ctx, parse_definition(weekly))
    runs.analyze(ctx, "weekly_eval")
    for months in (3, 12):
        other = copy.deepcopy(example)
        other.update(name=f"purchases_{months}m", description=f"{months} months of purchases")
        other["filters"]["date_range"]["months"] = months
        definitions.save(ctx, parse_definition(other))
    return ctx


Shot = tuple[str, Callable[[Any], Awaitable[None]]]


async def settle(pilot: Any) -> None:
    await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.1)


def keys(*presses: str) -> Callable[[Any], Awaitable[None]]:
    async def run(pilot: Any) -> None:
        for key in presses:
            await pilot.press(key)
            await settle(pilot)

    return run


def wizard(step: str) -> Callable[[Any], Awaitable[None]]:
    """The wizard driven as its snapshot tests drive it (one script of keys for both)."""

    async def run(pilot: Any) -> None:
        sys.path.insert(0, str(ROOT / "tests"))
        import test_tui_wizard_snapshots as drivers

        await getattr(drivers, step)(pilot)
        await drivers.still(pilot)

    return run


async def materialized(pilot: Any) -> None:
    """The detail after `materialize` (as of the demo's today) and `V` verify."""
    from dataset_tui.services.materialize import materialize

    materialize(pilot.app.ctx, "purchases_top80", to="screenshots_ml")
    await keys("down", "down", "enter", "V")(pilot)
    pilot.app.screen.query_one("#info").scroll_end(animate=False)
    await settle(pilot)


SHOTS: list[Shot] = [
    ("01_datasets", keys("down", "space", "down")),
    ("02_detail", keys("down", "down", "enter")),
    ("03_detail_train_tab", keys("down", "down", "enter", "t")),
    ("04_preview", keys("down", "down", "enter", "p")),
    ("05_history", keys("down", "down", "h")),
    ("06_compare", keys("down", "down", "space", "space", "m")),
    ("07_export", keys("x")),
    ("08_help", keys("question_mark")),
    ("09_palette", keys("ctrl+p")),
    ("11_wizard_basic", wizard("step1")),
    ("12_wizard_tables", wizard("step2")),
    ("13_wizard_columns", wizard("step3")),
    ("14_wizard_filters", wizard("step4")),
    ("15_materialize", keys("down", "down", "enter", "M")),
    ("16_materialized", materialized),
]


async def take(ctx: Any, name: str, run: Callable[[Any], Awaitable[None]], size: tuple[int, int]) -> Path:
    from dataset_tui.tui.app import DatasetTuiApp

    app = DatasetTuiApp(ctx)
    async with app.run_test(size=size) as pilot:
        app.cursor_blink = False  # type: ignore[attr-defined]
        await settle(pilot)
        await run(pilot)
        await settle(pilot)
        app.clear_notifications()
        await pilot.pause(0.1)
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    OUT.mkdir(exist_ok=True)
    os.environ.pop("NO_COLOR", None)
    with tempfile.TemporaryDirectory() as tmp:
        # The export modal shows the working directory: use one that reads the
        # same on every machine, so the picture only changes with the UI.
        shown = Path(tempfile.gettempdir()) / "dataset-tui-exports"
        shown.mkdir(exist_ok=True)
        os.chdir(shown)
        ctx = build_context(Path(tmp))
        wanted = set(sys.argv[1:])  # names of shots to retake; none: all of them
        for name, run in SHOTS:
            if not wanted or name in wanted:
                print(await take(ctx, name, run, SIZE))
        if not wanted or "10_datasets_80x24" in wanted:
            print(await take(ctx, "10_datasets_80x24", keys(), (80, 24)))
        ctx.close()


if __name__ == "__main__":
    asyncio.run(main())

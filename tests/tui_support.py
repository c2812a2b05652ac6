"""The Pilot harness every TUI test drives the app with: one copy of each helper.

Fixtures (`fixed_clock`, `ctx`, `wizard_warehouse`) are imported by the test
modules that use them, next to the helpers, so a module names what it needs.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain import clock
from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext
from example_definition import example_dict

TODAY = dt.date(2025, 6, 15)  # the small demo warehouses (conftest, wizard) are built for this day
EXAMPLE = example_dict()


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def fixed_clock() -> Iterator[None]:
    """The app's clock on TODAY; a module turns it on with `pytestmark = usefixtures(...)`."""
    with clock.fixed(TODAY):
        yield


@pytest.fixture
def ctx(open_context: Any, demo_file: Path) -> AppContext:
    """An AppContext on the small demo warehouse (read-only) and an empty store."""
    context: AppContext = open_context(demo_file)
    return context


@pytest.fixture(scope="module")
def wizard_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with the shop's tables only, for the wizard tests and pictures.

    The steps are driven by position in the table list, and the wizard's GA4
    flow (events_* as one entry) is a later task.
    """
    from dataset_tui.warehouse.demo import build_demo

    path = tmp_path_factory.mktemp("wizard-wh") / "wh.duckdb"
    build_demo(path, rows=5_000, seed=1, today=TODAY, ga4=False)
    return path


# -- the store ---------------------------------------------------------------------------------


def add(ctx: AppContext, name: str, description: str = "", **changes: Any) -> None:
    """Save the example definition under `name`; `changes` replace whole top-level keys."""
    data = copy.deepcopy(EXAMPLE)
    data.update(name=name, description=description, **changes)
    definitions.save(ctx, parse_definition(data))


def save_definition(ctx: Any, data: dict[str, Any], **kwargs: Any) -> Any:
    return definitions.save(ctx.store, parse_definition(data), **kwargs)


# -- the app -----------------------------------------------------------------------------------


def app_for(ctx: AppContext) -> Any:
    from dataset_tui.tui.app import DatasetTuiApp

    return DatasetTuiApp(ctx)


def recording_app(ctx: Any) -> Any:
    """The app, keeping every worker failure: `settle` then fails on errors the user would only see as a toast."""
    import dataset_tui.tui.app as app_module
    from dataset_tui.tui.app import DatasetTuiApp

    class RecordingApp(DatasetTuiApp):
        # A CSS path is relative to the module defining the class: point at the app's.
        CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")

        def __init__(self, ctx: Any) -> None:
            super().__init__(ctx)
            self.failures: list[str] = []

        def on_work_failed(self, message: Any) -> None:
            self.failures.append(f"{message.action}: {message.error!r}")
            super().on_work_failed(message)

    return RecordingApp(ctx)


async def settle(pilot: Any, wait: float = 0.05) -> None:
    """Let timers fire and every worker finish, then let the messages they posted land.

    A recording app's worker failures fail the test here.
    """
    from textual.worker import WorkerCancelled

    await pilot.pause(wait)
    for worker in list(pilot.app.workers):
        # A cancelled worker is the app's normal business (an exclusive read
        # replaced by a newer one, a screen's work dropped as it closes).
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()
    await pilot.pause()
    failures = getattr(pilot.app, "failures", [])
    assert not failures, failures


@contextlib.asynccontextmanager
async def started(app: Any, size: tuple[int, int]) -> AsyncIterator[Any]:
    """`app.run_test` at `size`, settled once (the first screen's workers done): the pilot."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


async def press(pilot: Any, *keys: str) -> None:
    """Press the keys (Pilot waits for each), then settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def still(pilot: Any) -> None:
    """No toasts, every worker done: a picture must not depend on timing."""
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def until(pilot: Any, ready: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Wait for debounced work (timers, then workers) instead of guessing a pause."""
    waited = 0.0
    while not ready():
        assert waited < timeout, f"gave up waiting for {what}"
        await settle(pilot)
        waited += 0.05


# -- what the screen shows ---------------------------------------------------------------------


def text_of(screen: Any, selector: str) -> str:
    from textual.widgets import Static

    return str(screen.query_one(selector, Static).render())


def names_on_screen(app: Any) -> list[str]:
    from dataset_tui.tui.widgets.dataset_list import DatasetList

    return [row.name for row in app.screen.query_one("#datasets", DatasetList).rows]


def notifications(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


# -- the wizard --------------------------------------------------------------------------------


async def open_wizard(pilot: Any, *args: Any, **kwargs: Any) -> list[Any]:
    """Push a WizardScreen; the returned list receives what it is dismissed with."""
    from dataset_tui.tui.screens.wizard import WizardScreen

    await settle(pilot)
    results: list[Any] = []
    pilot.app.push_screen(WizardScreen(*args, **kwargs), callback=results.append)
    await settle(pilot)
    return results


def wizard(pilot: Any) -> Any:
    from dataset_tui.tui.screens.wizard import WizardScreen

    screen = pilot.app.screen
    assert isinstance(screen, WizardScreen), f"expected the wizard, got {screen}"
    return screen


async def edit_at_step(pilot: Any, definition: Any, step: int) -> Any:
    """Open the wizard on revision 1's definition and go on to `step` with ctrl+n; the wizard screen."""
    await open_wizard(pilot, definition, base_revision=1)
    screen = wizard(pilot)
    for _ in range(step - 1):
        await press(pilot, "ctrl+n")
    return screen

"""The garbage collector's full passes wait for a quiet moment while the app runs (tui/collector.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from dataset_tui.services.context import AppContext
from dataset_tui.tui import collector
from dataset_tui.tui.app import DatasetTuiApp
from tui_support import ctx  # noqa: F401 - fixture


class Cycle:
    """An object in a reference cycle: only a full pass frees it once it reached generation 2."""

    def __init__(self) -> None:
        self.me = self


def old_garbage() -> weakref.ref[Cycle]:
    """A cycle in generation 2 that became garbage, with a full pass due (as many
    generation-1 passes as Python's default threshold waits for)."""
    holder = [Cycle()]
    gc.collect(1)  # survivors of a generation-1 pass move to generation 2
    gone = weakref.ref(holder[0])
    holder.clear()
    for _ in range(collector.DUE_AFTER):
        gc.collect(1)  # each counts as one generation-1 pass toward the full one
    assert gone() is not None
    return gone


async def test_full_pass_waits_for_a_quiet_moment(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "CHECK_EVERY_S", 0.05)
    before = gc.get_threshold()
    app = DatasetTuiApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        # Python's own full pass is pushed far out while the app runs.
        assert gc.get_threshold()[2] == collector.FULL_PASS_AFTER
        await pilot.pause(0.3)
        gone = old_garbage()
        # Keys keep coming: the cycle is not collected under the user's fingers.
        for _ in range(int(collector.QUIET_S / 0.1) + 5):
            await pilot.press("down")
            await asyncio.sleep(0.1)
        assert gone() is not None
        # A quiet second later the app has run the full pass itself.
        for _ in range(60):
            if gone() is None:
                break
            await asyncio.sleep(0.05)
        assert gone() is None
    # And Python's thresholds are back once the app ends.
    assert gc.get_threshold() == before

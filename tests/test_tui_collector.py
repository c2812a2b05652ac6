"""The garbage collector's full passes wait for a long quiet moment while the app runs (tui/collector.py)."""

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
    monkeypatch.setattr(collector, "FULL_QUIET_S", 2.0)
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
        # A quiet second is enough for the young passes only: the full pass
        # (which can take a few hundred ms) waits for a longer quiet.
        await asyncio.sleep(collector.QUIET_S + 0.3)
        assert gone() is not None
        # After the long quiet the app has run the full pass itself.
        for _ in range(80):
            if gone() is None:
                break
            await asyncio.sleep(0.05)
        assert gone() is None
    # And Python's thresholds are back once the app ends.
    assert gc.get_threshold() == before


async def test_full_pass_at_most_once_in_a_while(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "CHECK_EVERY_S", 0.05)
    monkeypatch.setattr(collector, "QUIET_S", 0.1)
    monkeypatch.setattr(collector, "FULL_QUIET_S", 0.2)
    full_passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full_passes.append(1)

    app = DatasetTuiApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)  # after start-up froze the heap (what is frozen is never collected)
        gc.collect()  # counts from zero: Python's own full pass (after FULL_PASS_AFTER) stays far off
        first = old_garbage()
        for _ in range(60):
            if first() is None:
                break
            await asyncio.sleep(0.05)
        assert first() is None  # the first long quiet ran a full pass
        # Due again and quiet, but the last full pass was less than FULL_EVERY_S ago.
        second = old_garbage()
        gc.callbacks.append(count)
        try:
            await asyncio.sleep(1.0)
        finally:
            gc.callbacks.remove(count)
        assert second() is not None
        assert full_passes == []

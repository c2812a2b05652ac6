"""Log the garbage collector's passes while a bench runs (`BENCH_GC_LOG=1`).

A full (generation 2) pass walks every tracked object and runs on whichever
thread allocated last: with the event loop on that thread it is a stall. This
prints, at exit, each generation's count of passes, their total and longest
time, and every pass over `threshold` ms, so a bench's stall can be matched
with a collection.
"""

from __future__ import annotations

import atexit
import gc
import threading
import time
from collections import defaultdict
from typing import Any

_started: dict[int, float] = {}
_passes: dict[int, list[float]] = defaultdict(list)
_slow: list[tuple[int, float, int, str]] = []


def _callback(phase: str, info: dict[str, Any]) -> None:
    ident = threading.get_ident()
    if phase == "start":
        _started[ident] = time.perf_counter()
        return
    began = _started.pop(ident, None)
    if began is None:
        return
    took = time.perf_counter() - began
    generation = int(info["generation"])
    _passes[generation].append(took)
    if took * 1000 >= _threshold_ms:
        _slow.append((generation, took, int(info["collected"]), threading.current_thread().name))


_threshold_ms = 10.0


def report() -> None:
    """Print what was logged so far and start again."""
    print("gc passes (generation: count, total ms, longest ms):")
    for generation in sorted(_passes):
        times = _passes[generation]
        print(f"  gen {generation}: {len(times):6d}, {sum(times) * 1000:7.0f}, {max(times) * 1000:6.1f}")
    for generation, took, collected, thread in _slow:
        print(f"  slow pass: gen {generation} {took * 1000:6.1f} ms, {collected} collected, thread {thread}")
    print(f"  frozen objects now: {gc.get_freeze_count():,}; tracked: {len(gc.get_objects()):,}")
    _passes.clear()
    _slow.clear()


def install(threshold_ms: float = 10.0) -> None:
    """Start logging; the report is printed at exit."""
    global _threshold_ms
    _threshold_ms = threshold_ms
    gc.callbacks.append(_callback)
    atexit.register(report)

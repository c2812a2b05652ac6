"""When the garbage collector's full passes run: while the user is not typing.

A full (generation 2) pass walks every tracked object the app holds and runs
on whichever thread allocated last, holding the GIL: with the wizard open
(its widgets, sqlglot, 10,000 column objects) one pass took 100–300 ms on a
loaded 2-core host, and Python started one every few step changes, right in
the middle of drawing the step (bench/startup.py wizard, BENCH_GC_LOG=1).
The garbage they find is real — Textual makes a few throw-away nodes with
reference cycles for every widget it restyles, ~60 objects each — so the
passes cannot simply be switched off.

So, while the app runs:
- Python's own full pass waits for 20× more young passes than its default
  (the threshold below), so it rarely falls inside a key or a step change;
- after a second without a key or a click (`QUIET_S`), the app runs the
  young passes (generations 0 and 1: a few ms), so garbage that does not
  outlive them never reaches the old generation;
- the full pass runs only after a long quiet (`FULL_QUIET_S`), when enough
  was allocated for Python to have wanted one, and at most once every
  `FULL_EVERY_S`. A pass freeing a closed wizard takes 100–300 ms on a loaded
  host: started after one quiet second, it met the next key often (a user
  reading the screen, then typing); after ten, the key must land in that
  fraction of a second after a long pause;
- after such a pass on the home screen, if modules were imported since the
  last time (the wizard's, sqlglot, duckdb: imported lazily, long after
  start-up froze the heap), the survivors are frozen too, so later passes
  walk only what is new. Frozen objects are still freed when their last
  reference goes; only cycles among them would stay, which is why freezing
  waits for the home screen (a wizard frozen while open would be kept).
Memory stays bounded: what a user who never pauses for ten seconds leaves
behind is collected by Python's own full pass, after `FULL_PASS_AFTER`
young passes (~1.4 million net allocations), as before.
The thresholds are put back when the app ends (tests run many apps in one
process).
"""

from __future__ import annotations

import gc
import sys
from time import monotonic
from typing import Any

# Full passes Python may start on its own: after this many generation-1
# passes (default 10, i.e. ~70,000 net allocations; here ~1.4 million).
FULL_PASS_AFTER = 200
# The app's young passes wait for this long without a key or a click...
QUIET_S = 1.0
# ...its full pass for this long, and for as many generation-1 passes as
# Python's default would have waited for, and at most once in FULL_EVERY_S.
FULL_QUIET_S = 10.0
DUE_AFTER = 10
FULL_EVERY_S = 60.0
CHECK_EVERY_S = 0.5


class QuietCollector:
    """Moves the garbage collector's full passes to the moments the user is not typing."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._last_input = monotonic()
        self._young_done = False  # young passes run once per quiet moment
        self._last_full = float("-inf")
        self._modules_frozen = len(sys.modules)
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, FULL_PASS_AFTER)
        self._timer = app.set_interval(CHECK_EVERY_S, self._check, name="quiet collector")

    def input_seen(self) -> None:
        """A key or a click arrived: the user is busy."""
        self._last_input = monotonic()
        self._young_done = False

    def _check(self) -> None:
        now = monotonic()
        quiet = now - self._last_input
        if quiet < QUIET_S:
            return
        if not self._young_done:
            self._young_done = True
            gc.collect(1)
        if quiet < FULL_QUIET_S or gc.get_count()[2] < DUE_AFTER or now - self._last_full < FULL_EVERY_S:
            return
        gc.collect()
        self._last_full = monotonic()
        if len(sys.modules) > self._modules_frozen and len(self._app.screen_stack) == 1:
            self._modules_frozen = len(sys.modules)
            gc.freeze()

    def stop(self) -> None:
        """Put Python's own thresholds back."""
        self._timer.stop()
        gc.set_threshold(*self._thresholds)

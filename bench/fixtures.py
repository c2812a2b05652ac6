"""Fixtures the benchmarks share: a big store written in bulk, a slowed warehouse."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

# The example definition of DESIGN §3: the file the README imports and the tests start from.
EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "examples" / "purchases_6m.json"


def example() -> dict[str, Any]:
    """A fresh copy of the example definition."""
    data: dict[str, Any] = json.loads(EXAMPLE_FILE.read_text())
    return data


def shop_definition(name: str, *more_columns: dict[str, Any], **parts: Any) -> dict[str, Any]:
    """A definition of the demo's transactions alone: the example's four role columns, then `more_columns`.

    No join; `parts` add whole top-level keys (filters, split).
    """
    base = example()
    columns = [column for column in base["columns"] if column["table"] == "transactions"]
    return {
        "format": base["format"],
        "name": name,
        "source": {"dataset": "raw_data", "primary": "transactions"},
        "columns": columns + copy.deepcopy(list(more_columns)),
        **copy.deepcopy(parts),
    }


class TickGaps:
    """The gaps between 10 ms ticks of an app's event loop: the longest gap is the longest stall.

    Counting starts at `since` (a perf_counter reading; default now), so a first gap can
    include what happened before the timer ran (the app starting).
    """

    def __init__(self, app: Any, since: float | None = None) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter() if since is None else since
        self.timer = app.set_interval(0.01, self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def longest(self) -> float:
        return max(self.gaps, default=0.0)


def bulk_store(folder: Path, count: int) -> list[str]:
    """A store of `count` datasets x 10 versions written straight into its files."""
    from bench.store import build_ours

    return build_ours(folder, count)


class SlowedWarehouse:
    """A real warehouse whose queries each take `delay` seconds longer (a slow BigQuery)."""

    def __init__(self, inner: Any, delay: float) -> None:
        self._inner = inner
        self._delay = delay

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self._delay)
        return self._inner.query(*args, **kwargs)


def slowed_context(folder: Path, delay: float) -> tuple[Any, str]:
    """An AppContext on a small demo warehouse whose queries are slowed; one dataset in the store."""
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.services import definitions
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.demo import build_demo

    build_demo(folder / "wh.duckdb", rows=20_000, seed=1)
    ctx = AppContext.open(db=folder / "store", warehouse=folder / "wh.duckdb")
    data = example()
    definitions.save(ctx, parse_definition(data))
    ctx.set_warehouse(SlowedWarehouse(ctx.warehouse(), delay))
    return ctx, data["name"]

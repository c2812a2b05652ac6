"""Fixtures the benchmarks share: a big store written in bulk, a slowed warehouse."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


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
    import json

    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.services import definitions
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.demo import build_demo

    root = Path(__file__).resolve().parent.parent
    build_demo(folder / "wh.duckdb", rows=20_000, seed=1)
    ctx = AppContext.open(db=folder / "store", warehouse=folder / "wh.duckdb")
    example = json.loads((root / "examples" / "purchases_6m.json").read_text())
    definitions.save(ctx, parse_definition(example))
    ctx.set_warehouse(SlowedWarehouse(ctx.warehouse(), delay))
    return ctx, example["name"]

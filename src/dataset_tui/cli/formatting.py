"""How the CLI writes numbers, sizes and distributions in its text (not `--json`) output."""

from __future__ import annotations

from typing import Any

SPARK = "▁▂▃▄▅▆▇█"


def size_text(count: int | None) -> str:
    from dataset_tui.services.cost import format_bytes

    return "" if count is None else format_bytes(count)


def number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def sparkline(counts: list[int]) -> str:
    top = max(counts, default=0)
    if top <= 0:
        return ""
    return "".join(SPARK[min(len(SPARK) - 1, int(c / top * (len(SPARK) - 1) + 0.5))] if c else " " for c in counts)


"""Short words for a definition's window and split, the same on every screen and in `compare`."""

from __future__ import annotations

from dataset_tui.domain.definition import Definition, Filters


def date_range_text(filters: Filters) -> str:
    dr = filters.date_range
    if dr is None:
        return "all time"
    if dr.type == "rolling":
        return f"last {dr.months} month{'s' if dr.months != 1 else ''} (rolling)"
    return f"{dr.start.isoformat()} → {dr.end.isoformat()}"


def split_text(definition: Definition) -> str:
    split = definition.split
    if split is None:
        return "none (full data only)"
    if split.type == "random":
        key = definition.split_key()
        return f"random {split.train_percent}/{100 - split.train_percent} by hash of {key.output_name if key else '?'}"
    return f"time: last {split.eval_days} days (+ anchor day) for eval"

"""The wizard's live summary: how many rows, and how they split into train and eval.

Measured when the dataset's cached analysis is for exactly this definition;
estimated from the analysis' row and day counts when the definition changed
since; only shares when nothing but the primary table's size is known (the
filters' effect on the row count is not known before an analysis).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from rich.markup import escape


def estimate_text(definition: Any, cached: Any, primary_rows: int | None, today: dt.date) -> str:
    """Rich-markup lines: rows, and the train/eval split (measured when the analysis has it).

    `cached` is (AnalysisCounts, definition hash, version analysed) or None.
    """
    from dataset_tui.domain.analysis import split_estimate

    lines: list[str] = []
    counts = None
    source = ""
    if cached is not None:
        counts, definition_hash, version = cached
        if definition_hash == definition.content_hash():
            source = f"measured by the analysis of v{version}"
        else:
            # Another definition's split sizes say nothing about this one;
            # its row and day counts still give the shape.
            counts = dataclasses.replace(counts, train_rows=None, eval_rows=None)
            source = f"analysis of v{version}, before your changes"
        lines.append(f"[b]Rows[/b]    {counts.rows:,}  [dim]({source})[/dim]")
    elif primary_rows is not None:
        # Only the table's size is known, not how many rows the filters keep:
        # the split is shown as shares, not as row counts that would be wrong.
        lines.append(
            f"[b]Rows[/b]    ≤ {primary_rows:,}  [dim]in {escape(definition.source.primary)} before filters "
            "(analyze after saving: exact)[/dim]"
        )
    estimate = split_estimate(definition, counts, today=today)
    if estimate is None:
        lines.append("[b]Split[/b]   none: full data only (train/eval SQL need a split)")
    else:
        approx = "" if estimate.method == "measured" else "≈ "
        if estimate.train_rows is not None and estimate.eval_rows is not None:
            share = ""
            if estimate.train_fraction is not None:
                train_share = 100 * estimate.train_fraction
                share = f" ({train_share:.0f}% / {100 - train_share:.0f}%)"
            lines.append(
                f"[b]Train[/b]   {approx}{estimate.train_rows:,}   [b]Eval[/b] {approx}{estimate.eval_rows:,}{share}"
            )
        elif estimate.train_fraction is not None:
            train_share = 100 * estimate.train_fraction
            lines.append(f"[b]Train[/b]   ≈ {train_share:.0f}% of the rows   [b]Eval[/b] ≈ {100 - train_share:.0f}%")
        lines.append(f"[dim]{escape(estimate.note)}[/dim]")
    return "\n".join(lines)

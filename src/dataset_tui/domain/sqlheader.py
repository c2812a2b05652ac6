"""The `-- ` comment block that starts every generated query.

It names the dataset, its version, the split and how it is made, the anchor
(the last day any row may be dated) and whether the query is pinned to an
as-of date or moves with CURRENT_DATE(), so a query read on its own says
what it returns.
"""

from __future__ import annotations

from dataset_tui.domain.definition import (
    Definition,
    FixedRange,
    RandomSplit,
    RollingRange,
)
from dataset_tui.domain.sql_context import LIVE, SqlContext
from dataset_tui.domain.sqlformat import comment_block, comment_safe


def uses_today(definition: Definition) -> bool:
    """Whether the rows depend on today: a rolling range, or no range over a timestamp.

    (A time split is anchored at today exactly when the range is not fixed,
    and then its rows already depend on today through the range.)
    """
    rng = definition.filters.date_range
    if isinstance(rng, RollingRange):
        return True
    return rng is None and definition.role_column("timestamp") is not None


# -- the header ---------------------------------------------------------------


def _describe_split(definition: Definition, split: str) -> str:
    s = definition.split
    if s is None:
        return "full: all rows (the definition has no split)"
    if isinstance(s, RandomSplit):
        key = definition.split_key()
        how = (
            f"random split by {key.output_name if key else '?'}: "
            f"bucket = ABS(MOD(FARM_FINGERPRINT(CAST(key AS STRING)), 100)); "
            f"train bucket < {s.train_percent}, eval bucket >= {s.train_percent}; NULL keys in neither"
        )
    else:
        how = (
            f"time split: eval = the last {s.eval_days} days before the anchor plus that day, "
            "train = earlier days; NULL timestamps in neither"
        )
    if split == "full":
        return f"full: all rows, train and eval together ({how})"
    return f"{split} ({how})"


def anchor_text(definition: Definition, context: SqlContext) -> str:
    """The header line naming the anchor: the last day any row of the output may be dated."""
    rng = definition.filters.date_range
    if isinstance(rng, FixedRange):
        return f"anchor: {rng.end.isoformat()} (the fixed range's end); no row dated after it"
    if definition.role_column("timestamp") is None:
        return "anchor: none (no timestamp role, so rows are not chosen by date)"
    if context.as_of is not None:
        return f"anchor: {context.as_of.isoformat()} (as of); no row dated after it"
    return "anchor: today, CURRENT_DATE() in UTC; no row dated after it"


def header_comment(
    definition: Definition,
    split: str,
    context: SqlContext = LIVE,
    *,
    tfx: bool = False,
    purpose: str | None = None,
) -> str:
    """The `-- ` comment block that starts every generated query.

    `purpose` adds a line saying what the query is for.
    """
    lines = [
        f"dataset-tui: dataset {definition.name} (model {definition.model})",
        f"version: {context.label}" if context.label else "version: unsaved definition",
        f"split: {_describe_split(definition, split)}",
        anchor_text(definition, context),
    ]
    if purpose:
        lines.insert(1, purpose)
    if context.as_of is not None:
        lines.append(
            f"as of {context.as_of.isoformat()}: today is fixed, so this query returns the same rows on any day"
        )
    elif uses_today(definition):
        lines.append("live: CURRENT_DATE(), so the date window moves with each run")
    else:
        lines.append("live: CURRENT_DATE() (this query does not depend on the date)")
    if tfx:
        lines.append("TFX variant: dates and times as integers, NUMERIC as FLOAT64 (BigQueryExampleGen types)")
    lines.append(f"definition sha256: {definition.content_hash()}")
    if definition.description.strip():
        lines.append("description:")
        lines += ["  " + line for line in comment_safe(definition.description)]
    return comment_block(lines)

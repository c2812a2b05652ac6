"""2–5 saved datasets side by side: key fields and cached analyses; nothing runs on the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dataset_tui.services.errors import ServiceError
from dataset_tui.services.runs import _iso_day, _resolve
from dataset_tui.services.values import plain

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.services.context import AppContext

MIN_COMPARE, MAX_COMPARE = 2, 5


def _key_fields(definition: Definition) -> dict[str, Any]:
    """The fields a side-by-side comparison shows, as short comparable values."""
    from dataset_tui.domain.describe import date_range_text, split_text

    src = definition.source
    filters = definition.filters
    roles = {}
    for role in ("user_id", "product_id", "timestamp", "revenue"):
        column = definition.role_column(role)
        roles[role] = f"{column.table}.{column.name}" if column else None
    return {
        "dataset": src.dataset,
        "primary": src.primary,
        "joins": [f"{j.type} {j.table}" for j in src.joins],
        "columns": len(definition.columns),
        "outputs": definition.output_names,
        **roles,
        "date_range": date_range_text(filters),
        "top_products_percent": filters.top_products_percent,
        "min_transactions": filters.min_transactions,
        "split": split_text(definition),
    }


def compare(ctx: AppContext, names: Sequence[str], *, as_of: dt.date | None = None) -> dict[str, Any]:
    """2–5 datasets side by side: key fields of the version in use and the cached analysis.

    `differs` lists the fields whose values are not all equal, so a face can
    highlight them. Nothing runs on the warehouse. With `as_of`, only
    analyses counted as of that day are shown (others are null, with a
    `note` saying how to make one), so the numbers side by side are of the
    same day.
    """
    unique = list(dict.fromkeys(names))
    if not MIN_COMPARE <= len(unique) <= MAX_COMPARE:
        raise ServiceError(f"compare takes {MIN_COMPARE} to {MAX_COMPARE} different datasets, not {len(unique)}")
    datasets: list[dict[str, Any]] = []
    for name in unique:
        head, chosen = _resolve(ctx, name, None)
        cached = ctx.store.cached_analysis(ctx.model, head.name)
        analysis = None
        note = None
        if cached is not None and as_of is not None and cached.result.get("as_of") != as_of.isoformat():
            note = f"not analyzed as of {as_of}: run `dataset-tui analyze {head.name} --as-of {as_of}`"
            cached = None
        if cached is not None:
            r = cached.result
            split = r.get("split") or {}
            analysis = {
                "rows": r.get("rows"),
                "users": r.get("users"),
                "products": r.get("products"),
                "date_min": r.get("date_min"),
                "date_max": r.get("date_max"),
                "train_rows": split.get("train_rows"),
                "eval_rows": split.get("eval_rows"),
                "quality_score": (r.get("quality") or {}).get("score"),
                "computed_at": plain(cached.computed_at),
                "as_of": r.get("as_of"),
                "live": r.get("live"),
                "stale": cached.stale,
            }
        datasets.append(
            {
                "name": head.name,
                "version": chosen.number,
                "status": head.status,
                "badge": head.badge,
                "definition_hash": chosen.definition_hash,
                "fields": _key_fields(chosen.definition),
                "analysis": analysis,
                "note": note,
            }
        )
    fields = list(datasets[0]["fields"])
    differs = [f for f in fields if len({repr(d["fields"][f]) for d in datasets}) > 1]
    analysis_fields = ["rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "quality_score"]
    for f in analysis_fields:
        values = {repr((d["analysis"] or {}).get(f)) for d in datasets}
        if len(values) > 1:
            differs.append(f"analysis.{f}")
    return {
        "datasets": datasets,
        "fields": fields,
        "analysis_fields": analysis_fields,
        "differs": differs,
        "as_of": _iso_day(as_of),
    }


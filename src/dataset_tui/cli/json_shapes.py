"""The `--json` shapes of DESIGN §8, made from the services' typed results.

Only the CLI writes JSON: the services return dataclasses, which the TUI
reads as they are. Key order is part of each shape (scripts diff the output).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dataset_tui.services.values import plain

if TYPE_CHECKING:
    from dataset_tui.services.compare import ComparedAnalysis, ComparedDataset, Comparison
    from dataset_tui.services.runs import Preview, Validation


def _iso_day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def validation_json(result: Validation) -> dict[str, Any]:
    """`validate --json`; `message` (the cost guard's word) only when the dry run passed."""
    cost = result.cost
    data: dict[str, Any] = {
        "name": result.name,
        "version": result.version,
        "valid": result.valid,
        "problems": [{"path": p.path, "message": p.message} for p in result.problems],
        "bytes_processed": None if cost is None else cost.bytes_processed,
        "cost_usd": None if cost is None else cost.cost_usd,
        "estimated": None if cost is None else cost.estimated,
        "summary": None if cost is None else cost.summary,
        "needs_confirmation": False if cost is None else cost.needs_confirmation,
        "refused": False if cost is None else cost.refused,
        "as_of": _iso_day(result.as_of),
    }
    if cost is not None:
        data["message"] = cost.message
    return data


def preview_json(result: Preview) -> dict[str, Any]:
    """`preview --json`: values as plain JSON data (NUMERIC as text, times ISO-8601)."""
    return {
        "name": result.name,
        "version": result.version,
        "split": result.split,
        "as_of": result.as_of.isoformat(),
        "live": result.live,
        "columns": [{"name": c.name, "role": c.role, "type": c.type} for c in result.columns],
        "rows": [[plain(v) for v in row] for row in result.rows],
        "truncated": result.truncated,
        "partitions": list(result.partitions),
    }


def _compared_analysis_json(analysis: ComparedAnalysis) -> dict[str, Any]:
    return {
        "rows": analysis.rows,
        "users": analysis.users,
        "products": analysis.products,
        "date_min": analysis.date_min,
        "date_max": analysis.date_max,
        "train_rows": analysis.train_rows,
        "eval_rows": analysis.eval_rows,
        "quality_score": analysis.quality_score,
        "computed_at": plain(analysis.computed_at),
        "as_of": analysis.as_of,
        "live": analysis.live,
        "stale": analysis.stale,
    }


def _compared_dataset_json(dataset: ComparedDataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "version": dataset.version,
        "status": dataset.status,
        "badge": dataset.badge,
        "definition_hash": dataset.definition_hash,
        "fields": dict(dataset.fields.items()),
        "analysis": None if dataset.analysis is None else _compared_analysis_json(dataset.analysis),
        "note": dataset.note,
    }


def comparison_json(result: Comparison) -> dict[str, Any]:
    """`compare --json`."""
    return {
        "datasets": [_compared_dataset_json(d) for d in result.datasets],
        "fields": list(result.fields),
        "analysis_fields": list(result.analysis_fields),
        "differs": list(result.differs),
        "as_of": _iso_day(result.as_of),
    }

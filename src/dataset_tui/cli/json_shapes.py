"""The `--json` shapes of DESIGN §8, made from the services' typed results.

Only the CLI writes JSON: the services return dataclasses, which the TUI
reads as they are. Key order is part of each shape (scripts diff the output).
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from dataset_tui.services.values import plain

if TYPE_CHECKING:
    from dataset_tui.services.catalog import CatalogEntry
    from dataset_tui.services.compare import ComparedAnalysis, ComparedDataset, Comparison
    from dataset_tui.services.dataset_queries import DatasetDetails
    from dataset_tui.services.runs import AnalysisRun, Preview, Validation
    from dataset_tui.store import DatasetHead, HeadColumns, Version, VersionDiff
    from dataset_tui.warehouse.base import TableInfo


def _iso_day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def analysis_json(run: AnalysisRun) -> dict[str, Any]:
    """`analyze --json`: the counts (DESIGN §8), the day counted to, then what was counted and when."""
    from dataset_tui.domain.analysis import analysis_to_json

    return {
        **analysis_to_json(run.counts, run.quality, run.definition),
        "as_of": run.as_of.isoformat(),
        "live": run.live,
        "name": run.name,
        "version": run.version,
        "definition_hash": run.definition_hash,
        "computed_at": plain(run.computed_at),
    }


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


# -- the store's datasets: list, deleted, versions, diff, show ------------------------------------

# The `list` JSON keys (DESIGN §8) and the head attributes they hold.
_ROW_KEYS = (
    "name",
    "status",
    "version",
    "active_version",
    "badge",
    "tables",
    "columns",
    "versions",
    "description",
    "last_analysis_rows",
    "created_at",
    "updated_at",
    "model",
)
_ROW_VALUES = operator.attrgetter(*(("revision" if key == "version" else key) for key in _ROW_KEYS))


def head_row(head: DatasetHead) -> dict[str, Any]:
    """The `list` JSON shape (DESIGN §8) plus the rest of the head."""
    return dict(zip(_ROW_KEYS, _ROW_VALUES(head), strict=True))


def head_rows(heads: Sequence[DatasetHead]) -> list[dict[str, Any]]:
    """head_row of each head, built in C (`list --json` of 20,000 spent 40 ms in a Python loop)."""
    return list(map(dict, map(zip, itertools.repeat(_ROW_KEYS), map(_ROW_VALUES, heads))))


def head_rows_json(found: HeadColumns) -> str:
    """What print_json writes for head_rows(found.heads()), made from the columns without building a head.

    The layout of json.dumps(indent=2); strings escaped as both its C encoder
    and pydantic-core's writer escape them (the same for every code point);
    integers as int.__repr__; times `...Z` as pydantic-core writes a UTC
    datetime (the columns hold `isoformat()` text in UTC, `...+00:00`). Each
    column is made in C over all rows, then interleaved with the keys by one
    join: 20,000 rows in about 25 ms, where heads, dicts and the writer took 400.
    """
    count = len(found)
    if not count:
        return "[]"  # print_json's plain path for an empty list

    def maybe(numbers: list[int | None]) -> list[str]:
        return ["null" if n is None else str(n) for n in numbers]

    def times(texts: list[str]) -> list[str]:
        return ['"' + t[:-6] + 'Z"' for t in texts]

    values: dict[str, Iterable[str]] = {
        "name": map(encode_basestring, found.names),
        "status": map(encode_basestring, found.statuses),
        "version": map(str, found.revisions),
        "active_version": maybe(found.active_versions),
        "badge": map(encode_basestring, found.badges),
        "tables": map(str, found.tables),
        "columns": map(str, found.columns),
        "versions": map(str, found.versions),
        "description": map(encode_basestring, found.descriptions),
        "last_analysis_rows": maybe(found.last_analysis_rows),
        "created_at": times(found.created_at),
        "updated_at": times(found.updated_at),
        "model": map(encode_basestring, found.models),
    }
    pieces: list[Iterable[str]] = []
    for i, key in enumerate(_ROW_KEYS):
        pieces += [itertools.repeat(("  {\n    " if i == 0 else ",\n    ") + f'"{key}": ', count), values[key]]
    pieces.append(itertools.repeat("\n  },\n", count))
    rows = "".join(itertools.chain.from_iterable(zip(*pieces, strict=True)))
    return "[\n" + rows[: -len(",\n")] + "\n]"


def version_rows(head: DatasetHead, found: Sequence[Version]) -> list[dict[str, Any]]:
    """The `versions` JSON shape (DESIGN §8), newest first."""
    return [
        {
            "version": v.number,
            "created_at": v.created_at,
            "status": "active" if v.number == head.active_version else "draft",
            "definition_hash": v.definition_hash,
            "note": v.note,
            "author": v.author,
            "latest": v.number == head.revision,
        }
        for v in sorted(found, key=lambda v: v.number, reverse=True)
    ]


def diff_json(result: VersionDiff) -> dict[str, Any]:
    """`diff --json`."""
    return {
        "name": result.name,
        "model": result.model,
        "from_version": result.old_version,
        "to_version": result.new_version,
        "rows_may_differ": result.hash_changed,
        "changes": [
            {"path": c.path, "kind": c.kind, "old": c.old, "new": c.new} for c in result.changes
        ],
        "unified": result.text,
    }


def details_json(found: DatasetDetails) -> dict[str, Any]:
    """`show --json`: the head's `list` row, the definition in use, versions, cached analysis, exports."""
    head, analysis = found.head, found.analysis
    return {
        **head_row(head),
        "definition_version": found.version.number,
        "definition_hash": found.version.definition_hash,
        "definition": found.version.definition.to_dict(),
        "versions": version_rows(head, found.versions),
        "analysis": None
        if analysis is None
        else {
            "definition_hash": analysis.definition_hash,
            "computed_at": analysis.computed_at,
            "stale": analysis.stale,
            "result": analysis.result,
        },
        "exports": [
            {"version": e.version, "paths": e.paths, "as_of": e.as_of, "exported_at": e.exported_at, "author": e.author}
            for e in found.exports
        ],
    }


# -- the warehouse's tables -----------------------------------------------------------------------


def table_json(info: TableInfo, entry: CatalogEntry | None = None) -> dict[str, Any]:
    """One item of `tables --json`: a table's fields, and `shards` (count, first, last) for a family."""
    span = entry.shards if entry is not None else None
    return {
        "name": info.name,
        "rows": info.rows,
        "bytes": info.bytes,
        "columns": info.columns,
        "modified": plain(info.modified),
        "partitioning": info.partitioning,
        "clustering": list(info.clustering),
        "table_type": info.table_type,
        "require_partition_filter": info.require_partition_filter,
        "shards": (
            None
            if span is None
            else {"count": span.count, "first": span.first.isoformat(), "last": span.last.isoformat()}
        ),
    }

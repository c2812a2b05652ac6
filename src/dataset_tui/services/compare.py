"""2–5 saved datasets side by side: key fields and cached analyses; nothing runs on the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from dataset_tui.services.errors import ServiceError
from dataset_tui.services.runs import _resolve

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.services.context import AppContext
    from dataset_tui.store import CachedAnalysis

MIN_COMPARE, MAX_COMPARE = 2, 5

# A compared value: a number, a short text, a list of names, or nothing.
FieldValue = str | int | float | list[str] | None


@dataclass(frozen=True)
class KeyFields:
    """The fields a side-by-side comparison shows, as short comparable values (in the order shown)."""

    dataset: str
    primary: str
    joins: list[str]  # "left orders", ...
    columns: int
    outputs: list[str]
    user_id: str | None  # table.column of each role, None when the definition has none
    product_id: str | None
    timestamp: str | None
    revenue: str | None
    date_range: str
    top_products_percent: int | None
    min_transactions: int | None
    split: str

    def items(self) -> list[tuple[str, FieldValue]]:
        """(field name, value) pairs in the order shown."""
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def value(self, field: str) -> FieldValue:
        """The value of one of the fields, by name (as Comparison.fields lists them)."""
        value: FieldValue = getattr(self, field)
        return value


@dataclass(frozen=True)
class ComparedAnalysis:
    """The numbers of a dataset's cached analysis a comparison shows."""

    rows: int | None
    users: int | None
    products: int | None
    date_min: str | None
    date_max: str | None
    train_rows: int | None
    eval_rows: int | None
    quality_score: float | None
    computed_at: dt.datetime
    as_of: str | None  # the day the analysis counted up to (older caches: None)
    live: bool | None  # counted as of the day it ran (older caches: None)
    stale: bool  # computed for another definition than the one in use


# The analysis numbers compared, in the order shown (the rest of ComparedAnalysis says how current it is).
ANALYSIS_FIELDS = ("rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "quality_score")


@dataclass(frozen=True)
class ComparedDataset:
    """One column of a comparison: the version in use, its key fields and cached analysis."""

    name: str
    version: int
    status: str
    badge: str
    definition_hash: str
    fields: KeyFields
    analysis: ComparedAnalysis | None  # None: never analyzed (or not as of the day asked)
    note: str | None  # how to get the missing analysis, when one was left out

    def analysis_value(self, field: str) -> Any:
        """One of ANALYSIS_FIELDS of the analysis, None when there is none."""
        return None if self.analysis is None else getattr(self.analysis, field)


@dataclass(frozen=True)
class Comparison:
    """`compare`: the datasets side by side and the fields whose values differ between them."""

    datasets: tuple[ComparedDataset, ...]
    fields: tuple[str, ...]  # the KeyFields names, in order
    analysis_fields: tuple[str, ...]  # ANALYSIS_FIELDS
    differs: tuple[str, ...]  # key field names, then `analysis.<field>` names
    as_of: dt.date | None


def _key_fields(definition: Definition) -> KeyFields:
    """The fields a side-by-side comparison shows, as short comparable values."""
    from dataset_tui.domain.describe import date_range_text, split_text

    src = definition.source
    filters = definition.filters
    roles: dict[str, str | None] = {}
    for role in ("user_id", "product_id", "timestamp", "revenue"):
        column = definition.role_column(role)
        roles[role] = f"{column.table}.{column.name}" if column else None
    return KeyFields(
        dataset=src.dataset,
        primary=src.primary,
        joins=[f"{j.type} {j.table}" for j in src.joins],
        columns=len(definition.columns),
        outputs=list(definition.output_names),
        **roles,
        date_range=date_range_text(filters),
        top_products_percent=filters.top_products_percent,
        min_transactions=filters.min_transactions,
        split=split_text(definition),
    )


def _compared_analysis(cached: CachedAnalysis) -> ComparedAnalysis:
    r = cached.result
    split = r.get("split") or {}
    return ComparedAnalysis(
        rows=r.get("rows"),
        users=r.get("users"),
        products=r.get("products"),
        date_min=r.get("date_min"),
        date_max=r.get("date_max"),
        train_rows=split.get("train_rows"),
        eval_rows=split.get("eval_rows"),
        quality_score=(r.get("quality") or {}).get("score"),
        computed_at=cached.computed_at,
        as_of=r.get("as_of"),
        live=r.get("live"),
        stale=cached.stale,
    )


def compare(ctx: AppContext, names: Sequence[str], *, as_of: dt.date | None = None) -> Comparison:
    """2–5 datasets side by side: key fields of the version in use and the cached analysis.

    `differs` lists the fields whose values are not all equal, so a face can
    highlight them. Nothing runs on the warehouse. With `as_of`, only
    analyses counted as of that day are shown (others are None, with a
    `note` saying how to make one), so the numbers side by side are of the
    same day.
    """
    unique = list(dict.fromkeys(names))
    if not MIN_COMPARE <= len(unique) <= MAX_COMPARE:
        raise ServiceError(f"compare takes {MIN_COMPARE} to {MAX_COMPARE} different datasets, not {len(unique)}")
    datasets: list[ComparedDataset] = []
    for name in unique:
        head, chosen = _resolve(ctx, name, None)
        cached = ctx.store.cached_analysis(ctx.model, head.name)
        note = None
        if cached is not None and as_of is not None and cached.result.get("as_of") != as_of.isoformat():
            note = f"not analyzed as of {as_of}: run `dataset-tui analyze {head.name} --as-of {as_of}`"
            cached = None
        datasets.append(
            ComparedDataset(
                name=head.name,
                version=chosen.number,
                status=head.status,
                badge=head.badge,
                definition_hash=chosen.definition_hash,
                fields=_key_fields(chosen.definition),
                analysis=None if cached is None else _compared_analysis(cached),
                note=note,
            )
        )
    names_shown = tuple(f.name for f in fields(KeyFields))
    # repr: a list and its values compare as text, as the faces show them
    columns = zip(*([v for _, v in d.fields.items()] for d in datasets), strict=True)
    differs = [f for f, values in zip(names_shown, columns, strict=True) if len({repr(v) for v in values}) > 1]
    for f in ANALYSIS_FIELDS:
        if len({repr(d.analysis_value(f)) for d in datasets}) > 1:
            differs.append(f"analysis.{f}")
    return Comparison(
        datasets=tuple(datasets),
        fields=names_shown,
        analysis_fields=ANALYSIS_FIELDS,
        differs=tuple(differs),
        as_of=as_of,
    )

"""Runs of a saved dataset: validate (dry run and cost), analyze (cached), preview.

"Today" for analyze and preview is the product's one clock, written into the
SQL as a literal: on a live clock that is exactly CURRENT_DATE() (UTC), and
with a fixed clock (tests, DATASET_TUI_TODAY) the answers follow it. An
`as_of` date replaces it (validate, analyze, preview, compare), so historical
data can be looked at as it was on that day; nothing dated after it counts.
Queries that scan data go through the cost guard, which on a billed
warehouse dry-runs first and asks `confirm` above the profile's threshold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataset_tui.domain.definition import Problem
from dataset_tui.services.checks import schema_problems
from dataset_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from dataset_tui.domain.analysis import AnalysisCounts, Quality
    from dataset_tui.domain.definition import Definition
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.cost import Confirm
    from dataset_tui.store import DatasetHead, Version


@dataclass(frozen=True)
class CostCheck:
    """What the dry run of a valid dataset's full query says: bytes, cost, and whether it may run."""

    bytes_processed: int
    cost_usd: float
    estimated: bool
    summary: str  # bytes and cost in words, e.g. "68.8 KiB · $0.0000 (estimate)"
    needs_confirmation: bool
    refused: bool
    message: str  # what the cost guard says about running it


@dataclass(frozen=True)
class Validation:
    """`validate`: a dataset's problems against the warehouse, or the cost of its dry run."""

    name: str
    version: int
    problems: tuple[Problem, ...]
    as_of: dt.date | None  # the day the SQL was pinned to; None: live
    cost: CostCheck | None  # None when the schema check or the dry run found problems

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class AnalysisRun:
    """`analyze`: the counts of one run of the analysis query, their quality, and what was counted.

    The store keeps the same counts as its cached analysis (a storage record);
    `cli/` turns this into the `analyze --json` shape.
    """

    name: str
    version: int
    definition_hash: str
    definition: Definition  # the version counted (whether it has a split decides the JSON's `split`)
    computed_at: dt.datetime
    as_of: dt.date  # the day counted up to
    live: bool  # True: as_of is today (no --as-of given)
    counts: AnalysisCounts
    quality: Quality


@dataclass(frozen=True)
class PreviewColumn:
    """An output column of a preview: its name, ML role (None for a plain feature) and warehouse type."""

    name: str
    role: str | None
    type: str


@dataclass(frozen=True)
class Preview:
    """`preview`: the first rows a dataset's SQL returns, values as the warehouse gives them."""

    name: str
    version: int
    split: str
    as_of: dt.date  # the day counted up to (today when live)
    live: bool
    columns: tuple[PreviewColumn, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool  # more rows exist than shown
    partitions: tuple[str, ...]  # notes on the latest partitions read where a filter is required


def _resolve(ctx: AppContext, name: str, version: int | None) -> tuple[DatasetHead, Version]:
    from dataset_tui.services.definitions import resolve

    return resolve(ctx.store, ctx.model, name, version)


def validate(ctx: AppContext, name: str, *, version: int | None = None, as_of: dt.date | None = None) -> Validation:
    """Check a dataset against the warehouse and dry-run its SQL: bytes and cost, nothing runs.

    `as_of` dry-runs the SQL pinned to that day (None: live, CURRENT_DATE()).
    """
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.cost import check_cost, describe_cost
    from dataset_tui.warehouse.base import BadQueryError, NotFoundError

    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    cost = None
    problems = schema_problems(ctx, definition)
    if not problems:
        sql = generate_sql(definition, "full", project=ctx.warehouse().project, as_of=as_of)
        try:
            decision = check_cost(ctx, sql)
        except (BadQueryError, NotFoundError) as exc:
            problems.append(Problem(path="", message=f"the generated SQL does not pass a dry run: {exc}"))
        else:
            dry = decision.dry_run
            assert dry is not None
            cost = CostCheck(
                bytes_processed=dry.bytes_processed,
                cost_usd=dry.cost_usd,
                estimated=dry.estimated,
                summary=describe_cost(dry),
                needs_confirmation=decision.needs_confirmation,
                refused=decision.refused,
                message=decision.message,
            )
    return Validation(name=head.name, version=chosen.number, problems=tuple(problems), as_of=as_of, cost=cost)


def analyze(
    ctx: AppContext,
    name: str,
    *,
    version: int | None = None,
    confirm: Confirm | None = None,
    as_of: dt.date | None = None,
) -> AnalysisRun:
    """Run the analysis query (one query), judge quality, cache it with the definition hash.

    `as_of` counts the rows as of that day (None: live, today). The cached
    entry records which: `as_of` (the day counted up to) and `live`, so no
    reader takes an as-of analysis for today's, or one day's for another's.

    Returns the counts and quality with what was counted (name, version,
    definition hash, the day counted to, when it ran).
    """
    from dataset_tui.domain import clock
    from dataset_tui.domain.analysis import analysis_to_json, parse_analysis
    from dataset_tui.domain.analysis_query import analysis_sql
    from dataset_tui.domain.quality import quality
    from dataset_tui.domain.sqlgen import SqlContext
    from dataset_tui.services.cost import run_guarded

    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    day = as_of if as_of is not None else clock.today()
    sql = analysis_sql(definition, SqlContext(project=ctx.warehouse().project, as_of=day))
    result = run_guarded(ctx, sql, confirm=confirm)
    counts = parse_analysis(result.columns, result.rows)
    judged = quality(counts, definition)
    # The store's cached analysis: the JSON counts plus which day they count to.
    record = {**analysis_to_json(counts, judged, definition), "as_of": day.isoformat(), "live": as_of is None}
    ctx.store.save_analysis(ctx.model, head.name, chosen.definition_hash, record)
    return AnalysisRun(
        name=head.name,
        version=chosen.number,
        definition_hash=chosen.definition_hash,
        definition=definition,
        computed_at=clock.now(),
        as_of=day,
        live=as_of is None,
        counts=counts,
        quality=judged,
    )


def preview(
    ctx: AppContext,
    name: str,
    *,
    limit: int = 50,
    version: int | None = None,
    split: str = "full",
    confirm: Confirm | None = None,
    as_of: dt.date | None = None,
) -> Preview:
    """The first rows the dataset's SQL returns, under their output column names.

    `columns` carries each output column's role (None for a plain feature)
    and type, so the TUI can annotate the header; values are as the
    warehouse returns them (the CLI turns them into JSON text).
    """
    from dataset_tui.domain import clock
    from dataset_tui.domain.split_names import is_split_name
    from dataset_tui.domain.sqlgen import SqlContext, preview_sql
    from dataset_tui.services.cost import run_guarded
    from dataset_tui.services.partition_floors import bounded_context

    if limit < 1:
        raise ServiceError("--limit must be at least 1")
    if not is_split_name(split):
        raise ServiceError(f"unknown split {split!r}; choose full, train or eval")
    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    day = as_of if as_of is not None else clock.today()
    # One row more than shown tells whether more exist.
    context = SqlContext(project=ctx.warehouse().project, as_of=day)
    context = bounded_context(ctx, definition, context)  # latest partitions where a filter is required
    sql = preview_sql(definition, split, context, limit=limit + 1)
    result = run_guarded(ctx, sql, confirm=confirm, limit=limit)
    roles = {c.output_name.lower(): c.role for c in definition.columns}
    return Preview(
        name=head.name,
        version=chosen.number,
        split=split,
        as_of=day,
        live=as_of is None,
        columns=tuple(
            PreviewColumn(name=n, role=roles.get(n.lower()), type=t)
            for n, t in zip(result.columns, result.types, strict=True)
        ),
        rows=tuple(tuple(r) for r in result.rows),
        truncated=result.truncated,
        partitions=tuple(f.note for f in context.partition_floors),
    )

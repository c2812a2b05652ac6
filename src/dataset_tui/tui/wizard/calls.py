"""The service calls the wizard makes, in one place, each returning what the steps show.

Every function here blocks (store or warehouse I/O) and is called from a
worker thread only. The wizard never touches the store or a warehouse
itself: these go through `services`, as the CLI does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition
    from dataset_tui.domain.joins import JoinSuggestion
    from dataset_tui.services.catalog import Catalog
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.base import ColumnStats, DryRun, TableInfo


@dataclass(frozen=True)
class SchemaColumn:
    name: str
    type: str
    suggested_role: str | None
    role_confidence: float | None
    join_key: bool


@dataclass(frozen=True)
class TableStatsView:
    """A table's statistics as the side panel needs them, and whether they came from the cache."""

    table: str
    row_count: int
    columns: dict[str, ColumnStats]
    cached: bool
    computed_at: str | None


def name_problem(ctx: AppContext, name: str) -> str | None:
    """None when `name` can be used for a new dataset in the model, else why not."""
    from dataset_tui.services import definitions

    return definitions.name_problem(ctx, name)


def table_catalog(ctx: AppContext, dataset: str) -> Catalog:
    """The dataset's table names (shard families folded): one listing, nothing read per table."""
    from dataset_tui.services import catalog

    return catalog.table_catalog(ctx, dataset=dataset)


def table_details(ctx: AppContext, found: Catalog, names: Sequence[str]) -> dict[str, TableInfo]:
    """Rows, size and columns of the entries named (those on screen): one batched call."""
    from dataset_tui.services import catalog

    return catalog.entry_details(ctx, found, names)


def table_schema(ctx: AppContext, table: str, dataset: str) -> list[SchemaColumn]:
    from dataset_tui.services import schemas

    schema = schemas.table_schema(ctx, table, dataset=dataset)
    return [SchemaColumn(c.name, c.type, c.suggested_role, c.role_confidence, c.join_key) for c in schema.columns]


def detect_joins(ctx: AppContext, tables: Sequence[str], dataset: str) -> list[JoinSuggestion]:
    """Every detected join between the tables, best first (none for a single table)."""
    from dataset_tui.services import schemas

    if len(set(tables)) < 2:
        return []
    return schemas.joins(ctx, list(tables), dataset=dataset)


@dataclass(frozen=True)
class Mapping:
    roles: dict[str, tuple[str, str]]  # role → (table, column)
    joins: list[JoinSuggestion]  # in definition order, oriented joined → new
    warnings: list[str]


def suggest(ctx: AppContext, tables: Sequence[str], primary: str | None, dataset: str) -> Mapping:
    """The suggested role mapping across the tables, with the joins connecting them."""
    from dataset_tui.services import schemas

    mapping = schemas.suggest(ctx, list(tables), primary, dataset=dataset)
    roles = {role: (s.table, s.column) for role, s in mapping.roles.items()}
    return Mapping(roles, list(mapping.joins), list(mapping.warnings))


def table_stats(
    ctx: AppContext,
    table: str,
    confirm: Callable[[DryRun], bool],
    dataset: str,
    columns: Sequence[str] | None = None,
) -> TableStatsView:
    """Statistics of a table's columns (all when None): one query, cached in the store per table."""
    from dataset_tui.services import table_stats as stats_service

    stats = stats_service.table_stats(ctx, table, columns, confirm=confirm, dataset=dataset)
    by_name = {c.name: c for c in stats.columns}
    return TableStatsView(table, stats.row_count, by_name, stats.cached, stats.computed_at)


def samples(ctx: AppContext, table: str, column: str, dataset: str, limit: int = 12) -> list[Any]:
    from dataset_tui.services import table_stats

    return table_stats.samples(ctx, table, column, limit, dataset=dataset)


def param_keys(
    ctx: AppContext, table: str, column: str, dataset: str, confirm: Callable[[DryRun], bool]
) -> list[tuple[str, str]]:
    """(key, value field) of a key/value array, most frequent first, from a sample (the newest shard)."""
    from dataset_tui.services import catalog

    return [(p.key, p.value) for p in catalog.param_keys(ctx, table, column, dataset=dataset, confirm=confirm)]


def cached_counts(ctx: AppContext, name: str) -> tuple[Any, str, int] | None:
    """The last analysis of a saved dataset: (AnalysisCounts, definition hash, version analysed)."""
    from dataset_tui.domain.analysis import AnalysisError, analysis_from_json
    from dataset_tui.services import definitions

    found = definitions.details(ctx.store, ctx.model, name)
    if found.analysis is None:
        return None
    try:
        counts, _quality = analysis_from_json(found.analysis.result)
    except AnalysisError:
        return None
    return counts, found.analysis.definition_hash, found.version.number


def save(ctx: AppContext, definition: Definition, *, base_revision: int | None, create: bool) -> Any:
    """Create the dataset, or add a version (refused with ConflictError when stale).

    Column types are filled from the warehouse first, so the saved file
    carries what the TFX variant and the split-key check need.
    """
    from dataset_tui.services import checks, definitions

    typed = checks.fill_column_types(ctx, definition)
    return definitions.save(
        ctx.store, typed, base_revision=base_revision, mode="create" if create else "update"
    )


def latest(ctx: AppContext, name: str) -> tuple[int, Definition]:
    """The latest version of a dataset: (revision, definition) — what a reload starts from."""
    from dataset_tui.services import definitions

    # `resolve` picks the active version by default; an edit starts from the newest.
    head, _ = definitions.resolve(ctx.store, ctx.model, name)
    _, newest = definitions.resolve(ctx.store, ctx.model, head.name, head.revision)
    return newest.number, newest.definition

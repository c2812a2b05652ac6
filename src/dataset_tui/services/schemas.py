"""Tables and their schemas: columns with suggested roles, detected joins, a suggested mapping.

Every function takes the AppContext and reads the warehouse it opens; a
`dataset` (a definition's `source.dataset`) overrides the profile's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataset_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from dataset_tui.domain.joins import JoinSuggestion
    from dataset_tui.domain.mapping import RoleMapping
    from dataset_tui.services.context import AppContext
    from dataset_tui.warehouse.base import TableInfo, TableSchema


def _dataset(ctx: AppContext, dataset: str | None = None) -> str:
    """The dataset asked for (a definition's `source.dataset`), else the profile's default."""
    return dataset or ctx.profile.dataset


def list_tables(ctx: AppContext, *, dataset: str | None = None) -> list[TableInfo]:
    return ctx.warehouse().list_tables(_dataset(ctx, dataset))


def _table_info(ctx: AppContext, table: str, dataset: str | None = None, *, sizes: bool = True) -> TableInfo:
    return ctx.warehouse().table_info(_dataset(ctx, dataset), table, sizes=sizes)


def schemas_of(ctx: AppContext, tables: Sequence[str], dataset: str | None = None) -> dict[str, TableSchema]:
    warehouse = ctx.warehouse()
    return {table: warehouse.schema(dataset or _dataset(ctx), table) for table in tables}


def _pairs(schema: TableSchema) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in schema.columns]


@dataclass(frozen=True)
class SchemaColumnInfo:
    """A column of a table with the role it looks like it plays and whether it can join."""

    name: str
    type: str
    mode: str
    suggested_role: str | None
    role_confidence: float | None
    join_key: bool
    description: str | None


@dataclass(frozen=True)
class TableSchemaInfo:
    table: str
    dataset: str
    columns: tuple[SchemaColumnInfo, ...]


def table_schema(ctx: AppContext, table: str, *, dataset: str | None = None) -> TableSchemaInfo:
    """A table's columns with their suggested role and whether they can join (`schema`)."""
    from dataset_tui.domain.naming import is_join_key
    from dataset_tui.domain.roles import suggest_roles

    dataset = _dataset(ctx, dataset)
    schema = ctx.warehouse().schema(dataset, table)
    roles = {s.column: s for s in suggest_roles(schema.table, _pairs(schema))}
    columns = []
    for c in schema.columns:
        suggestion = roles.get(c.name)
        columns.append(
            SchemaColumnInfo(
                name=c.name,
                type=c.type,
                mode=c.mode,
                suggested_role=suggestion.role if suggestion else None,
                role_confidence=suggestion.confidence if suggestion else None,
                join_key=bool(is_join_key(schema.table, c.name, c.type)),
                description=c.description,
            )
        )
    return TableSchemaInfo(schema.table, dataset, tuple(columns))


def joins(ctx: AppContext, tables: Sequence[str], *, dataset: str | None = None) -> list[JoinSuggestion]:
    """Detected joins between the tables, best first."""
    from dataset_tui.domain.joins import detect_joins

    if len(set(tables)) < 2:
        raise ServiceError("name at least two different tables to look for joins between them")
    schemas = schemas_of(ctx, list(dict.fromkeys(tables)), dataset)
    found = detect_joins({t: _pairs(s) for t, s in schemas.items()})
    return found


def suggest(
    ctx: AppContext, tables: Sequence[str], primary: str | None = None, *, dataset: str | None = None
) -> RoleMapping:
    """A role mapping across the tables, with the joins that connect them."""
    from dataset_tui.domain.mapping import UnknownTableError, suggest_mapping

    if not tables:
        raise ServiceError("name at least one table")
    schemas = schemas_of(ctx, list(dict.fromkeys(tables)), dataset)
    try:
        mapping = suggest_mapping({t: _pairs(s) for t, s in schemas.items()}, primary)
    except UnknownTableError as exc:
        raise ServiceError(str(exc)) from None
    return mapping

"""BigQuery table schemas as the product sees them, and safe quoting.

The REST API still speaks legacy type names (INTEGER, FLOAT, BOOLEAN,
RECORD); everything above the adapter uses GoogleSQL names (INT64, FLOAT64,
BOOL, STRUCT<…>, ARRAY<…>), so they are normalised here. Nested fields become
their own rows with dotted paths (``device.category``), as DESIGN §6 asks.
Pure functions over duck-typed SchemaField objects: no client, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dataset_tui.warehouse.base import BadQueryError, ColumnSchema

_LEGACY_TYPES = {
    "INTEGER": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "RECORD": "STRUCT",
    "DECIMAL": "NUMERIC",
    "BIGDECIMAL": "BIGNUMERIC",
}

# Project ids may hold dots and colons (domain-scoped: example.com:project).
_PROJECT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_-]*$")
_DATASET_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def normalize_type(field_type: str) -> str:
    """`INTEGER` -> `INT64`, `RECORD` -> `STRUCT`; GoogleSQL names pass through."""
    upper = field_type.upper()
    return _LEGACY_TYPES.get(upper, upper)


def field_type(field: Any, *, repeated: bool | None = None) -> str:
    """The GoogleSQL type of a SchemaField: STRUCT<a STRING>, ARRAY<INT64>, ..."""
    base = normalize_type(field.field_type)
    if base == "STRUCT":
        inner = ", ".join(f"{sub.name} {field_type(sub)}" for sub in field.fields)
        base = f"STRUCT<{inner}>"
    is_repeated = (field.mode or "NULLABLE").upper() == "REPEATED" if repeated is None else repeated
    return f"ARRAY<{base}>" if is_repeated else base


@dataclass(frozen=True)
class FlatColumn:
    """A column of the flattened schema, and whether SQL can name it directly.

    Fields inside a repeated RECORD (``items.sku``) are listed so the user sees
    them, but a query must UNNEST to reach them; they are not selectable by
    their dotted path.
    """

    column: ColumnSchema
    selectable: bool


def flatten(fields: Iterable[Any], prefix: str = "", inside_array: bool = False) -> list[FlatColumn]:
    """Every field, nested ones as dotted paths, parents before their children."""
    out: list[FlatColumn] = []
    for field in fields:
        name = f"{prefix}{field.name}"
        repeated = (field.mode or "NULLABLE").upper() == "REPEATED"
        # A field inside an array is, per row, an array of its values.
        type_ = field_type(field, repeated=repeated or inside_array)
        mode = "REPEATED" if (repeated or inside_array) else (field.mode or "NULLABLE").upper()
        description = getattr(field, "description", None) or None
        out.append(FlatColumn(ColumnSchema(name, type_, mode, description), selectable=not inside_array))
        if normalize_type(field.field_type) == "STRUCT":
            out.extend(flatten(field.fields, f"{name}.", inside_array or repeated))
    return out


def quote_path(name: str) -> str:
    """`device.category` -> `` `device`.`category` `` (each part quoted)."""
    return ".".join(quote_identifier(part) for part in name.split("."))


def quote_identifier(part: str) -> str:
    # BigQuery column names may hold characters beyond [A-Za-z0-9_] (flexible
    # column names); backslash-escape the two characters that could end the
    # quoted identifier early, and refuse control characters outright.
    if not part or any(ord(ch) < 32 for ch in part):
        raise BadQueryError(f"column name {part!r} cannot be used in a query")
    return "`" + part.replace("\\", "\\\\").replace("`", "\\`") + "`"


def check_dataset(dataset: str) -> str:
    if not _DATASET_RE.match(dataset):
        raise BadQueryError(f"{dataset!r} is not a dataset name (letters, digits and underscores)")
    return dataset


def check_table(table: str) -> str:
    if not _TABLE_RE.match(table):
        raise BadQueryError(f"{table!r} is not a table name (letters, digits, underscores and dashes)")
    return table


def check_project(project: str) -> str:
    if not _PROJECT_RE.match(project):
        raise BadQueryError(f"{project!r} is not a project id; fix `project` in the profile")
    return project


def table_id(project: str | None, dataset: str, table: str) -> str:
    """`project.dataset.table` (or `dataset.table`: the client's project is implied)."""
    parts = [check_project(project)] if project else []
    return ".".join([*parts, check_dataset(dataset), check_table(table)])


def table_sql(project: str | None, dataset: str, table: str) -> str:
    """The table reference as it goes into SQL: one backtick-quoted path."""
    return f"`{table_id(project, dataset, table)}`"

"""Table references of a definition and the vocabulary of BigQuery's shapes.

A source names a table as `table`, a shard family `prefix*`, `dataset.table`
or `project.dataset.table`; SQL calls it by its alias (:func:`table_alias`).
Pure: regular expressions and small functions.
"""

from __future__ import annotations

import re
from typing import Final

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# BigQuery caps identifiers at 1024 characters; longer ones cannot exist.
MAX_IDENT = 1024

# A table as a source names it: `table`, a shard family `prefix*`, and either
# qualified by its dataset (`sales.orders`) or by project and dataset
# (`other-project.sales.orders`; project ids hold lowercase letters, digits, `-`).
PROJECT_PART = r"[a-z][a-z0-9-]{4,61}[a-z0-9]"
TABLE_REF_RE = re.compile(
    rf"^(?:(?:{PROJECT_PART}\.)?[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_-]*\*?$"
)
# A table-qualified column reference in a join: `table.column` (the table as the source names it).
QUALIFIED_RE = re.compile(
    rf"^((?:(?:{PROJECT_PART}\.)?[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_-]*\*?)\.([A-Za-z_][A-Za-z0-9_]*)$"
)
# A key of a key/value array (GA4 event parameter names are letters, digits and `_`).
PARAM_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
# The value fields of a GA4-style key/value array and the type each holds.
PARAM_VALUE_TYPES: Final = {
    "string_value": "STRING",
    "int_value": "INT64",
    "float_value": "FLOAT64",
    "double_value": "FLOAT64",
}
# Epoch units of an INT64 timestamp and the BigQuery function that reads each.
EPOCH_FUNCTIONS: Final = {"seconds": "TIMESTAMP_SECONDS", "millis": "TIMESTAMP_MILLIS", "micros": "TIMESTAMP_MICROS"}
# Ingestion-time partitioned tables: the pseudo-columns BigQuery adds.
PARTITION_PSEUDO_COLUMNS: Final = {"_PARTITIONTIME": "TIMESTAMP", "_PARTITIONDATE": "DATE"}


def split_table_ref(ref: str) -> tuple[str | None, str | None, str]:
    """(project, dataset, table) of a source table reference; None where the reference leaves it out."""
    parts = ref.split(".")
    table = parts[-1]
    dataset = parts[-2] if len(parts) >= 2 else None
    project = parts[-3] if len(parts) >= 3 else None
    return project, dataset, table


def table_alias(ref: str) -> str:
    """The name a table goes by in SQL: the table part; a shard family `events_*` goes by `events`.

    A plain table keeps its own name, so a flat definition's SQL is unchanged.
    """
    table = split_table_ref(ref)[2]
    if not table.endswith("*"):
        return table
    return table[:-1].rstrip("_-") or "shards"


def column_path(value: str) -> str:
    for part in value.split("."):
        if len(part) > MAX_IDENT or not IDENT_RE.fullmatch(part):
            raise ValueError(
                f"column name {value!r} is not allowed: each dotted part must match {IDENT_RE.pattern}"
            )
    return value

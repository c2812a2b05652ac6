"""Table references of a definition and the vocabulary of BigQuery's shapes.

A source names a table as `table`, a shard family `prefix*`, `dataset.table`
or `project.dataset.table`; SQL calls it by its alias (:func:`table_alias`).
Pure: regular expressions and small functions.
"""

from __future__ import annotations

import re
import unicodedata
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
# A table-qualified column reference in a join: `table.column` (the table as the source names it);
# the column part is checked by :func:`column_part_problem` (any legal column name).
QUALIFIED_RE = re.compile(
    rf"^((?:(?:{PROJECT_PART}\.)?[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_-]*\*?)\.([^.]+)$"
)
# BigQuery's flexible column names hold letters, marks, digits and symbols of
# any script and spaces, but none of these ASCII characters (its documented
# unsupported set); with control and format characters and any whitespace but
# the space also refused, a name can never hold a backtick, a backslash, a
# dot (it separates nested fields) or a newline: it cannot leave the
# backticks it is written in.
COLUMN_FORBIDDEN: Final = frozenset('!"$()*,./;?@[\\]^`{}~')
MAX_COLUMN_NAME = 300  # BigQuery's cap on a column name
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


def column_part_problem(part: str) -> str | None:
    """Why `part` is not a legal BigQuery column name (None: it is)."""
    if not part:
        return "is empty"
    if len(part) > MAX_COLUMN_NAME:
        return f"is longer than {MAX_COLUMN_NAME} characters"
    for ch in part:
        category = unicodedata.category(ch)
        if ch in COLUMN_FORBIDDEN or category[0] == "C" or (category[0] == "Z" and ch != " "):
            return f"holds {ch!r}, which a BigQuery column name cannot hold"
    return None


def is_plain(name: str) -> bool:
    """Whether `name` is a plain identifier ([A-Za-z_][A-Za-z0-9_]*), usable as an output name as it is."""
    return len(name) <= MAX_IDENT and IDENT_RE.fullmatch(name) is not None


def plain_name(name: str) -> str:
    """A plain identifier for a column name that is not one: `order date` → `order_date`, `Größe` → `Grosse`.

    Accents are dropped, ß becomes ss, every other run of characters outside
    [A-Za-z0-9_] becomes one `_`; a name that starts with a digit gets a `_`
    in front, and one with nothing left is `column`.
    """
    if is_plain(name):
        return name
    text = unicodedata.normalize("NFKD", name.replace("ß", "ss").replace("ẞ", "SS"))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:128]
    if not text:
        return "column"
    return "_" + text if text[0].isdigit() else text


def column_path(value: str) -> str:
    """A column as a definition names it: legal column names joined by dots (nested fields)."""
    for part in value.split("."):
        problem = column_part_problem(part)
        if problem is not None:
            raise ValueError(
                f"column name {value!r} is not allowed: {part!r} {problem} (each dotted part is one column "
                "or field name: no backticks, backslashes, control characters or any of !\"$()*,./;?@[]^{}~)"
            )
    return value

"""BigQuery type names: one normal form for every module that compares types."""

from __future__ import annotations

import re

# Legacy SQL names (what the BigQuery REST API still reports) → GoogleSQL names.
TYPE_SYNONYMS = {
    "INTEGER": "INT64",
    "INT": "INT64",
    "SMALLINT": "INT64",
    "BIGINT": "INT64",
    "TINYINT": "INT64",
    "BYTEINT": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "DECIMAL": "NUMERIC",
    "BIGDECIMAL": "BIGNUMERIC",
    "RECORD": "STRUCT",
}


def base_type(bigquery_type: str) -> str:
    """`NUMERIC(10, 2)` → `NUMERIC`, `ARRAY<INT64>` → `ARRAY`, `INTEGER` → `INT64`."""
    head = re.split(r"[<(]", bigquery_type.strip(), maxsplit=1)[0].strip().upper()
    return TYPE_SYNONYMS.get(head, head)


def struct_fields(kind: str) -> dict[str, str]:
    """{field: type} of `STRUCT<...>` or of the elements of `ARRAY<STRUCT<...>>` ({} otherwise), in order."""
    match = re.match(r"^(?:ARRAY<)?STRUCT<(.*)>(?:>)?$", kind.strip(), re.IGNORECASE | re.DOTALL)
    if match is None:
        return {}
    body = match.group(1)
    if kind.strip().upper().startswith("ARRAY<"):
        body = body[:-1] if body.endswith(">") else body
    # Split at the commas outside nested <...> and (...): `a STRUCT<b INT64, c INT64>, d NUMERIC(10, 2)`.
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    fields = {}
    for part in parts:
        name, _, field_type = part.strip().partition(" ")
        if name:
            fields[name] = field_type.strip()
    return fields


def is_repeated_record(kind: str) -> bool:
    return kind.strip().upper().startswith("ARRAY<STRUCT<")


def element_fields(array_type: str) -> dict[str, str]:
    """{field (lowercased): type} of the elements of `ARRAY<STRUCT<...>>` ({} for other types)."""
    if not is_repeated_record(array_type):
        return {}
    return {name.lower(): kind for name, kind in struct_fields(array_type).items()}

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

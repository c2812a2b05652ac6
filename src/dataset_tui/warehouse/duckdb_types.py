"""DuckDB types under their BigQuery names, and BigQuery's logical size of a value.

The mapping: VARCHAR→STRING, integers→INT64, DOUBLE→FLOAT64, DECIMAL→NUMERIC
(BIGNUMERIC past NUMERIC's 29.9 digits), TIMESTAMP WITH TIME ZONE→TIMESTAMP, a
naive TIMESTAMP→DATETIME (it has no zone, like BigQuery's DATETIME),
BLOB→BYTES, LIST→ARRAY<…> with mode REPEATED, STRUCT→STRUCT<…> plus one row
per field as a dotted path, MAP→ARRAY<STRUCT<key, value>> (BigQuery has no MAP).
"""

from __future__ import annotations

import functools
from typing import Any

from dataset_tui.domain.types import base_type
from dataset_tui.warehouse.base import ColumnSchema

_INT64_IDS = {"bigint", "integer", "smallint", "tinyint", "uinteger", "usmallint", "utinyint"}
_SIMPLE_TYPES = {
    "varchar": "STRING",
    "uuid": "STRING",
    "enum": "STRING",
    "double": "FLOAT64",
    "float": "FLOAT64",
    "boolean": "BOOL",
    "date": "DATE",
    "timestamp with time zone": "TIMESTAMP",
    "timestamp": "DATETIME",
    "timestamp_s": "DATETIME",
    "timestamp_ms": "DATETIME",
    "timestamp_ns": "DATETIME",
    "time": "TIME",
    "time with time zone": "TIME",
    "blob": "BYTES",
    "bit": "BYTES",
    "interval": "INTERVAL",
    "ubigint": "NUMERIC",  # up to 2^64-1: more than INT64 holds
    "hugeint": "BIGNUMERIC",
    "uhugeint": "BIGNUMERIC",
    "varint": "BIGNUMERIC",
    "bignum": "BIGNUMERIC",
}

# BigQuery's logical size of one non-NULL value (what a query is billed for);
# STRING and BYTES are 2 bytes plus their length, NULL is 0.
FIXED_SIZES = {
    "INT64": 8,
    "FLOAT64": 8,
    "NUMERIC": 16,
    "BIGNUMERIC": 32,
    "BOOL": 1,
    "DATE": 8,
    "DATETIME": 8,
    "TIMESTAMP": 8,
    "TIME": 8,
    "INTERVAL": 16,
}


def bigquery_type(duck_type: Any) -> str:
    """The BigQuery name of a DuckDB type (a DuckDBPyType); the mapping is in the module doc."""
    kind = duck_type.id
    if kind in _INT64_IDS:
        return "INT64"
    if str(duck_type) == "JSON":
        return "JSON"
    if kind in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[kind]
    if kind == "decimal":
        params = dict(duck_type.children)
        precision, scale = params["precision"], params["scale"]
        return "NUMERIC" if scale <= 9 and precision - scale <= 29 else "BIGNUMERIC"
    if kind in ("list", "array"):
        return f"ARRAY<{bigquery_type(duck_type.children[0][1])}>"
    if kind == "struct":
        fields = ", ".join(f"{name} {bigquery_type(t)}" for name, t in duck_type.children)
        return f"STRUCT<{fields}>"
    if kind == "map":
        children = dict(duck_type.children)
        return f"ARRAY<STRUCT<key {bigquery_type(children['key'])}, value {bigquery_type(children['value'])}>>"
    return str(duck_type).upper()


def _schema_rows(name: str, duck_type: Any, nullable: bool, description: str | None) -> list[ColumnSchema]:
    """A column and, for a STRUCT, each of its fields as a dotted path."""
    bq = bigquery_type(duck_type)
    mode = "REPEATED" if duck_type.id in ("list", "array", "map") else ("NULLABLE" if nullable else "REQUIRED")
    rows = [ColumnSchema(name=name, type=bq, mode=mode, description=description)]
    if duck_type.id == "struct":
        for field_name, field_type in duck_type.children:
            rows += _schema_rows(f"{name}.{field_name}", field_type, True, None)
    return rows


def _size_exprs(columns: list[tuple[str, str]]) -> list[str]:
    """Per column, the DuckDB aggregate giving its BigQuery logical bytes (NULL on no rows)."""
    exprs = []
    for name, kind in columns:
        base = base_type(kind)
        if base in FIXED_SIZES:
            exprs.append(f"{FIXED_SIZES[base]} * count({dq(name)})")
        elif base in ("STRING", "BYTES"):
            length = "strlen" if base == "STRING" else "octet_length"  # bytes, not characters
            exprs.append(f"sum(2 + {length}({dq(name)}))")
        else:
            # Nested values: the length of their text form is close enough for an estimate.
            exprs.append(f"sum(strlen({dq(name)}::VARCHAR))")
    return exprs


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@functools.lru_cache(maxsize=4096)
def _bq_type_of(text: str) -> str:
    """The BigQuery type of a DuckDB type spelled in SQL (wide catalogs repeat a few types)."""
    return bigquery_type(_sqltype(text))


def _sqltype(text: str) -> Any:
    """A DuckDBPyType from its SQL spelling (`duckdb.sqltype`, once `duckdb.type`)."""
    import duckdb

    parse = getattr(duckdb, "sqltype", None) or duckdb.type
    return parse(text)


def dq(name: str) -> str:
    """A DuckDB identifier in double quotes."""
    return '"' + name.replace('"', '""') + '"'

"""Running BigQuery SQL on DuckDB: sqlglot transpiling plus FARM_FINGERPRINT.

The product generates BigQuery GoogleSQL only; the embedded warehouse runs the
same text after this translation, so a local result is what BigQuery returns.
FarmHash `fingerprint64` read as a signed 64-bit integer equals BigQuery's
FARM_FINGERPRINT, so a local random split puts every key exactly where
BigQuery will.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=256)
def to_duckdb(sql: str) -> str:
    """Translate one BigQuery statement into DuckDB SQL (cached: screens rerun the same query)."""
    import sqlglot

    statements = sqlglot.transpile(sql, read="bigquery", write="duckdb")
    if len(statements) != 1:
        raise ValueError(f"expected one SQL statement, got {len(statements)}")
    return statements[0]


def farm_fingerprint(value: str | None) -> int | None:
    """BigQuery's FARM_FINGERPRINT(STRING): FarmHash fingerprint64 as signed INT64."""
    return None if value is None else _fingerprint_not_null(value)


def _fingerprint_not_null(value: str) -> int:
    import farmhash

    unsigned: int = farmhash.fingerprint64(value)
    return unsigned - (1 << 64) if unsigned >= (1 << 63) else unsigned


def register_farm_fingerprint(con: Any) -> None:
    """Register `farm_fingerprint(VARCHAR) -> BIGINT` on a DuckDB connection."""
    from duckdb.sqltypes import BIGINT, VARCHAR

    # Default null handling: NULL in gives NULL out without calling Python.
    con.create_function("farm_fingerprint", _fingerprint_not_null, [VARCHAR], BIGINT)


def prepare_connection(con: Any) -> None:
    """What every DuckDB connection running our SQL needs: UTC and FARM_FINGERPRINT."""
    con.execute("SET TimeZone = 'UTC'")
    register_farm_fingerprint(con)

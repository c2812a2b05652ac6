"""Content fingerprints of a row set, identical on BigQuery and on DuckDB.

A fingerprint is three numbers over the rows of a query or a table:

- ``rows``: COUNT(*);
- ``xor``: BIT_XOR of a 64-bit hash per row — order-independent, but two
  copies of a row cancel out;
- ``sum``: SUM of that hash modulo a 32-bit prime — also order-independent,
  and it does count duplicates (what XOR misses).

The row hash is ``FARM_FINGERPRINT`` over a canonical text of the row that we
build ourselves, column by column from its BigQuery type, instead of
``TO_JSON_STRING(t)``: DuckDB's JSON of a timestamp, a NUMERIC or a float is
not BigQuery's, so the same rows would hash differently on the two engines.
Every type is written as integers or length-prefixed text, which both engines
print identically:

==================  ===================================================
STRING              ``<length>:<text>`` (length-prefixed: no separator can be forged)
INT64               decimal digits
BOOL                ``t`` / ``f``
DATE                days since 1970-01-01 (UNIX_DATE)
TIMESTAMP           microseconds since the epoch (UNIX_MICROS)
DATETIME            microseconds since the epoch, read as UTC
NUMERIC, BIGNUMERIC integer part ``.`` nanoseconds part (9 decimals: NUMERIC's scale)
FLOAT64             as NUMERIC, rounded to 9 decimals; ``nan``, ``inf``, ``-inf``
NULL                ``N`` (no other encoding is, or starts with, ``N``)
==================  ===================================================

Columns are joined with ``|``. ARRAY, STRUCT, JSON, BYTES, GEOGRAPHY and
INTERVAL columns are refused with an error naming the column. Limits, by
design: floats that differ by less than 1e-9 hash alike, and NUMERIC or
FLOAT64 values beyond ±9.2e18 (INT64's range) make the query fail rather than
hash loosely. Everything here is pure: SQL text in, SQL text out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from dataset_tui.domain.types import base_type

# The largest prime below 2**32: |h mod P| < 2**32, so the SUM of 2 billion
# row hashes still fits an INT64 (BigQuery's SUM would overflow on raw hashes).
SUM_PRIME = 4294967291
SEPARATOR = "|"
NULL_MARK = "N"

# The canonical text of each scalar type, `{ref}` the quoted column and
# `{decimal}` its exact decimal text (_decimal); one table, the only types fingerprinted.
_TEXT = {
    "STRING": "CONCAT(CAST(CHAR_LENGTH({ref}) AS STRING), ':', {ref})",
    "INT64": "CAST({ref} AS STRING)",
    # Not IF(): IF(NULL, ...) takes the else branch, and NULL must stay NULL here.
    "BOOL": "CASE WHEN {ref} THEN 't' WHEN NOT {ref} THEN 'f' END",
    "DATE": "CAST(UNIX_DATE({ref}) AS STRING)",
    "TIMESTAMP": "CAST(UNIX_MICROS({ref}) AS STRING)",
    "DATETIME": "CAST(UNIX_MICROS(TIMESTAMP({ref})) AS STRING)",
    "TIME": "CAST(TIME_DIFF({ref}, TIME '00:00:00', MICROSECOND) AS STRING)",
    "FLOAT64": "IF(IS_NAN({ref}), 'nan', IF(IS_INF({ref}), IF({ref} > 0, 'inf', '-inf'), {decimal}))",
    "NUMERIC": "{decimal}",
    "BIGNUMERIC": "{decimal}",
}


class FingerprintError(ValueError):
    """The rows cannot be fingerprinted (a column type we cannot canonicalise)."""


@dataclass(frozen=True)
class Fingerprint:
    """Row count plus the two order-independent hashes (see the module docstring)."""

    rows: int
    xor: int
    sum: int

    @property
    def digest(self) -> str:
        """12 hex digits to show and compare by eye ("3f9a0c1e77b2")."""
        text = f"{self.rows}:{self.xor}:{self.sum}"
        return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]

    def to_dict(self) -> dict[str, int | str]:
        return {"rows": self.rows, "xor": self.xor, "sum": self.sum, "digest": self.digest}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Fingerprint:
        return cls(rows=int(str(data["rows"])), xor=int(str(data["xor"])), sum=int(str(data["sum"])))


def _ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _decimal(ref: str) -> str:
    """Integer part and 9 decimals, both as INT64 text: exact for NUMERIC, the same on both engines."""
    whole = f"CAST(CAST(TRUNC({ref}) AS INT64) AS STRING)"
    nanos = f"CAST(CAST(ROUND(({ref} - TRUNC({ref})) * 1000000000) AS INT64) AS STRING)"
    return f"CONCAT({whole}, '.', {nanos})"


def column_text(name: str, bigquery_type: str) -> str:
    """The SQL giving the canonical text of one column (never NULL)."""
    kind = base_type(bigquery_type)
    ref = _ident(name)
    template = _TEXT.get(kind)
    if template is None:
        raise FingerprintError(
            f"column {name} is {bigquery_type}, which cannot be fingerprinted the same way on BigQuery and "
            "DuckDB (only scalar types: STRING, INT64, FLOAT64, NUMERIC, BOOL, DATE, DATETIME, TIMESTAMP, TIME); "
            "leave it out of the definition or select a scalar field of it"
        )
    text = template.format(ref=ref, decimal=_decimal(ref) if "{decimal}" in template else "")
    return f"COALESCE({text}, '{NULL_MARK}')"


def row_hash_sql(columns: Sequence[tuple[str, str]]) -> str:
    """FARM_FINGERPRINT of the row's canonical text, for (output name, BigQuery type) pairs."""
    if not columns:
        raise FingerprintError("there are no columns to fingerprint")
    parts = f", '{SEPARATOR}', ".join(column_text(name, kind) for name, kind in columns)
    return f"FARM_FINGERPRINT(CONCAT({parts}))" if len(columns) > 1 else f"FARM_FINGERPRINT({parts})"


def _strip_comments(sql: str) -> str:
    """Drop whole-line `--` comments (the export header) so the query nests in parentheses."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip().rstrip(";")


def fingerprint_sql(source_sql: str, columns: Sequence[tuple[str, str]]) -> str:
    """One query returning `row_count, xor_hash, sum_hash` over the rows of `source_sql`."""
    inner = _strip_comments(source_sql)
    return (
        "SELECT COUNT(*) AS row_count, "
        "IFNULL(BIT_XOR(row_hash), 0) AS xor_hash, "
        f"IFNULL(SUM(MOD(row_hash, {SUM_PRIME})), 0) AS sum_hash\n"
        f"FROM (SELECT {row_hash_sql(columns)} AS row_hash FROM (\n{inner}\n) AS fingerprinted_rows) AS row_hashes"
    )


def difference_sql(new_sql: str, old_sql: str, columns: Sequence[tuple[str, str]]) -> str:
    """`rows_added, rows_removed` between two row sets, duplicates counted, by row hash.

    A changed row counts once as removed and once as added: without a key,
    nothing pairs its old and new forms.
    """
    row_hash = row_hash_sql(columns)
    return (
        f"WITH new_rows AS (SELECT {row_hash} AS row_hash, COUNT(*) AS n FROM (\n{_strip_comments(new_sql)}\n) AS a "
        "GROUP BY row_hash),\n"
        f"old_rows AS (SELECT {row_hash} AS row_hash, COUNT(*) AS n FROM (\n{_strip_comments(old_sql)}\n) AS b "
        "GROUP BY row_hash)\n"
        "SELECT IFNULL(SUM(GREATEST(IFNULL(new_rows.n, 0) - IFNULL(old_rows.n, 0), 0)), 0) AS rows_added, "
        "IFNULL(SUM(GREATEST(IFNULL(old_rows.n, 0) - IFNULL(new_rows.n, 0), 0)), 0) AS rows_removed\n"
        "FROM new_rows FULL OUTER JOIN old_rows ON new_rows.row_hash = old_rows.row_hash"
    )


def from_row(row: Sequence[object]) -> Fingerprint:
    """The fingerprint from the (row_count, xor_hash, sum_hash) row of :func:`fingerprint_sql`."""
    return Fingerprint(rows=int(str(row[0])), xor=int(str(row[1])), sum=int(str(row[2])))


def table_name(model: str, name: str, version: int, split: str) -> str:
    """`<model>__<name>__v<N>__<split>`, with `-` (allowed in dataset names) as `_`."""
    return f"{model}__{name}__v{version}__{split}".replace("-", "_")


def select_all_sql(table_ref: str) -> str:
    return f"SELECT * FROM {table_ref}"

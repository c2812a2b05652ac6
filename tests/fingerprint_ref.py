"""The content fingerprint computed in Python, independently of the generated SQL.

The canonical text of each value is written here from the rules in
domain/fingerprint.py's docstring, hashed with FarmHash directly, and the
three numbers (rows, XOR, SUM mod P) aggregated in Python: a test compares
this with what the SQL returns on DuckDB and on the emulator.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Sequence
from typing import Any

import farmhash

from dataset_tui.domain.fingerprint import SUM_PRIME, Fingerprint

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(value: dt.datetime) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    delta = aware - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _decimal_text(value: decimal.Decimal) -> str:
    whole = int(value)  # truncates toward zero
    nanos = ((value - whole) * 1_000_000_000).to_integral_value(rounding=decimal.ROUND_HALF_UP)
    return f"{whole}.{int(nanos)}"


def text(value: Any, kind: str) -> str:
    if value is None:
        return "N"
    if kind == "STRING":
        return f"{len(value)}:{value}"
    if kind == "INT64":
        return str(int(value))
    if kind == "BOOL":
        return "t" if value else "f"
    if kind == "DATE":
        return str((value - dt.date(1970, 1, 1)).days)
    if kind in ("TIMESTAMP", "DATETIME"):
        return str(_micros(value))
    if kind == "FLOAT64":
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        whole = math.trunc(value)
        # IEEE arithmetic as both engines do it, then round half away from zero.
        scaled = (value - whole) * 1e9
        nanos = math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1)
        return f"{whole}.{nanos}"
    if kind in ("NUMERIC", "BIGNUMERIC"):
        return _decimal_text(decimal.Decimal(value))
    raise ValueError(kind)


def row_hash(row: Sequence[Any], kinds: Sequence[str]) -> int:
    canonical = "|".join(text(v, k) for v, k in zip(row, kinds, strict=True))
    unsigned = farmhash.fingerprint64(canonical)
    return unsigned - (1 << 64) if unsigned >= (1 << 63) else unsigned


def fingerprint(rows: Iterable[Sequence[Any]], kinds: Sequence[str]) -> Fingerprint:
    count = xor = total = 0
    for row in rows:
        h = row_hash(row, kinds)
        count += 1
        xor ^= h
        total += (abs(h) % SUM_PRIME) * (1 if h >= 0 else -1)  # MOD keeps the dividend's sign
    return Fingerprint(rows=count, xor=xor, sum=total)

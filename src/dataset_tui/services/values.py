"""Warehouse values as plain JSON data (DESIGN §8): NUMERIC as text, times as ISO-8601 UTC."""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A warehouse value as JSON data: NUMERIC as a string, times as ISO-8601 UTC."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()  # DATETIME: no zone to state
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")  # BigQuery's JSON form of BYTES
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)

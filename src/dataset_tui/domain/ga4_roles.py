"""Role suggestions for a Google Analytics 4 export (`events_YYYYMMDD`).

A GA4 table is recognised by its fixed column names, and its roles are known
rather than guessed: the user is ``user_pseudo_id`` (every event has it;
``user_id`` is set only for signed-in users), the time is ``event_timestamp``
(INT64 microseconds since the epoch, so the column takes ``unit: micros``),
the product is ``items.item_id`` and the revenue ``items.price``, both fields
of the repeated ``items`` record (so the column takes ``unnest: items``: one
row per item).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dataset_tui.domain.types import base_type

GA4_MARKERS = ("user_pseudo_id", "event_timestamp", "event_name")


@dataclass(frozen=True)
class Ga4Role:
    role: str
    column: str
    confidence: float
    reason: str
    unit: str | None = None
    unnest: str | None = None


def struct_fields(array_type: str) -> dict[str, str]:
    """{field (lowercased): type} of the elements of `ARRAY<STRUCT<a T, b U, ...>>` ({} for other types)."""
    match = re.match(r"^ARRAY<STRUCT<(.*)>>$", array_type.strip(), re.IGNORECASE | re.DOTALL)
    if match is None:
        return {}
    fields, depth, start = [], 0, 0
    body = match.group(1)
    for i, ch in enumerate(body):
        if ch in "<(":
            depth += 1
        elif ch in ">)":
            depth -= 1
        elif ch == "," and depth == 0:
            fields.append(body[start:i])
            start = i + 1
    fields.append(body[start:])
    pairs = [f.strip().split(" ", 1) for f in fields if f.strip()]
    return {p[0].lower(): p[1].strip() if len(p) > 1 else "" for p in pairs}


def element_field_type(array_type: str, field: str) -> str | None:
    """The type of `field` (one level) of the elements of an ARRAY<STRUCT<...>> type."""
    return struct_fields(array_type).get(field.lower())


def ga4_roles(columns: Sequence[tuple[str, str]]) -> list[Ga4Role] | None:
    """The GA4 roles of a table's (column, type) pairs; None when the table is not a GA4 export."""
    types = {name.lower(): kind for name, kind in columns}
    if any(m not in types for m in GA4_MARKERS) or base_type(types["event_timestamp"]) != "INT64":
        return None
    out = [
        Ga4Role("user_id", "user_pseudo_id", 0.95,
                "user_pseudo_id: GA4's pseudonymous user, on every event (user_id is only set when signed in)"),
        Ga4Role("timestamp", "event_timestamp", 0.95,
                "event_timestamp: GA4's event time, INT64 microseconds (unit micros)", unit="micros"),
    ]
    items = struct_fields(types.get("items", ""))
    if "item_id" in items:
        out.append(Ga4Role("product_id", "items.item_id", 0.9,
                           "items.item_id: GA4's product, one row per item (unnest items)", unnest="items"))
    if "price" in items:
        out.append(Ga4Role("revenue", "items.price", 0.8,
                           "items.price: the item's price, one row per item (unnest items)", unnest="items"))
    return out

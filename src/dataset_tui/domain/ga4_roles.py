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

from collections.abc import Sequence
from dataclasses import dataclass

from dataset_tui.domain.types import base_type, element_fields

GA4_MARKERS = ("user_pseudo_id", "event_timestamp", "event_name")


@dataclass(frozen=True)
class Ga4Role:
    role: str
    column: str
    confidence: float
    reason: str
    unit: str | None = None
    unnest: str | None = None


def element_field_type(array_type: str, field: str) -> str | None:
    """The type of `field` (one level) of the elements of an ARRAY<STRUCT<...>> type."""
    return element_fields(array_type).get(field.lower())


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
    items = element_fields(types.get("items", ""))
    if "item_id" in items:
        out.append(Ga4Role("product_id", "items.item_id", 0.9,
                           "items.item_id: GA4's product, one row per item (unnest items)", unnest="items"))
    if "price" in items:
        out.append(Ga4Role("revenue", "items.price", 0.8,
                           "items.price: the item's price, one row per item (unnest items)", unnest="items"))
    return out

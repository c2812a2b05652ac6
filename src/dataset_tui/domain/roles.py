"""ML role suggestion from a table's schema (DESIGN §3).

Roles: ``user_id``, ``product_id``, ``timestamp``, ``revenue``. Each table
gets at most one column per role (the best), each with a confidence in 0–1
and a reason a user can read. Only column names and BigQuery types are read
— no data, no warehouse — so it is instant and the same on every engine.
Names are read by naming.py; joins between tables are in joins.py and a
mapping across several tables in mapping.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dataset_tui.domain.naming import KEY_TOKENS, PRODUCT_WORDS, USER_WORDS, SchemaColumn, read_columns, table_entities

ROLES = ("user_id", "product_id", "timestamp", "revenue")

ID_TYPES = ("STRING", "INT64")
TIMESTAMP_TYPES = ("TIMESTAMP", "DATETIME", "DATE")
NUMERIC_TYPES = ("INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC")

# The words users most often mean; the others are a little less certain.
_USER_CORE = frozenset({"user", "customer"})
_PRODUCT_CORE = frozenset({"product", "item", "article", "sku"})
# Qualifiers in front of an item word that make it a line of something else
# (`order_item_id` is an order line, not a product).
_LINE_QUALIFIERS = frozenset(
    {"order", "line", "cart", "basket", "invoice", "inventory", "stock", "shipment",
     "return", "wishlist", "wish", "purchase", "receipt", "transaction", "sale"}
)
# Qualifiers in front of a user word that make it someone other than the
# person acting (`created_by_user_id`, `referrer_customer_id`).
_OTHER_PERSON_QUALIFIERS = frozenset(
    {"by", "referrer", "referred", "referring", "parent", "manager", "approver",
     "reviewer", "assigned", "assignee", "owner", "agent", "updated", "modified",
     "created", "deleted", "sales", "rep", "seller", "vendor", "supplier"}
)



@dataclass(frozen=True)
class RoleSuggestion:
    table: str
    column: str
    role: str
    confidence: float
    reason: str
    # How the definition's column must read it (GA4: epoch micros, a field of unnested items).
    unit: str | None = None
    unnest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "table": self.table,
            "column": self.column,
            "role": self.role,
            "confidence": self.confidence,
            "reason": self.reason,
        }
        out.update({k: v for k, v in (("unit", self.unit), ("unnest", self.unnest)) if v is not None})
        return out


# Below this a guess is noise: the user is better off choosing.
MIN_ROLE_CONFIDENCE = 0.3


# Name endings that make a column an identifier for roles (not for joins:
# `customer_number` identifies a customer, but numbers are not join keys here).
_ROLE_ID_TOKENS = KEY_TOKENS | {"number", "no", "num", "nr"}


# Words that may stand between the entity and `id` without changing what
# it identifies (`user_pseudo_id` in Google Analytics exports).
_ID_MODIFIERS = frozenset(
    {"pseudo", "external", "ext", "internal", "global", "unique", "hashed", "hash", "anon",
     "anonymous", "public", "source", "src", "canonical", "master", "original", "legacy"}
)


def _names_entity(words: Sequence[str], vocabulary: frozenset[str], kind: str) -> str | None:
    """Whether words ending in an entity word name a user (product): None when they do not.

    Returns "" for the plain entity (`customer`), else the qualifier
    (`full` in `full_visitor`). A line qualifier turns an item into an order
    line (`order_item`); another person's qualifier is handled by the caller.
    """
    words = list(words)
    while len(words) > 1 and words[-1] in _ID_MODIFIERS:
        words.pop()
    if not words or words[-1] not in vocabulary:
        return None
    qualifiers = words[:-1]
    if kind == "product" and set(qualifiers) & _LINE_QUALIFIERS:
        return None
    return "_".join(qualifiers)


def _id_role_score(
    col: SchemaColumn, vocabulary: frozenset[str], core: frozenset[str], own_entities: set[str], kind: str
) -> tuple[float, str] | None:
    """How much a column looks like the id of a user (or product); None if not at all."""
    if col.type not in ID_TYPES:
        return None
    tokens = col.tokens
    if col.is_bare and tokens[0] in ("id", "uuid", "guid", "key"):
        # A table's own key is the user (product) id when the table holds users (products).
        # It beats other ids of the table (a product's `sku`): it is what
        # other tables refer to.
        for entity in own_entities:
            if _names_entity(entity.split("_"), vocabulary, kind) == "":
                return 0.9, f"{col.name} is the key of a table of {kind}s"
        return None
    if col.is_bare and tokens[0] in vocabulary:
        if tokens[0] in ("sku", "asin", "ean", "upc", "gtin", "isbn"):
            return 0.85, f"{col.name} identifies a {kind}"
        if tokens[0] == "uid":
            return 0.8, f"{col.name} is the usual short name of a {kind} id"
        return 0.6, f"{col.name} names a {kind} but has no id suffix"
    if len(tokens) < 2 or tokens[-1] not in _ROLE_ID_TOKENS:
        return None
    stem = tokens[:-1]
    qualifier = _names_entity(stem, vocabulary, kind)
    if qualifier is None:
        return None
    entity = next(w for w in reversed(stem) if w in vocabulary)
    score = 0.95 if entity in core else 0.9
    if tokens[-1] != "id":
        score -= 0.1  # `client_ref`, `product_sku`: an identifier, less often THE id
    if tokens[-1] not in KEY_TOKENS:
        score -= 0.05  # `customer_number`
    if not qualifier:
        return round(score, 3), f"{col.name} names the {entity} ({kind}) id"
    if kind == "user" and set(qualifier.split("_")) & _OTHER_PERSON_QUALIFIERS:
        return 0.4, f"{col.name} names a {entity}, but perhaps not the one acting"
    return round(score - 0.15, 3), f"{col.name} names a {entity} ({kind}) id, with a qualifier"


# Timestamp names, by what they say about the row.
_EVENT_WORDS = frozenset(
    {"event", "transaction", "txn", "purchase", "purchased", "order", "ordered", "sale",
     "visit", "click", "view", "viewed", "play", "played", "watch", "watched", "rating",
     "rated", "interaction", "action", "activity", "booking", "booked", "checkout", "hit",
     "occurred", "happened", "logged", "impression", "session", "sold"}
)
_CREATION_WORDS = frozenset({"created", "creation", "create"})
# When the entity itself came to be: a creation time, but of a user or an
# account, so an event table's own time beats it.
_ENTITY_START_WORDS = frozenset({"signup", "signed", "registered", "registration", "joined", "enrolled", "onboarded"})
# Later steps of a row's life: a time, but not when the event happened.
_LIFECYCLE_WORDS = frozenset(
    {"updated", "modified", "changed", "deleted", "removed", "shipped", "delivered",
     "returned", "cancelled", "canceled", "closed", "completed", "refunded",
     "expired", "archived", "paid", "fulfilled", "last", "first", "end", "ended",
     "finished", "start", "started", "begin"}
)
# Dates describing an entity, not events: a birth date says nothing about when anything happened.
_ATTRIBUTE_WORDS = frozenset(
    {"birth", "dob", "birthday",
     "seen", "login", "expiry", "expires", "valid", "effective", "hire", "hired",
     "launch", "launched", "release", "released", "published", "opened"}
)
# Load-time columns: when the ETL wrote the row, never the event time.
_LOAD_WORDS = frozenset(
    {"loaded", "load", "ingested", "ingestion", "etl", "processed", "synced", "sync",
     "partitiontime", "partitiondate", "batch", "imported", "extracted", "inserted"}
)
_TIME_WORDS = frozenset({"at", "on", "time", "ts", "date", "datetime", "timestamp", "dt", "day", "when", "tstamp"})
_EXACT_EVENT_TIMES = frozenset({"ts", "timestamp", "time", "datetime", "date", "dt", "tstamp", "event_time"})
_TYPE_BONUS = {"TIMESTAMP": 0.05, "DATETIME": 0.03, "DATE": -0.05}


def _about_table(words: set[str], own_entities: set[str]) -> bool:
    """Whether a time word is the table's own event: `returns.returned_at`, `shipments.shipped_at`."""
    heads = {e.rsplit("_", 1)[-1] for e in own_entities}
    return any(len(w) >= 4 and len(h) >= 4 and w[:4] == h[:4] for w in words for h in heads)


def _timestamp_score(col: SchemaColumn, own_entities: set[str]) -> tuple[float, str] | None:
    if col.type not in TIMESTAMP_TYPES:
        return None
    words = set(col.tokens)
    name = "_".join(col.tokens)
    if words & _LOAD_WORDS:
        return None  # when the ETL ran: wrong for every date filter and split
    if name in _EXACT_EVENT_TIMES:
        score, why = 0.9, "the row's time"
    elif words & _EVENT_WORDS:
        score, why = 0.9, "when the event happened"
    elif words & _CREATION_WORDS:
        score, why = 0.85, "when the row was created"
    elif words & _LIFECYCLE_WORDS and _about_table(words & _LIFECYCLE_WORDS, own_entities):
        score, why = 0.85, "when the event this table records happened"
    elif words & _ENTITY_START_WORDS:
        score, why = 0.5, "when the user or account was created, not an event"
    elif words & _ATTRIBUTE_WORDS:
        score, why = 0.3, "a date describing the entity, not an event"
    elif words & _LIFECYCLE_WORDS:
        score, why = 0.35, "a later step in the row's life, not when it happened"
    elif words & _TIME_WORDS:
        score, why = 0.5, "a time"
    else:
        score, why = 0.4, f"the only kind of column that can be a timestamp ({col.type})"
    score += _TYPE_BONUS.get(col.type, 0.0)
    return round(score, 3), f"{col.name}: {why}"


_REVENUE_WORDS = {
    # word: (score, why)
    "revenue": (0.95, "revenue"),
    "revenues": (0.95, "revenue"),
    "gmv": (0.95, "gross merchandise value"),
    "sales": (0.9, "sales"),
    "turnover": (0.9, "turnover"),
    "amount": (0.9, "an amount paid"),
    "amt": (0.85, "an amount paid"),
    "total": (0.85, "a total paid"),
    "subtotal": (0.8, "a subtotal paid"),
    "spend": (0.85, "money spent"),
    "spent": (0.85, "money spent"),
    "paid": (0.8, "money paid"),
    "payment": (0.8, "a payment"),
    "value": (0.5, "a value"),
    "price": (0.75, "a price"),
    "cost": (0.3, "a cost (what is paid out, not earned)"),
}
# Price qualifiers: what was actually paid, or only listed.
_PAID_PRICE = frozenset(
    {"sale", "sales", "selling", "sold", "paid", "final", "net", "order", "purchase", "transaction", "actual", "gross"}
)
_LIST_PRICE = frozenset(
    {"retail", "list", "msrp", "original", "base", "catalog", "regular", "unit", "full", "compare", "recommended"}
)
# Money that is not revenue: refunds, taxes, fees, limits.
_NOT_REVENUE = frozenset(
    {"refund", "refunded", "discount", "tax", "vat", "shipping", "freight", "fee", "fees",
     "commission", "balance", "credit", "limit", "budget", "threshold", "min", "max",
     "avg", "average", "mean", "deposit", "wholesale", "cost"}
)


def _revenue_score(col: SchemaColumn) -> tuple[float, str] | None:
    if col.type not in NUMERIC_TYPES or col.key_token is not None:
        return None
    hits = [w for w in col.tokens if w in _REVENUE_WORDS]
    if not hits:
        return None
    word = max(hits, key=lambda w: _REVENUE_WORDS[w][0])
    score, why = _REVENUE_WORDS[word]
    others = set(col.tokens) - {word}
    if word in ("price", "value"):
        if others & _PAID_PRICE:
            score, why = 0.85, f"the {word} paid"
        elif others & _LIST_PRICE:
            score, why = 0.55, f"a list {word} (not necessarily what was paid)"
    if others & _NOT_REVENUE and word != "cost":
        score, why = 0.3, f"{why}, but {', '.join(sorted(others & _NOT_REVENUE))} money is not revenue"
    if col.type == "INT64":
        score -= 0.1  # whole numbers are more often counts than money
    return round(score, 3), f"{col.name}: {why}"


def _candidates(table: str, cols: list[SchemaColumn]) -> list[RoleSuggestion]:
    own = table_entities(table)
    out = []
    for col in cols:
        scored = {
            "user_id": _id_role_score(col, USER_WORDS, _USER_CORE, own, "user"),
            "product_id": _id_role_score(col, PRODUCT_WORDS, _PRODUCT_CORE, own, "product"),
            "timestamp": _timestamp_score(col, own),
            "revenue": _revenue_score(col),
        }
        for role, result in scored.items():
            if result is not None and result[0] >= MIN_ROLE_CONFIDENCE:
                confidence = max(0.0, min(1.0, result[0]))
                out.append(RoleSuggestion(table, col.name, role, round(confidence, 3), result[1]))
    return out


def assign_roles(candidates: Iterable[RoleSuggestion]) -> dict[str, RoleSuggestion]:
    """Best first: each role to one column, each column to one role."""
    ranked = sorted(candidates, key=lambda s: (-s.confidence, ROLES.index(s.role), s.table, s.column))
    chosen: dict[str, RoleSuggestion] = {}
    used: set[tuple[str, str]] = set()
    for suggestion in ranked:
        where = (suggestion.table, suggestion.column.lower())
        if suggestion.role in chosen or where in used:
            continue
        chosen[suggestion.role] = suggestion
        used.add(where)
    return chosen


def suggest_roles(table: str, columns: Sequence[tuple[str, str]]) -> list[RoleSuggestion]:
    """The best column of one table for each role (at most one each), in role order."""
    from dataset_tui.domain.ga4_roles import ga4_roles

    chosen = assign_roles(_candidates(table, read_columns(table, columns)))
    # A GA4 export's roles are known, not guessed; roles it lacks keep the guess.
    ga4 = ga4_roles(columns) or []
    for r in ga4:
        chosen[r.role] = RoleSuggestion(table, r.column, r.role, r.confidence, r.reason, r.unit, r.unnest)
    return [chosen[role] for role in ROLES if role in chosen]

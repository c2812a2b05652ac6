"""ML role suggestion and join-key detection from table schemas.

Everything here works on column names and BigQuery types only — no data, no
warehouse — so it is instant and the same on every engine. A schema is given
as plain data: ``[(column_name, bigquery_type), ...]`` per table.

Roles (DESIGN §3): ``user_id``, ``product_id``, ``timestamp``, ``revenue``.
Each table gets at most one column per role (the best), each with a
confidence in 0–1 and a reason a user can read.

Joins: a *key column* is ``id`` or a name ending in ``_id`` / ``_key`` /
``_code`` / ``_sku`` / ``_ref`` / ``_uuid`` / ``_guid`` (or ``sku`` alone),
typed STRING or INT64. Joins are proposed only between key columns of the
same type, in three shapes, best first:

1. *foreign key → key* (many-to-one): ``order_items.user_id`` ↔ ``users.id``,
   ``transactions.customer_id`` ↔ ``customers.customer_id``: the column names
   an entity (``user``, ``customer``) and the other table is that entity
   (``users``, ``customers``; plurals undone, ``categories`` → ``category``).
2. *qualified foreign key* (many-to-one): ``product_distribution_center_id``
   ↔ ``distribution_centers.id`` — the entity is the end of the name.
3. *shared key* (many-to-many): the same ``*_id`` column in two tables that
   both refer to an entity (``orders.user_id`` ↔ ``events.user_id``). Valid,
   but it fans rows out, so it scores lower — lower still when the entity's
   own table is at hand to join through instead.

Never ``id`` = ``id``, and never timestamps, statuses, names, amounts or
other attributes (they are not key columns).
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dataset_tui.domain.types import base_type

ROLES = ("user_id", "product_id", "timestamp", "revenue")

Confidence = Literal["high", "medium", "low"]

# -- types ------------------------------------------------------------------


# A key must compare by exact equality and cast to text the same way on both
# engines; STRING ↔ INT64 never joins (BigQuery refuses the comparison).
KEY_TYPES = ("STRING", "INT64")
ID_TYPES = ("STRING", "INT64")
TIMESTAMP_TYPES = ("TIMESTAMP", "DATETIME", "DATE")
NUMERIC_TYPES = ("INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC")




# -- names --------------------------------------------------------------------

# Last name parts that make a column a key.
KEY_TOKENS = frozenset({"id", "key", "code", "sku", "ref", "uuid", "guid"})
# Key parts that identify an entity (as opposed to a code or a reference
# number): only these may join two tables that merely share the column.
ENTITY_KEY_TOKENS = frozenset({"id", "key", "uuid", "guid", "sku"})
# `*_code` columns that are attributes, not references to another table:
# joining two tables on a postal code or a status code pairs unrelated rows.
NON_KEY_NAMES = frozenset(
    {
        "postal_code", "zip_code", "zipcode", "post_code", "postcode", "area_code",
        "status_code", "error_code", "response_code", "http_code",
        "return_code", "exit_code", "reason_code", "color_code", "colour_code",
        "size_code", "dial_code", "phone_code", "promo_code", "coupon_code",
        "discount_code", "voucher_code", "tracking_code", "verification_code",
        "access_code", "auth_code", "secret_key", "api_key", "access_key",
        "private_key", "public_key", "idempotency_key", "cache_key", "sort_key",
    }
)

USER_WORDS = frozenset(
    {
        "user", "customer", "client", "member", "account", "visitor", "buyer",
        "shopper", "subscriber", "person", "patron", "consumer", "player",
        "cust", "usr", "uid", "guest", "viewer", "reader", "listener",
    }
)
# The words users most often mean; the others are a little less certain.
_USER_CORE = frozenset({"user", "customer"})
PRODUCT_WORDS = frozenset(
    {
        "product", "item", "sku", "article", "offer", "listing", "asin", "ean",
        "upc", "gtin", "isbn", "goods", "merchandise", "prod", "variant",
        "movie", "book", "track", "song", "video", "title",
    }
)
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

# Entity words a name may glue to `id` without a separator (`visitorid`).
_GLUED_ENTITIES = USER_WORDS | PRODUCT_WORDS | frozenset(
    {"order", "transaction", "session", "event", "store", "shop", "category",
     "brand", "page", "campaign", "device", "invoice", "payment", "cart", "txn"}
)

_TABLE_PREFIXES = ("dim_", "fact_", "fct_", "raw_", "stg_", "tbl_", "src_")

_IRREGULAR_PLURALS = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "mice": "mouse",
    "geese": "goose",
    "criteria": "criterion",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "data": "datum",
}


def name_tokens(name: str, extra_entities: Iterable[str] = ()) -> list[str]:
    """Lower-case words of a name: `fullVisitorId` → [full, visitor, id].

    A word glued to `id` (`userid`, `visitorid`) is split when the part
    before `id` is a known entity word (or one of `extra_entities`).
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]
    entities = _GLUED_ENTITIES | frozenset(extra_entities)
    out: list[str] = []
    for word in words:
        if len(word) > 2 and word.endswith("id") and word[:-2] in entities:
            out += [word[:-2], "id"]
        else:
            out.append(word)
    return out


def singular_forms(word: str) -> set[str]:
    """Every plausible singular of an English plural, plus the word itself.

    English plurals are ambiguous (`addresses` → `address`, `courses` →
    `course`), so this returns all candidates; a join needs one of them to be
    exactly what a column names, which keeps false matches out.
    """
    w = word.lower()
    forms = {w}
    if w in _IRREGULAR_PLURALS:
        forms.add(_IRREGULAR_PLURALS[w])
        return forms
    if w.endswith("ies") and len(w) > 4:
        forms.add(w[:-3] + "y")  # categories → category
    if w.endswith("ves") and len(w) > 4:
        forms.update({w[:-3] + "f", w[:-3] + "fe"})  # shelves → shelf
    if re.search(r"(s|x|z|ch|sh|o)es$", w):
        forms.add(w[:-2])  # addresses → address, statuses → status, boxes → box
    if w.endswith("ses") and len(w) > 4:
        forms.add(w[:-3] + "sis")  # analyses → analysis
    if w.endswith("s") and not w.endswith("ss"):
        forms.add(w[:-1])  # users → user, courses → course, skus → sku (`status` → `statu`: harmless)
    return forms


@functools.lru_cache(maxsize=4096)
def _table_entities(table: str) -> frozenset[str]:
    name = table.lower().replace("-", "_")
    for prefix in _TABLE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    words = name_tokens(name)
    if not words:
        return frozenset()
    head = words[:-1]
    return frozenset("_".join([*head, form]) for form in singular_forms(words[-1]))


def table_entities(table: str) -> set[str]:
    """The entity a table holds, as `_`-joined words: `order_items` → {order_item, ...}."""
    return set(_table_entities(table))


@dataclass(frozen=True)
class _Col:
    """A column as the rules see it."""

    table: str
    name: str
    type: str  # base type
    tokens: tuple[str, ...]

    @property
    def lower(self) -> str:
        return self.name.lower()

    @functools.cached_property
    def key_token(self) -> str | None:
        return self.tokens[-1] if self.tokens and self.tokens[-1] in KEY_TOKENS else None

    @functools.cached_property
    def stem(self) -> tuple[str, ...]:
        """The words before the key part: `product_distribution_center_id` → (product, distribution, center)."""
        return self.tokens[:-1] if self.key_token else self.tokens

    @functools.cached_property
    def is_key(self) -> bool:
        return (
            self.type in KEY_TYPES
            and self.key_token is not None
            # A join's `on` names plain `table.column`s, never STRUCT fields.
            and "." not in self.name
            and "_".join(self.tokens) not in NON_KEY_NAMES
            # `status_code`, `event_type_code`: a category, not a reference
            and not (set(self.stem) & {"status", "type", "kind"} and self.key_token == "code")
        )

    @property
    def is_bare(self) -> bool:
        """`id`, `sku`, `code`: the key of whatever table holds it."""
        return len(self.tokens) == 1

    @functools.cached_property
    def entity(self) -> str | None:
        """What the column refers to: `user_id` → user, `sku` → sku, `id` → None."""
        if not self.is_key:
            return None
        if self.stem:
            return "_".join(self.stem)
        if self.tokens[0] not in ("id", "key", "uuid", "guid", "code", "ref"):
            return self.tokens[0]  # `sku`: a product's stock-keeping unit
        return None


def _cols(table: str, columns: Sequence[tuple[str, str]], extra: Iterable[str] = ()) -> list[_Col]:
    entities = {e for e in table_entities(table) if "_" not in e} | set(extra)
    return [_Col(table, name, base_type(ty), tuple(name_tokens(name, entities))) for name, ty in columns]


def is_join_key(table: str, column: str, type: str) -> bool:
    """Whether a column can take part in a join (the `join_key` of `schema --json`).

    The table's own name counts as an entity word, so `visits.visitid` is
    read as `visit` + `id`.
    """
    return _cols(table, [(column, type)])[0].is_key


# -- roles --------------------------------------------------------------------


@dataclass(frozen=True)
class RoleSuggestion:
    table: str
    column: str
    role: str
    confidence: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "column": self.column,
            "role": self.role,
            "confidence": self.confidence,
            "reason": self.reason,
        }


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
    col: _Col, vocabulary: frozenset[str], core: frozenset[str], own_entities: set[str], kind: str
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


def _timestamp_score(col: _Col, own_entities: set[str]) -> tuple[float, str] | None:
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
_PAID_PRICE = frozenset({"sale", "sales", "selling", "sold", "paid", "final", "net", "order", "purchase", "transaction", "actual", "gross"})
_LIST_PRICE = frozenset({"retail", "list", "msrp", "original", "base", "catalog", "regular", "unit", "full", "compare", "recommended"})
# Money that is not revenue: refunds, taxes, fees, limits.
_NOT_REVENUE = frozenset(
    {"refund", "refunded", "discount", "tax", "vat", "shipping", "freight", "fee", "fees",
     "commission", "balance", "credit", "limit", "budget", "threshold", "min", "max",
     "avg", "average", "mean", "deposit", "wholesale", "cost"}
)


def _revenue_score(col: _Col) -> tuple[float, str] | None:
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


def _candidates(table: str, cols: list[_Col]) -> list[RoleSuggestion]:
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


def _assign(candidates: Iterable[RoleSuggestion]) -> dict[str, RoleSuggestion]:
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
    chosen = _assign(_candidates(table, _cols(table, columns)))
    return [chosen[role] for role in ROLES if role in chosen]


# -- joins ----------------------------------------------------------------------


@dataclass(frozen=True)
class JoinSuggestion:
    left_table: str
    left_column: str
    right_table: str
    right_column: str
    score: float
    confidence: Confidence
    reason: str
    # True when each left row matches at most one right row (the right column
    # is the right table's key): joining it never multiplies rows.
    many_to_one: bool = True

    def flipped(self) -> JoinSuggestion:
        """The same join seen from the other table (no longer many-to-one)."""
        return replace(
            self,
            left_table=self.right_table,
            left_column=self.right_column,
            right_table=self.left_table,
            right_column=self.left_column,
            many_to_one=False,
        )

    def to_dict(self) -> dict[str, Any]:
        """The `joins --json` item (DESIGN §8) plus `reason` and `many_to_one`."""
        return {
            "left_table": self.left_table,
            "left_column": self.left_column,
            "right_table": self.right_table,
            "right_column": self.right_column,
            "score": self.score,
            "confidence": self.confidence,
            "reason": self.reason,
            "many_to_one": self.many_to_one,
        }


# Scores of the join shapes; confidence follows from the score.
SCORE_FOREIGN_KEY = 0.95  # `user_id` → users.id / customers.customer_id
SCORE_FOREIGN_NATURAL_KEY = 0.85  # `store_code` → stores.store_code
SCORE_QUALIFIED_FOREIGN_KEY = 0.8  # `product_distribution_center_id` → distribution_centers.id
SCORE_NAMED_NATURAL_KEY = 0.7  # `product_sku` → products.sku: a key, perhaps not unique
SCORE_SHARED_KEY = 0.55  # orders.user_id ↔ events.user_id, no users table at hand
SCORE_SHARED_KEY_OWNER_PRESENT = 0.4  # ... while users is at hand: join through it instead
HIGH_CONFIDENCE = 0.75
MEDIUM_CONFIDENCE = 0.5


def confidence_of(score: float) -> Confidence:
    if score >= HIGH_CONFIDENCE:
        return "high"
    if score >= MEDIUM_CONFIDENCE:
        return "medium"
    return "low"


def _all_cols(schemas: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, list[_Col]]:
    # Every table's entity word helps read glued names in every table.
    words = {e for t in schemas for e in table_entities(t) if "_" not in e}
    return {t: _cols(t, cols, words) for t, cols in schemas.items()}


def _owners(schemas: Mapping[str, Any]) -> dict[str, list[str]]:
    """entity → tables that hold it (`user` → [users])."""
    owners: dict[str, list[str]] = {}
    for table in schemas:
        for entity in table_entities(table):
            owners.setdefault(entity, []).append(table)
    return owners


def _key_of(owner_cols: list[_Col], entity: str, key_token: str) -> tuple[_Col, bool] | None:
    """The owner table's column a reference to it joins: same name first, else the bare key."""
    same = f"{entity}_{key_token}" if entity != key_token else key_token
    for col in owner_cols:
        if col.is_key and "_".join(col.tokens) == same:
            return col, True
    bare = "id" if key_token in ("id", "key", "uuid", "guid") else key_token
    for col in owner_cols:
        if col.is_key and col.is_bare and col.tokens[0] in (bare, key_token):
            return col, False
    return None


def detect_joins(schemas: Mapping[str, Sequence[tuple[str, str]]]) -> list[JoinSuggestion]:
    """Joins between the given tables, ranked best first (one per column pair)."""
    cols = _all_cols(schemas)
    owners = _owners(schemas)
    found: dict[frozenset[tuple[str, str]], JoinSuggestion] = {}

    def add(s: JoinSuggestion) -> None:
        pair = frozenset({(s.left_table, s.left_column.lower()), (s.right_table, s.right_column.lower())})
        if pair not in found or found[pair].score < s.score:
            found[pair] = s

    for table, table_cols in cols.items():
        for col in table_cols:
            entity = col.entity
            if entity is None:
                continue
            key = col.key_token or col.tokens[-1]
            # 1. The column names an entity whose table is at hand.
            exact = [o for o in owners.get(entity, []) if o != table]
            for owner in exact:
                match = _key_of(cols[owner], entity, key)
                if match is None or match[0].type != col.type:
                    continue
                target, same_name = match
                if key in ("id", "key", "uuid", "guid"):
                    score = SCORE_FOREIGN_KEY
                elif same_name:
                    score = SCORE_FOREIGN_NATURAL_KEY
                else:
                    score = SCORE_NAMED_NATURAL_KEY
                add(_join(col, target, score, f"{table}.{col.name} refers to {owner} ({entity}); "
                          f"{owner}.{target.name} is its key"))
            if exact:
                continue
            # 2. The entity is the end of the name: `billing_address_id` → addresses.
            if key in ("id", "key", "uuid", "guid"):
                stem = col.stem
                for start in range(1, len(stem)):
                    tail = "_".join(stem[start:])
                    found_tail = False
                    for owner in owners.get(tail, []):
                        if owner == table:
                            continue
                        match = _key_of(cols[owner], tail, key)
                        if match is None or match[0].type != col.type:
                            continue
                        add(_join(col, match[0], SCORE_QUALIFIED_FOREIGN_KEY,
                                  f"{table}.{col.name} ends in {tail}, so it refers to {owner}; "
                                  f"{owner}.{match[0].name} is its key"))
                        found_tail = True
                    if found_tail:
                        break  # the longest entity the name ends in is the one it means
    # 3. Two tables share a column that refers to a third entity. Grouped by
    # name, so many tables cost no more than their columns.
    sharing: dict[tuple[str, str], list[_Col]] = {}
    for table, table_cols in cols.items():
        for col in table_cols:
            if col.entity is None or (col.key_token or col.tokens[-1]) not in ENTITY_KEY_TOKENS:
                continue
            if col.entity in table_entities(table):
                continue  # the table's own key: case 1 covers references to it
            sharing.setdefault((col.lower, col.type), []).append(col)
    for group in sharing.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                holders = [o for o in owners.get(a.entity or "", []) if o not in (a.table, b.table)]
                if holders:
                    score = SCORE_SHARED_KEY_OWNER_PRESENT
                    why = (f"{a.table} and {b.table} both refer to {a.entity} by {a.name}; rows multiply "
                           f"(many-to-many), so prefer joining each to {holders[0]}")
                else:
                    score = SCORE_SHARED_KEY
                    why = (f"{a.table} and {b.table} both refer to {a.entity} by {a.name}; "
                           "rows multiply (many-to-many)")
                add(JoinSuggestion(a.table, a.name, b.table, b.name, score, confidence_of(score), why, False))
    return sorted(
        found.values(),
        key=lambda s: (-s.score, s.left_table, s.left_column, s.right_table, s.right_column),
    )


def _join(fk: _Col, key: _Col, score: float, reason: str) -> JoinSuggestion:
    return JoinSuggestion(fk.table, fk.name, key.table, key.name, score, confidence_of(score), reason, True)


# -- a mapping across tables (the seed's suggest_columns) -------------------------


class UnknownTableError(ValueError):
    """A table named for the mapping is not among the schemas given."""


@dataclass(frozen=True)
class RoleMapping:
    """Which column of which table plays each role, and the joins that connect them."""

    roles: dict[str, RoleSuggestion]
    primary: str
    # Joins in definition order: each `left_table` is the primary or a table
    # joined earlier; `right_table` is the table being joined.
    joins: list[JoinSuggestion]
    # Tables no detected join connects to the primary.
    unjoined: tuple[str, ...] = ()
    # What a user should know before taking the mapping (fan-out joins...).
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The `suggest --json` shape."""
        return {
            "primary": self.primary,
            "roles": {role: self.roles[role].to_dict() for role in ROLES if role in self.roles},
            "joins": [j.to_dict() for j in self.joins],
            "unjoined": list(self.unjoined),
            "warnings": list(self.warnings),
        }


# A role played by a column of a joined table counts for less: the primary
# table's own column (the fact's amount, not the product's list price) is
# what the rows are about.
JOINED_TABLE_FACTOR = 0.8


def fact_table_score(table: str, columns: Sequence[tuple[str, str]]) -> float:
    """How much a table looks like a fact/event table: a time, user and product references, foreign keys."""
    cols = _cols(table, columns)
    own = table_entities(table)
    roles = {s.role: s for s in suggest_roles(table, columns)}
    by_name = {c.name: c for c in cols}

    def is_reference(column: str) -> bool:
        col = by_name[column]
        return col.entity is not None and col.entity not in own

    score = 0.0
    ts = roles.get("timestamp")
    if ts is not None and ts.confidence >= 0.6:
        score += 2
    for role in ("user_id", "product_id"):
        if role in roles and is_reference(roles[role].column):
            score += 2
    if "revenue" in roles and roles["revenue"].confidence >= 0.5:
        score += 1
    score += 0.5 * sum(1 for c in cols if c.is_key and c.entity is not None and c.entity not in own)
    if {e.rsplit("_", 1)[-1] for e in own} & (USER_WORDS | PRODUCT_WORDS):
        score -= 3  # users, products: dimensions, not events
    return score


def suggest_mapping(
    schemas: Mapping[str, Sequence[tuple[str, str]]], primary: str | None = None
) -> RoleMapping:
    """Roles across several tables plus the joins (a spanning set from the primary).

    `primary` defaults to the table that looks most like a fact table. Joins
    are chosen many-to-one first (they never multiply the primary's rows);
    a table reachable only through a fan-out join is still joined, with a
    warning saying so.
    """
    if not schemas:
        raise UnknownTableError("no tables given: name at least one table")
    tables = list(schemas)
    if primary is None:
        primary = max(tables, key=lambda t: (fact_table_score(t, schemas[t]), -tables.index(t)))
    elif primary not in schemas:
        match = [t for t in tables if t.lower() == primary.lower()]
        if not match:
            raise UnknownTableError(f"primary table {primary!r} is not among {', '.join(tables)}")
        primary = match[0]

    chosen = _spanning_joins(detect_joins(schemas), primary)
    joined = [primary, *(j.right_table for j in chosen)]
    warnings: list[str] = []
    for step in chosen:
        if not step.many_to_one:
            warnings.append(
                f"{step.right_table} joins on {step.left_table}.{step.left_column} = "
                f"{step.right_table}.{step.right_column}, which is not a key of {step.right_table}: "
                f"each {step.left_table} row repeats once per matching {step.right_table} row"
            )
    unjoined = tuple(t for t in tables if t not in joined)
    for table in unjoined:
        warnings.append(f"no join found between {table} and the other tables; add one by hand or leave it out")

    candidates: list[RoleSuggestion] = []
    for table in joined:
        for s in suggest_roles(table, schemas[table]):
            if table != primary:
                s = replace(s, confidence=round(s.confidence * JOINED_TABLE_FACTOR, 3),
                            reason=f"{s.reason} (from joined table {table})")
            candidates.append(s)
    roles = _assign(candidates)
    return RoleMapping(roles=roles, primary=primary, joins=chosen, unjoined=unjoined, warnings=tuple(warnings))


def _spanning_joins(edges: list[JoinSuggestion], primary: str) -> list[JoinSuggestion]:
    """Prim's algorithm from the primary: each step takes the best join to a new table.

    Many-to-one joins first, whenever one is available; a fan-out join only
    when nothing else reaches a table. Between equal scores the join from the
    table joined earliest wins, so a table the primary references directly is
    joined to the primary itself. Each join is oriented joined → new.
    """
    # table → (rank, edge, whether the table is the edge's right side)
    forward: dict[str, list[tuple[int, JoinSuggestion, bool]]] = {}
    any_way: dict[str, list[tuple[int, JoinSuggestion, bool]]] = {}
    for rank, edge in enumerate(edges):  # ranked best first
        if edge.many_to_one:
            forward.setdefault(edge.left_table, []).append((rank, edge, False))
        any_way.setdefault(edge.left_table, []).append((rank, edge, False))
        any_way.setdefault(edge.right_table, []).append((rank, edge, True))
    depth = {primary: 0}
    Entry = tuple[float, int, int, str, JoinSuggestion, bool]
    heaps: tuple[list[Entry], list[Entry]] = ([], [])

    def reach_from(table: str) -> None:
        for heap, adjacency in zip(heaps, (forward, any_way)):
            for rank, edge, backwards in adjacency.get(table, ()):
                new = edge.left_table if backwards else edge.right_table
                if new not in depth:
                    heapq.heappush(heap, (-edge.score, depth[table], rank, new, edge, backwards))

    reach_from(primary)
    chosen: list[JoinSuggestion] = []
    while True:
        step = None
        for heap in heaps:
            while heap and heap[0][3] in depth:
                heapq.heappop(heap)
            if heap:
                *_, edge, backwards = heapq.heappop(heap)
                step = edge.flipped() if backwards else edge
                break
        if step is None:
            return chosen
        chosen.append(step)
        depth[step.right_table] = len(depth)
        reach_from(step.right_table)

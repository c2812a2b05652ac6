"""Reading table and column names: words, plurals, entities and key columns.

Everything here works on names and BigQuery types only. A *key column* is
``id`` or a name ending in ``_id`` / ``_key`` / ``_code`` / ``_sku`` /
``_ref`` / ``_uuid`` / ``_guid`` (or ``sku`` alone), typed STRING or INT64;
role scoring (roles.py) and join detection (joins.py) both read columns
through :class:`SchemaColumn`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dataset_tui.domain.types import base_type

# A key must compare by exact equality and cast to text the same way on both
# engines; STRING ↔ INT64 never joins (BigQuery refuses the comparison).
KEY_TYPES = ("STRING", "INT64")

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

# Words that name a user (a product), in a column name or a table name.
USER_WORDS = frozenset(
    {
        "user", "customer", "client", "member", "account", "visitor", "buyer",
        "shopper", "subscriber", "person", "patron", "consumer", "player",
        "cust", "usr", "uid", "guest", "viewer", "reader", "listener",
    }
)
PRODUCT_WORDS = frozenset(
    {
        "product", "item", "sku", "article", "offer", "listing", "asin", "ean",
        "upc", "gtin", "isbn", "goods", "merchandise", "prod", "variant",
        "movie", "book", "track", "song", "video", "title",
    }
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
class SchemaColumn:
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


def read_columns(table: str, columns: Sequence[tuple[str, str]], extra: Iterable[str] = ()) -> list[SchemaColumn]:
    entities = {e for e in table_entities(table) if "_" not in e} | set(extra)
    return [SchemaColumn(table, name, base_type(ty), tuple(name_tokens(name, entities))) for name, ty in columns]


def is_join_key(table: str, column: str, type: str) -> bool:
    """Whether a column can take part in a join (the `join_key` of `schema --json`).

    The table's own name counts as an entity word, so `visits.visitid` is
    read as `visit` + `id`.
    """
    return read_columns(table, [(column, type)])[0].is_key

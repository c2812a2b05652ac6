"""Join detection between tables, and the spanning set a definition joins by.

Joins are proposed only between key columns (naming.py) of the same type, in
three shapes, best first:

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

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from dataset_tui.domain.naming import ENTITY_KEY_TOKENS, SchemaColumn, read_columns, table_entities

Confidence = Literal["high", "medium", "low"]

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


def _all_cols(schemas: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, list[SchemaColumn]]:
    # Every table's entity word helps read glued names in every table.
    words = {e for t in schemas for e in table_entities(t) if "_" not in e}
    return {t: read_columns(t, cols, words) for t, cols in schemas.items()}


def _owners(schemas: Mapping[str, Any]) -> dict[str, list[str]]:
    """entity → tables that hold it (`user` → [users])."""
    owners: dict[str, list[str]] = {}
    for table in schemas:
        for entity in table_entities(table):
            owners.setdefault(entity, []).append(table)
    return owners


def _key_of(owner_cols: list[SchemaColumn], entity: str, key_token: str) -> tuple[SchemaColumn, bool] | None:
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
    sharing: dict[tuple[str, str], list[SchemaColumn]] = {}
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


def _join(fk: SchemaColumn, key: SchemaColumn, score: float, reason: str) -> JoinSuggestion:
    return JoinSuggestion(fk.table, fk.name, key.table, key.name, score, confidence_of(score), reason, True)


# (-score, depth of the table joined from, rank, new table, join, reversed):
# the best score first, then the table joined earliest, then the rank.
_HeapEntry = tuple[float, int, int, str, JoinSuggestion, bool]


def spanning_joins(edges: list[JoinSuggestion], primary: str) -> list[JoinSuggestion]:
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
    # Many-to-one joins first; the second heap holds every join either way.
    heaps: tuple[list[_HeapEntry], list[_HeapEntry]] = ([], [])

    def reach_from(table: str) -> None:
        for heap, adjacency in zip(heaps, (forward, any_way), strict=True):
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

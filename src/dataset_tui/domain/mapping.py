"""A mapping across tables: the primary table, each role's column, the joins.

The seed's `suggest_columns`: roles from roles.py scored over the primary
table and the tables joins.py connects to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dataset_tui.domain.joins import JoinSuggestion, detect_joins, spanning_joins
from dataset_tui.domain.naming import PRODUCT_WORDS, USER_WORDS, read_columns, table_entities
from dataset_tui.domain.roles import ROLES, RoleSuggestion, assign_roles, suggest_roles


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
    cols = read_columns(table, columns)
    own = table_entities(table)
    roles = {s.role: s for s in suggest_roles(table, columns)}
    by_name = {c.name: c for c in cols}

    def is_reference(column: str) -> bool:
        col = by_name.get(column)
        if col is None:
            return True  # a field of a repeated record (GA4 `items.item_id`): a reference to its entity
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

    chosen = spanning_joins(detect_joins(schemas), primary)
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
    roles = assign_roles(candidates)
    return RoleMapping(roles=roles, primary=primary, joins=chosen, unjoined=unjoined, warnings=tuple(warnings))

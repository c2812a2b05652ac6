"""The role edits of a WizardDraft: give a role, cycle through them, apply suggestions, set an epoch's unit.

A mixin of WizardDraft (draft.py), split out to keep each module to one job:
these change which column plays which role, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataset_tui.domain.definition import ROLES
from dataset_tui.tui.wizard.draft_parts import UNITS, suggest_unit

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.draft_parts import ColumnDraft, ColumnKey


class RoleEdits:
    columns: dict[ColumnKey, ColumnDraft]
    borrowed: dict[ColumnKey, tuple[str, ColumnKey]]

    def select_column(self, key: ColumnKey, selected: bool) -> None:
        raise NotImplementedError

    def cycle_unit(self, key: ColumnKey) -> str | None:
        """none → seconds → millis → micros for an INT64 column (an epoch read as a timestamp)."""
        col = self.columns[key]
        col.unit = UNITS[(UNITS.index(col.unit) + 1) % len(UNITS)]
        if col.unit and not col.selected:
            self.select_column(key, True)
        return col.unit

    def set_role(self, key: ColumnKey, role: str | None) -> str | None:
        """Give a column a role (selecting it); the column that had the role loses it.

        Returns the output name of the column the role was taken from, if any.
        """
        taken_from = None
        if role is not None:
            for other in self.columns.values():
                if other.role == role and other.key != key:
                    other.role = None
                    taken_from = f"{other.table}.{other.name}"
        col = self.columns[key]
        col.role = role
        if role == "timestamp" and col.is_epoch and not col.unit:
            col.unit = suggest_unit(col.name)  # an INT64 time is an epoch: GA4's are micros
        if role is not None and not col.selected:
            self.select_column(key, True)
        return taken_from

    def cycle_role(self, key: ColumnKey) -> tuple[str | None, str | None]:
        """none → user_id → product_id → timestamp → revenue → none.

        Cycling is trying roles on: a role taken from another column on the
        way goes back to it when this column cycles past it (unless that
        column got another role since). Returns (the column the new role was
        taken from, the column the old role went back to), as output names.
        """
        col = self.columns[key]
        old = col.role
        cycle = (None, *ROLES)
        nxt = cycle[(cycle.index(old) + 1) % len(cycle)]
        owner = next((c.key for c in self.columns.values() if nxt is not None and c.role == nxt and c.key != key), None)
        taken = self.set_role(key, nxt)
        given_back = None
        lent = self.borrowed.pop(key, None)
        if lent is not None and lent[0] == old and old is not None:
            before = self.columns.get(lent[1])
            if before is not None and before.role is None and not any(c.role == old for c in self.columns.values()):
                before.role = old
                given_back = f"{before.table}.{before.name}"
        if owner is not None and nxt is not None:
            self.borrowed[key] = (nxt, owner)
        return taken, given_back

    def apply_roles(self, roles: dict[str, ColumnKey]) -> int:
        """Apply suggested roles ({role: (table, column)}); returns how many changed."""
        changed = 0
        for role, key in roles.items():
            if key not in self.columns:
                continue
            if self.columns[key].role != role or not self.columns[key].selected:
                changed += 1
            self.set_role(key, role)
        return changed


"""WizardDraft: what the wizard's four steps have collected so far.

Plain data, no Textual: the steps edit it, and it turns into a definition
dict for `parse_definition`. Numbers are kept as the text the user typed so
that "abc" in a number field becomes an error beside that field instead of
being lost. Problems come back as `Problem(path, message)` with the file
format's field paths; `step_of(path)` says which step shows each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dataset_tui.domain.definition import (
    FORMAT,
    Definition,
    DefinitionError,
    FixedRange,
    Problem,
    RandomSplit,
    RollingRange,
    TimeSplit,
    parse_definition,
)
from dataset_tui.tui.wizard.draft_parts import (
    ColumnDraft,
    ColumnKey,
    JoinDraft,
    RowFilterDraft,
    schema_drafts,
)
from dataset_tui.tui.wizard.draft_problems import (
    basic_problems,
    column_index_key,
    date_problems,
    dedupe,
    hidden,
    join_index_table,
    number_problems,
    readable,
    step_of,
    table_problems,
)
from dataset_tui.tui.wizard.draft_roles import RoleEdits

STEPS = ("Basic", "Tables", "Columns", "Filters & split")
DATE_MODES = ("none", "rolling", "fixed")
SPLIT_MODES = ("none", "time", "random")

__all__ = [
    "STEPS", "ColumnDraft", "ColumnKey", "JoinDraft", "RowFilterDraft", "WizardDraft", "column_index_key",
    "comparable", "join_index_table", "readable", "step_of",
]


@dataclass
class WizardDraft(RoleEdits):
    model: str = "default"
    name: str = ""
    description: str = ""
    dataset: str = "raw_data"
    primary: str | None = None
    secondary: list[str] = field(default_factory=list)
    joins: list[JoinDraft] = field(default_factory=list)
    # Every column the wizard knows (of the chosen tables), by key.
    columns: dict[ColumnKey, ColumnDraft] = field(default_factory=dict)
    # The output order: selected columns in the order they were chosen (an
    # edited definition keeps its own order, so an untouched edit is unchanged).
    order: list[ColumnKey] = field(default_factory=list)
    # Roles `r` took from another column while cycling, to give back: key → (role, its owner before).
    borrowed: dict[ColumnKey, tuple[str, ColumnKey]] = field(default_factory=dict, repr=False, compare=False)
    date_mode: str = "none"
    months: str = "6"
    start: str = ""
    end: str = ""
    top_percent: str = ""
    min_transactions: str = ""
    split_mode: str = "none"
    eval_days: str = "30"
    train_percent: str = "80"
    split_key: str = ""  # "" = the user_id column
    row_filter: RowFilterDraft = field(default_factory=RowFilterDraft)
    # Row filters beyond the one step 4 edits (from a file): kept as they are.
    extra_where: list[dict[str, Any]] = field(default_factory=list)
    # columns_of's per-table lists, valid while `columns` is the same dict with as many keys
    # (keys are only ever added, never replaced or removed).
    _by_table: dict[str, list[ColumnDraft]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_table_token: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    # -- building from a definition ---------------------------------------------

    @classmethod
    def from_definition(cls, d: Definition) -> WizardDraft:
        draft = cls(model=d.model, name=d.name, description=d.description, dataset=d.source.dataset)
        draft.primary = d.source.primary
        draft.secondary = [j.table for j in d.source.joins]
        draft.joins = [
            JoinDraft(j.table, j.type, [(on.left, on.right) for on in j.on], "saved") for j in d.source.joins
        ]
        for c in d.columns:
            col = ColumnDraft(
                c.table, c.name, c.type, True, c.role, c.alias or "", unnest=c.unnest, unit=c.unit,
                param_key=c.param.key if c.param else None, param_value=c.param.value if c.param else None,
            )
            draft.columns[col.key] = col
            draft.order.append(col.key)
        f = d.filters
        where = [w.to_dict() for w in f.where or []]
        if where:
            first = where.pop(0)
            draft.row_filter = RowFilterDraft(first["table"], first["column"], ", ".join(str(v) for v in first["in"]))
            draft.extra_where = where
        if isinstance(f.date_range, RollingRange):
            draft.date_mode, draft.months = "rolling", str(f.date_range.months)
        elif isinstance(f.date_range, FixedRange):
            draft.date_mode = "fixed"
            draft.start, draft.end = f.date_range.start.isoformat(), f.date_range.end.isoformat()
        draft.top_percent = "" if f.top_products_percent is None else str(f.top_products_percent)
        draft.min_transactions = "" if f.min_transactions is None else str(f.min_transactions)
        if isinstance(d.split, TimeSplit):
            draft.split_mode, draft.eval_days = "time", str(d.split.eval_days)
        elif isinstance(d.split, RandomSplit):
            draft.split_mode, draft.train_percent = "random", str(d.split.train_percent)
            draft.split_key = d.split.key or ""
        return draft

    def copy(self) -> WizardDraft:
        return replace(
            self,
            secondary=list(self.secondary),
            joins=[replace(j, on=list(j.on)) for j in self.joins],
            columns={k: replace(c) for k, c in self.columns.items()},
            order=list(self.order),
            row_filter=replace(self.row_filter),
            extra_where=list(self.extra_where),
        )

    # -- tables -----------------------------------------------------------------

    @property
    def tables(self) -> list[str]:
        return ([self.primary] if self.primary else []) + list(self.secondary)

    def set_primary(self, table: str) -> None:
        """Make `table` the primary; the old primary becomes a secondary table."""
        if table == self.primary:
            return
        old = self.primary
        self.primary = table
        if table in self.secondary:
            self.secondary.remove(table)
        if old is not None:
            self.secondary.insert(0, old)
        # Joins keep their conditions; only the one that joined the new
        # primary must go (a primary is never joined to itself).
        self.joins = [j for j in self.joins if j.table != table]
        self._drop_columns_outside()

    def toggle_secondary(self, table: str) -> bool:
        """Add or remove a secondary table; returns whether it is now chosen."""
        if table == self.primary:
            return True
        if table in self.secondary:
            self.secondary.remove(table)
            self.joins = [j for j in self.joins if j.table != table and table not in j.left_tables]
            self._drop_columns_outside()
            return False
        if self.primary is None:
            self.primary = table
            return True
        self.secondary.append(table)
        return True

    def join_for(self, table: str) -> JoinDraft | None:
        return next((j for j in self.joins if j.table == table), None)

    def set_join(self, join: JoinDraft) -> None:
        for i, existing in enumerate(self.joins):
            if existing.table == join.table:
                self.joins[i] = join
                return
        self.joins.append(join)

    def remove_join(self, table: str) -> None:
        self.joins = [j for j in self.joins if j.table != table]

    def ordered_joins(self) -> list[JoinDraft]:
        """Joins in an order where each join's left side is already joined.

        The user adds tables in any order; the file format wants every join
        to refer only to the primary or earlier joins. Joins that cannot be
        placed keep their place at the end, where validation names them.
        """
        placed = {self.primary} if self.primary else set()
        pending = [j for j in self.joins if j.table in self.secondary]
        out: list[JoinDraft] = []
        while pending:
            ready = next((j for j in pending if j.left_tables <= placed), None)
            if ready is None:
                out += pending
                break
            out.append(ready)
            placed.add(ready.table)
            pending.remove(ready)
        return out

    def _drop_columns_outside(self) -> None:
        chosen = set(self.tables)
        self.order = [k for k in self.order if k[0] in chosen]
        for col in self.columns.values():
            if col.table not in chosen:
                col.selected = False

    # -- columns ------------------------------------------------------------------

    def add_schema(self, table: str, columns: list[tuple[str, str]]) -> None:
        """Learn a table's columns (name, type); keeps what was chosen for known ones (see `schema_drafts`)."""
        self.learn_columns({d.key: d for d in schema_drafts(table, columns)})

    def learn_columns(self, drafts: dict[ColumnKey, ColumnDraft]) -> bool:
        """Learn columns built by `schema_drafts` (in a worker), by key; keeps what was chosen for known ones.

        True when none was known: they were added as they are, in order."""
        if self.columns.keys().isdisjoint(drafts):
            self.columns.update(drafts)  # a table seen for the first time: one update, no per-column work
            return True
        for draft in drafts.values():
            self._learn(draft)
        return False

    def _learn(self, col: ColumnDraft) -> None:
        known = self.columns.get(col.key)
        if known is None:
            self.columns[col.key] = col
            return
        if known.unnest is None or col.unnest is not None:  # an element's type is its field's, not ARRAY<…>
            known.type = col.type
        known.container = col.container
        known.unnest = known.unnest or col.unnest

    def add_params(self, table: str, array: str, params: list[tuple[str, str]]) -> None:
        """The keys found in a sample of a key/value array, each with its value field, listed under the array."""
        new = [ColumnDraft(table, array, None, param_key=k, param_value=v) for k, v in params]
        new = [c for c in new if c.key not in self.columns]
        if not new:
            return
        items = list(self.columns.items())
        at = next((i for i, (k, _) in enumerate(items) if k == (table, array)), len(items) - 1) + 1
        while at < len(items) and items[at][1].table == table and items[at][1].name == array:
            at += 1  # after the keys already listed
        self.columns = dict(items[:at] + [(c.key, c) for c in new] + items[at:])

    def columns_of(self, table: str) -> list[ColumnDraft]:
        """The table's columns in order (do not change the list). Kept per table while `columns`
        gains no key: the column step asks on every search key and header line, and a scan of
        10,000 columns each time showed as stalls."""
        token = (id(self.columns), len(self.columns))
        if self._by_table_token != token:
            self._by_table = {}
            self._by_table_token = token
        found = self._by_table.get(table)
        if found is None:
            found = self._by_table[table] = [c for c in self.columns.values() if c.table == table]
        return found

    def selected_columns(self) -> list[ColumnDraft]:
        return [self.columns[k] for k in self.order if k in self.columns and self.columns[k].selected]

    def toggle_column(self, key: ColumnKey) -> None:
        col = self.columns[key]
        self.select_column(key, not col.selected)


    def select_column(self, key: ColumnKey, selected: bool) -> None:
        col = self.columns[key]
        col.selected = selected
        if selected and key not in self.order:
            self.order.append(key)
        if not selected:
            if key in self.order:
                self.order.remove(key)
            col.role = None

    def role_columns(self) -> dict[str, ColumnDraft]:
        return {c.role: c for c in self.selected_columns() if c.role}

    def output_names(self) -> list[str]:
        return [c.output_name for c in self.selected_columns()]

    # -- the definition -------------------------------------------------------------

    def _where(self) -> list[dict[str, Any]]:
        f = self.row_filter
        out = list(self.extra_where)
        if f.table and f.column:
            col = self.columns.get((f.table, f.column))
            out.insert(0, {"table": f.table, "column": f.column, "in": f.parsed_values(col.type if col else None)})
        return out

    def to_data(self, up_to_step: int = 4) -> tuple[dict[str, Any], list[Problem]]:
        """The definition file's JSON object from steps 1..up_to_step, plus early problems.

        Later steps are left at their neutral value (no filters, no split) so
        that an earlier step is checked on its own.
        """
        data: dict[str, Any] = {
            "format": FORMAT,
            "name": self.name.strip(),
            "model": self.model,
            "description": self.description,
            "source": {
                "dataset": self.dataset,
                "primary": self.primary or "",
                "joins": [
                    {
                        "table": j.table,
                        "type": j.type,
                        "on": [{"left": left, "right": right} for left, right in j.on],
                    }
                    for j in self.ordered_joins()
                ],
            },
            "columns": [],
        }
        if up_to_step >= 3:
            data["columns"] = [c.to_item() for c in self.selected_columns()]
        else:
            # Steps 1–2 are checked before any column is chosen: stand in a
            # column the checks accept, and ignore problems about columns.
            data["columns"] = [{"table": self.primary or "t", "name": "placeholder"}]
        rest, problems = number_problems(self, up_to_step)
        if rest:
            data["filters"] = rest["filters"]
            where = self._where()
            if where:
                data["filters"]["where"] = where
            if rest["split"] is not None:
                data["split"] = rest["split"]
        return data, problems

    def build(self, up_to_step: int = 4) -> tuple[Definition | None, list[Problem]]:
        """Parse the draft; returns the definition (or None) and every problem found."""
        data, problems = self.to_data(up_to_step)
        if up_to_step >= 1:
            problems = basic_problems(self) + problems
        if up_to_step >= 2:
            problems += table_problems(self)
        if up_to_step >= 3 and not self.selected_columns():
            problems.append(Problem(path="columns", message="choose at least one column (space selects)"))
        if up_to_step >= 4:
            problems += date_problems(self)
        try:
            definition = parse_definition(data)
        except DefinitionError as exc:
            problems += [p for p in exc.problems if not hidden(p, up_to_step)]
            definition = None
        if up_to_step < 4:
            definition = None
        return definition, readable(self, dedupe(problems))


# Re-exported: the steps read problems' fields through the draft module.
__all__ = [
    "STEPS", "ColumnDraft", "ColumnKey", "JoinDraft", "WizardDraft", "column_index_key", "comparable",
    "join_index_table", "readable", "step_of",
]


def comparable(draft: WizardDraft) -> tuple[Any, ...]:
    """What decides whether the user changed anything (for `escape`)."""
    data, _ = draft.to_data(4)
    return (repr(data), draft.date_mode, draft.split_mode)

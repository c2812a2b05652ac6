"""Step 3 of the wizard: the columns of the chosen tables, grouped by table.

`space` selects a column, `r` cycles its role, `a` edits its alias, `s`
applies the suggested roles, `v` loads sample values. The side panel shows
the highlighted column's statistics (loaded per table by the screen's
workers) with its distribution as a sparkline.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from dataset_tui.domain.definition import ALIAS_RE, Problem
from dataset_tui.tui.widgets.ordered_input import OrderedInput
from dataset_tui.tui.widgets.sparkline_stats import ColumnStatsPanel
from dataset_tui.tui.wizard.column_picker import ColumnPicker
from dataset_tui.tui.wizard.draft import column_index_key
from dataset_tui.tui.wizard.search_keys import show_search

# Above this many columns, statistics are computed for the selected columns only, on `i`.
WIDE_TABLE = 60

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.calls import SchemaColumn, TableStatsView
    from dataset_tui.tui.wizard.draft import ColumnKey, WizardDraft
    from dataset_tui.tui.wizard.schema_view import SchemaView




class ColumnsStep(Horizontal):
    """The column list, the alias of the highlighted column, and its statistics."""

    BINDINGS = [
        Binding("s", "suggest", "Suggest"),
        Binding("i", "reload_stats", "Statistics"),
    ]

    DEFAULT_CSS = """
    ColumnsStep #columns-left { width: 1fr; padding: 0 1; }
    ColumnsStep #columns-hint { color: $text-muted; height: auto; display: none; }
    ColumnsStep.-wide #columns-hint { display: block; }
    ColumnsStep #alias-row { height: 1; }
    ColumnsStep #alias-row > Label { width: auto; padding-right: 1; }
    ColumnsStep #alias { width: 1fr; }
    ColumnsStep #columns-search { height: 1; color: $accent; display: none; }
    ColumnsStep #columns-search.-shown { display: block; }
    ColumnsStep #columns-problem { color: $error; height: auto; max-height: 5; }
    ColumnsStep #stats { width: 36; border-left: vkey $panel; }
    ColumnsStep.-wide #columns-left { width: 1fr; max-width: 72; }
    ColumnsStep.-wide #stats { width: 1fr; }
    """

    class Changed(Message):
        """The selection, a role or an alias changed."""

    class Wanted(Message):
        """Something only a worker can fetch: "stats" of a table, "samples" of a column, "suggest"."""

        def __init__(
            self, what: str, table: str | None = None, key: ColumnKey | None = None, columns: list[str] | None = None
        ) -> None:
            super().__init__()
            self.what = what
            self.table = table
            self.key = key
            self.columns = columns  # "stats": these columns only (None: all)

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.schemas: dict[str, list[SchemaColumn]] = {}
        # Per table, from the schema worker: the columns by name, and the suggested roles.
        self.schema_index: dict[str, dict[str, SchemaColumn]] = {}
        self.suggested: dict[str, dict[ColumnKey, str]] = {}
        self.stats: dict[str, TableStatsView] = {}
        self.stats_state: dict[str, str] = {}  # table → "loading…", an error, "declined"
        self.samples: dict[ColumnKey, list[Any]] = {}
        self.problems: list[Problem] = []

    def compose(self) -> ComposeResult:
        # The layout class before the children mount (on_resize keeps it right later).
        self.set_class(self.app.size.width >= 110, "-wide")
        with Vertical(id="columns-left"):
            yield Static(
                "space select · r role · a alias · s suggest roles · v samples",
                id="columns-hint",
            )
            yield Static("", id="columns-search")
            yield ColumnPicker(self.draft, id="picker")
            with Horizontal(id="alias-row"):
                yield Label("Alias", id="alias-label")
                yield OrderedInput(placeholder="output name (optional)", id="alias", compact=True)
            yield Static("", id="columns-problem")
        yield ColumnStatsPanel(id="stats")

    @property
    def picker(self) -> ColumnPicker:
        return self.query_one("#picker", ColumnPicker)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= 110, "-wide")

    def enter(self) -> None:
        self.refresh_rows()
        self.focus_first()

    def focus_first(self) -> None:
        self.picker.focus()

    # -- data from the screen's workers ---------------------------------------------

    def refresh_rows(self) -> None:
        """The chosen tables or their schemas changed."""
        suggested: dict[ColumnKey, str] = {}
        for table in self.draft.tables:
            suggested.update(self.suggested.get(table, {}))
        self.picker.suggested = suggested
        self.picker.set_rows(self.draft.tables)

    def set_schema(self, view: SchemaView) -> None:
        """A table's schema, made ready by the worker: file it (no per-column work here)."""
        self.schemas[view.table] = view.columns
        self.schema_index[view.table] = view.by_name
        self.suggested[view.table] = view.suggested
        if self.draft.learn_columns(view.drafts):
            self.picker.seed_rows(view.table, self.draft.columns_of(view.table), view.rows, view.labels)
        self.refresh_rows()

    def set_stats(self, table: str, view: TableStatsView | None, state: str = "") -> None:
        if view is not None:
            known = self.stats.get(table)
            if known is not None:
                # Statistics asked column by column (a wide table) build up one view.
                view = replace(view, columns={**known.columns, **view.columns})
            self.stats[table] = view
            self.stats_state.pop(table, None)
        else:
            self.stats_state[table] = state
        self._show_panel()

    def set_params(self, table: str, column: str, params: list[tuple[str, str]]) -> None:
        """The keys of a key/value array arrived: list them under it, each selectable with its value type."""
        self.draft.add_params(table, column, params)
        self.refresh_rows()
        found = ", ".join(k for k, _ in params[:6]) + (" …" if len(params) > 6 else "")
        self.notify(f"{column}: {len(params)} keys ({found})" if params else f"{column}: no keys in the sample")

    def set_samples(self, key: ColumnKey, values: list[Any]) -> None:
        self.samples[key] = values
        self._show_panel()

    # -- the side panel ----------------------------------------------------------------

    @on(ColumnPicker.Highlighted)
    def _highlighted(self, event: ColumnPicker.Highlighted) -> None:
        self._show_alias()
        self._show_panel()
        if event.key is not None:
            table = event.key[0]
            if self._wide(table):
                return  # statistics of the selected columns only, when asked (i)
            if table not in self.stats and table not in self.stats_state:
                self.stats_state[table] = "loading statistics…"
                self.post_message(self.Wanted("stats", table=table))

    def _wide(self, table: str) -> bool:
        """Too many columns to compute them all on a glance: one query for the selected ones, on `i`."""
        return len(self.schemas.get(table, ())) > WIDE_TABLE

    def _stats_columns(self, key: ColumnKey) -> list[str] | None:
        """The columns `i` computes: all of a narrow table; of a wide one, the selected ones and the highlighted."""
        table = key[0]
        if not self._wide(table):
            return None
        chosen = [c.name for c in self.draft.selected_columns() if c.table == table]
        return list(dict.fromkeys([*chosen, key[1]]))

    def _show_panel(self) -> None:
        key = self.picker.current
        panel = self.query_one("#stats", ColumnStatsPanel)
        if key is None:
            panel.show(title="", subtitle="", stats=None, state="[dim]no column highlighted[/dim]", samples=None)
            return
        table, name = key
        col = self.draft.columns[key]
        schema = self.schema_index.get(table, {}).get(name)
        subtitle = col.type or ""
        if schema is not None and schema.suggested_role:
            subtitle += f" · suggested {schema.suggested_role}"
        if schema is not None and schema.join_key:
            subtitle += " · key"
        view = self.stats.get(table)
        stats = view.columns.get(name) if view is not None else None
        state = self.stats_state.get(table, "")
        if stats is None and not state and self._wide(table):
            state = "i: statistics of the selected columns and this one (one query)"
        elif view is not None and stats is None:
            state = "no statistics for this column"
        if state == "declined":
            state = "statistics not loaded (the scan was not confirmed)\n[dim]i: load them[/dim]"
        elif state.startswith("i: "):
            state = f"[dim]{escape(state)}[/dim]"
        elif state and not state.endswith("…"):
            state = f"[red]{escape(state)}[/red]\n[dim]i: try again[/dim]"
        elif state:
            state = f"[dim]{escape(state)}[/dim]"
        if view is not None and view.cached and stats is not None:
            subtitle += " · cached"
        panel.show(title=f"{table}.{name}", subtitle=subtitle, stats=stats, state=state, samples=self.samples.get(key))

    def action_reload_stats(self) -> None:
        key = self.picker.current
        if key is not None:
            self.stats_state[key[0]] = "loading statistics…"
            self._show_panel()
            self.post_message(self.Wanted("stats", table=key[0], columns=self._stats_columns(key)))

    # -- search ------------------------------------------------------------------------

    @on(ColumnPicker.SearchChanged)
    def _search_changed(self, event: ColumnPicker.SearchChanged) -> None:
        show_search(self.query_one("#columns-search", Static), event, self.picker.column_count, "columns")

    # -- user actions --------------------------------------------------------------------

    @on(ColumnPicker.Request)
    def _request(self, event: ColumnPicker.Request) -> None:
        key = event.key
        col = self.draft.columns[key]
        if col.container and event.what != "alias":
            self._container(key, event.what)
            return
        if event.what == "unit":
            if not col.is_epoch:
                self.notify(f"{col.label} is {col.type}: only an INT64 epoch takes a unit.")
                return
            unit = self.draft.cycle_unit(key)
            self.notify(f"{col.label}: an epoch in {unit}, read as a TIMESTAMP" if unit else f"{col.label}: a number")
        elif event.what == "toggle":
            self.draft.toggle_column(key)
        elif event.what == "role":
            old = self.draft.columns[key].role
            taken, given_back = self.draft.cycle_role(key)
            if taken:
                role = self.draft.columns[key].role
                self.notify(f"{role} moved here from {taken}; r again gives it back.", timeout=4)
            if given_back:
                self.notify(f"{old} given back to {given_back}.", timeout=3)
        elif event.what == "alias":
            self.query_one("#alias", Input).focus()
            return
        elif event.what == "samples":
            self.post_message(self.Wanted("samples", table=key[0], key=key))
            return
        self._changed()

    def _container(self, key: ColumnKey, what: str) -> None:
        """A STRUCT or a repeated record is not a column to choose: say which of its fields are."""
        from dataset_tui.tui.wizard.draft_parts import is_key_value

        col = self.draft.columns[key]
        if is_key_value(col.type or ""):
            if what == "samples":
                self.post_message(self.Wanted("params", table=key[0], key=key))
            else:
                self.notify(f"{col.name} holds key/value pairs: v lists its keys, then choose a key.")
            return
        kind = "repeated record (one row per element)" if (col.type or "").upper().startswith("ARRAY") else "STRUCT"
        self.notify(f"{col.name} is a {kind}: choose one of its fields ({col.name}.…) below it.")

    def action_suggest(self) -> None:
        if self.draft.tables:
            self.post_message(self.Wanted("suggest"))

    def apply_roles(self, roles: dict[str, ColumnKey]) -> None:
        changed = self.draft.apply_roles(roles)
        if roles:
            names = ", ".join(f"{role}={t}.{c}" for role, (t, c) in roles.items())
            self.notify(f"Suggested roles applied: {names}" if changed else "The suggested roles were already set.")
        else:
            self.notify("No column looks like a user id, product id, timestamp or revenue: set roles with r.")
        self._changed()

    def _changed(self) -> None:
        self.picker.refresh()
        self._show_alias()
        self.post_message(self.Changed())

    # -- alias ------------------------------------------------------------------------------

    def _show_alias(self) -> None:
        key = self.picker.current
        alias = self.query_one("#alias", Input)
        label = self.query_one("#alias-label", Label)
        if key is None:
            alias.disabled = True
            label.update("Alias")
            return
        alias.disabled = False
        label.update(f"Alias of {key[1]}")
        value = self.draft.columns[key].alias
        if alias.value != value:
            with alias.prevent(Input.Changed):
                alias.value = value

    @on(Input.Changed, "#alias")
    def _alias_changed(self, event: Input.Changed) -> None:
        key = self.picker.current
        if key is None:
            return
        value = event.value.strip()
        col = self.draft.columns[key]
        col.alias = value
        if value and not col.selected:
            self.draft.select_column(key, True)
        if value and not ALIAS_RE.match(value):
            self.query_one("#columns-problem", Static).update(
                escape(f"alias {value!r}: a letter or _ first, then letters, digits or _ (up to 128)")
            )
        else:
            self.query_one("#columns-problem", Static).update("")
        self.picker.refresh()
        self.post_message(self.Changed())

    @on(Input.Submitted, "#alias")
    def _alias_done(self) -> None:
        self.picker.focus()

    # -- problems ------------------------------------------------------------------------------

    def show_problems(self, problems: list[Problem], *, move_cursor: bool = True) -> bool:
        """List problems under the columns and mark the rows they are about (`!`).

        `move_cursor` puts the cursor on the first marked row (on a check);
        a live re-check while the user edits leaves the cursor where it is."""
        errors: set[ColumnKey] = set()
        lines = []
        for p in problems:
            if not p.path.startswith("columns"):
                continue
            key = column_index_key(self.draft, p.path)
            if key is not None:
                errors.add(key)
                lines.append(f"{key[0]}.{key[1]}: {p.message}")
            else:
                lines.append(p.message)
        self.picker.errors = errors
        self.picker.refresh()
        self.query_one("#columns-problem", Static).update(escape("\n".join(lines)))
        if errors and move_cursor:
            first = next(i for i, r in enumerate(self.picker.rows) if r[0] == "column" and r[1] in errors)
            self.picker.cursor = first
        return bool(lines)

    @property
    def showing_problems(self) -> bool:
        return bool(self.picker.errors) or bool(str(self.query_one("#columns-problem", Static).render()))

    def clear_problems(self) -> None:
        self.picker.errors = set()
        self.query_one("#columns-problem", Static).update("")

    def load(self, draft: WizardDraft) -> None:
        self.draft = draft
        self.picker.draft = draft
        for table, cols in self.schemas.items():
            draft.add_schema(table, [(c.name, c.type) for c in cols])
        self.refresh_rows()

"""Step 3 of the wizard: the columns of the chosen tables, grouped by table.

`space` selects a column, `r` cycles its role, `a` edits its alias, `s`
applies the suggested roles, `v` loads sample values. The side panel shows
the highlighted column's statistics (loaded per table by the screen's
workers) with its distribution as a sparkline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label, Static

from dataset_tui.domain.definition import ALIAS_RE, Problem
from dataset_tui.tui.widgets.line_rows import CURSOR_BINDINGS, fit
from dataset_tui.tui.widgets.ordered_input import OrderedInput, OrderedKeys
from dataset_tui.tui.widgets.sparkline_stats import ColumnStatsPanel
from dataset_tui.tui.wizard.draft import column_index_key

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.calls import SchemaColumn, TableStatsView
    from dataset_tui.tui.wizard.draft import ColumnKey, WizardDraft

ROLE_WIDTH = 11
TYPE_WIDTH = 9



class ColumnPicker(OrderedKeys, ScrollView, can_focus=True):
    """Rows of table headers and their columns; the cursor moves over columns only."""

    BINDINGS = [
        *CURSOR_BINDINGS,
        Binding("space,enter", "toggle", "Select", key_display="space/enter"),
        Binding("r", "role", "Role"),
        Binding("a", "alias", "Alias"),
        Binding("v", "samples", "Samples"),
    ]

    COMPONENT_CLASSES = {
        "column-picker--header",
        "column-picker--cursor",
        "column-picker--selected",
        "column-picker--role",
        "column-picker--hint",
        "column-picker--error",
    }

    DEFAULT_CSS = """
    ColumnPicker { height: 1fr; background: $surface; }
    ColumnPicker > .column-picker--header { text-style: bold; color: $accent; }
    ColumnPicker > .column-picker--cursor { background: $block-cursor-blurred-background; }
    ColumnPicker:focus > .column-picker--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    ColumnPicker > .column-picker--selected { text-style: bold; }
    ColumnPicker > .column-picker--role { color: $success; }
    ColumnPicker > .column-picker--hint { color: $text-muted; }
    ColumnPicker > .column-picker--error { color: $error; }
    """

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        def __init__(self, key: ColumnKey | None) -> None:
            super().__init__()
            self.key = key

    class Request(Message):
        """A key asked for something the step handles: toggle, role, alias, samples."""

        def __init__(self, key: ColumnKey, what: str) -> None:
            super().__init__()
            self.key = key
            self.what = what

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.rows: list[tuple[str, Any]] = []  # ("header", table) | ("column", key)
        self.suggested: dict[ColumnKey, str] = {}
        self.errors: set[ColumnKey] = set()

    # -- data ---------------------------------------------------------------------

    def set_rows(self, tables: Sequence[str], keep: ColumnKey | None = None) -> None:
        keep = keep or self.current
        rows: list[tuple[str, Any]] = []
        for table in tables:
            rows.append(("header", table))
            cols = self.draft.columns_of(table)
            if not cols:
                rows.append(("loading", table))
            rows += [("column", c.key) for c in cols]
        self.rows = rows
        self.virtual_size = Size(self.size.width, len(rows))
        index = next((i for i, r in enumerate(rows) if r[0] == "column" and r[1] == keep), None)
        if index is None:
            index = next((i for i, r in enumerate(rows) if r[0] == "column"), 0)
        self.set_reactive(ColumnPicker.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def current(self) -> ColumnKey | None:
        if 0 <= self.cursor < len(self.rows) and self.rows[self.cursor][0] == "column":
            return self.rows[self.cursor][1]  # type: ignore[no-any-return]
        return None

    # -- rendering ----------------------------------------------------------------

    def _header_text(self, table: str) -> str:
        cols = self.draft.columns_of(table)
        chosen = sum(1 for c in cols if c.selected)
        kind = "primary" if table == self.draft.primary else "joined"
        return f"▾ {table}  ({kind}, {chosen} of {len(cols)} selected)"

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = y + int(self.scroll_offset.y)
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        kind, value = self.rows[index]
        if kind == "header":
            style = base + self.get_component_rich_style("column-picker--header")
            return Strip([Segment(fit(self._header_text(value), width), style)]).crop(0, width)
        if kind == "loading":
            style = base + self.get_component_rich_style("column-picker--hint")
            return Strip([Segment(fit("   loading columns…", width), style)]).crop(0, width)
        col = self.draft.columns[value]
        # Component styles carry the widget's background: the cursor's goes
        # on last, or the first component style would paint over it.
        cursor = self.get_component_rich_style("column-picker--cursor") if index == self.cursor else Style()

        def style(*components: str) -> Style:
            result = base
            for component in components:
                result += self.get_component_rich_style(component)
            return result + cursor

        row_style = style()
        mark = "[x]" if col.selected else "[ ]"
        error = "!" if value in self.errors else " "
        name_width = max(width - 3 - 1 - 1 - TYPE_WIDTH - 1 - ROLE_WIDTH, 8)
        name = col.name if not col.alias else f"{col.name} → {col.alias}"
        type_text = (col.type or "").split("<", 1)[0]
        if col.role:
            role_text, role_style = col.role, "column-picker--role"
        elif value in self.suggested:
            role_text, role_style = f"{self.suggested[value]}?", "column-picker--hint"
        else:
            role_text, role_style = "", "column-picker--hint"
        name_style = style("column-picker--selected") if col.selected else row_style
        segments = [
            Segment(mark, name_style),
            Segment(error, style("column-picker--error")),
            Segment(" " + fit(name, name_width), name_style),
            Segment(" " + fit(type_text, TYPE_WIDTH), style("column-picker--hint")),
            Segment(" " + fit(role_text, ROLE_WIDTH), style(role_style)),
        ]
        return Strip(segments).crop(0, width).extend_cell_length(width, row_style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
        # A problem text growing under the list makes it shorter: keep the
        # row the problem is about (the cursor) in view.
        self.call_after_refresh(self._scroll_to_cursor)

    # -- cursor ----------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height, 1)
        top = int(self.scroll_offset.y)
        # Keep the table's header in view when the cursor is on its first column.
        want_top = self.cursor - 1 if self.cursor > 0 and self.rows[self.cursor - 1][0] == "header" else self.cursor
        if want_top < top:
            self.scroll_to(y=want_top, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def _column_rows(self) -> list[int]:
        return [i for i, (kind, _) in enumerate(self.rows) if kind == "column"]

    def _move(self, step: int) -> None:
        columns = self._column_rows()
        if not columns:
            return
        if step > 0:
            after = [i for i in columns if i > self.cursor]
            target = after[min(step, len(after)) - 1] if after else columns[-1]
        else:
            before = [i for i in columns if i < self.cursor]
            target = before[-min(-step, len(before))] if before else columns[0]
        self.cursor = target

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_page_up(self) -> None:
        self._move(-max(self.size.height - 2, 1))

    def action_page_down(self) -> None:
        self._move(max(self.size.height - 2, 1))

    def action_first(self) -> None:
        columns = self._column_rows()
        if columns:
            self.cursor = columns[0]

    def action_last(self) -> None:
        columns = self._column_rows()
        if columns:
            self.cursor = columns[-1]

    def _request(self, what: str) -> None:
        if self.current is not None:
            self.post_message(self.Request(self.current, what))

    def action_toggle(self) -> None:
        self._request("toggle")

    def action_role(self) -> None:
        self._request("role")

    def action_alias(self) -> None:
        self._request("alias")

    def action_samples(self) -> None:
        self._request("samples")

    def on_click(self, event: events.Click) -> None:
        index = event.y + int(self.scroll_offset.y)
        if 0 <= index < len(self.rows) and self.rows[index][0] == "column":
            self.cursor = index


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
    ColumnsStep #columns-problem { color: $error; height: auto; max-height: 5; }
    ColumnsStep #stats { width: 36; border-left: vkey $panel; }
    ColumnsStep.-wide #columns-left { width: 1fr; max-width: 72; }
    ColumnsStep.-wide #stats { width: 1fr; }
    """

    class Changed(Message):
        """The selection, a role or an alias changed."""

    class Wanted(Message):
        """Something only a worker can fetch: "stats" of a table, "samples" of a column, "suggest"."""

        def __init__(self, what: str, table: str | None = None, key: ColumnKey | None = None) -> None:
            super().__init__()
            self.what = what
            self.table = table
            self.key = key

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.schemas: dict[str, list[SchemaColumn]] = {}
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
        suggested = {}
        for table, cols in self.schemas.items():
            for c in cols:
                if c.suggested_role:
                    suggested[(table, c.name)] = c.suggested_role
        self.picker.suggested = suggested
        self.picker.set_rows(self.draft.tables)

    def set_schema(self, table: str, columns: list[SchemaColumn]) -> None:
        self.schemas[table] = columns
        self.draft.add_schema(table, [(c.name, c.type) for c in columns])
        self.refresh_rows()

    def set_stats(self, table: str, view: TableStatsView | None, state: str = "") -> None:
        if view is not None:
            self.stats[table] = view
            self.stats_state.pop(table, None)
        else:
            self.stats_state[table] = state
        self._show_panel()

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
            if table not in self.stats and table not in self.stats_state:
                self.stats_state[table] = "loading statistics…"
                self.post_message(self.Wanted("stats", table=table))

    def _show_panel(self) -> None:
        key = self.picker.current
        panel = self.query_one("#stats", ColumnStatsPanel)
        if key is None:
            panel.show(title="", subtitle="", stats=None, state="[dim]no column highlighted[/dim]", samples=None)
            return
        table, name = key
        col = self.draft.columns[key]
        schema = next((c for c in self.schemas.get(table, []) if c.name == name), None)
        subtitle = col.type or ""
        if schema is not None and schema.suggested_role:
            subtitle += f" · suggested {schema.suggested_role}"
        if schema is not None and schema.join_key:
            subtitle += " · key"
        view = self.stats.get(table)
        stats = view.columns.get(name) if view is not None else None
        state = self.stats_state.get(table, "")
        if view is not None and stats is None:
            state = "no statistics for this column"
        if state == "declined":
            state = "statistics not loaded (the scan was not confirmed)\n[dim]i: load them[/dim]"
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
            self.post_message(self.Wanted("stats", table=key[0]))

    # -- user actions --------------------------------------------------------------------

    @on(ColumnPicker.Request)
    def _request(self, event: ColumnPicker.Request) -> None:
        key = event.key
        if event.what == "toggle":
            self.draft.toggle_column(key)
        elif event.what == "role":
            old = self.draft.columns[key].role
            taken, given_back = self.draft.cycle_role(key)
            if taken:
                self.notify(f"{self.draft.columns[key].role} moved here from {taken}; r again gives it back.", timeout=4)
            if given_back:
                self.notify(f"{old} given back to {given_back}.", timeout=3)
        elif event.what == "alias":
            self.query_one("#alias", Input).focus()
            return
        elif event.what == "samples":
            self.post_message(self.Wanted("samples", table=key[0], key=key))
            return
        self._changed()

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

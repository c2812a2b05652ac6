"""Step 4 of the wizard: filters and split, with a live summary (split estimate and SQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from dataset_tui.domain.definition import Problem
from dataset_tui.tui.widgets.drop_down import DropDown
from dataset_tui.tui.widgets.ordered_input import OrderedInput
from dataset_tui.tui.wizard.field_row import FieldRow

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.draft import WizardDraft

WIDE = 110  # from this width the summary sits beside the form

DATE_OPTIONS = [("all time", "none"), ("rolling: last N months", "rolling"), ("fixed: start to end", "fixed")]
SPLIT_OPTIONS = [
    ("none (full data only)", "none"),
    ("time: last N days eval", "time"),
    ("random: hash of a key", "random"),
]
USER_KEY = "__user_id__"  # the split key drop-down's "user_id column" entry
ALL_ROWS = "__all__"  # the row filter drop-down's "all rows" entry
# The row filter offers this many columns at most (the selected ones first): a
# drop-down of 10,000 columns would cost more than it helps.
MAX_FILTER_COLUMNS = 200
FILTER_TYPES = ("STRING", "INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC")

# Field id → the definition path its problems are reported at.
FIELD_PATHS = {
    "date-mode": "filters.date_range",
    "months": "filters.date_range.months",
    "start": "filters.date_range.start",
    "end": "filters.date_range.end",
    "top": "filters.top_products_percent",
    "min-tx": "filters.min_transactions",
    "where-column": "filters.where",
    "split-mode": "split",
    "eval-days": "split.eval_days",
    "train": "split.train_percent",
    "key": "split.key",
}


# What each field does, shown under the form for the focused one (wide screens):
# the rules of DESIGN §4 in a sentence each.
FIELD_HELP = {
    "date-mode": "Which rows, by the date (UTC) of the timestamp column. Rolling moves with each run: "
    "from N months before the day the query runs to that day. Fixed keeps start to end, both included.",
    "months": "1–120 months back from the day the query runs (CURRENT_DATE, or the export's as-of date).",
    "start": "First day kept, YYYY-MM-DD.",
    "end": "Last day kept, YYYY-MM-DD (included). A time split's eval window ends here.",
    "top": "Keep the products that make up the first N% of revenue, biggest first, computed on the "
    "rows in the date range. Needs the product_id and revenue roles.",
    "min-tx": "Keep users with at least N rows in the date range (counted after the joins). Needs the user_id role.",
    "where-column": "Keep only the rows whose column is one of the values (GA4: event_name = purchase). "
    "Applied before every other filter.",
    "where-values": "The values, separated by commas: purchase, add_to_cart. Numbers for a numeric column.",
    "split-mode": "Time: the most recent days are eval, earlier days train. Random: a hash of a key puts "
    "every key wholly in train or in eval, the same way BigQuery's FARM_FINGERPRINT does.",
    "eval-days": "Eval is the last N days plus the anchor day (today, or the fixed range's end); "
    "train is every earlier day.",
    "train": "Share of the 100 hash buckets that go to train; the rest is eval.",
    "key": "The column hashed: STRING or INT64. By default the user_id column, so no user is in both.",
}


class FiltersStep(Horizontal):
    """Date range, top products, minimum transactions, split; summary and SQL beside or below."""

    DEFAULT_CSS = """
    FiltersStep { layout: vertical; }
    FiltersStep.-wide { layout: horizontal; }
    FiltersStep #form { height: auto; max-height: 60%; padding: 0 1; }
    FiltersStep.-wide #form { width: 52; height: 1fr; max-height: 100%; }
    /* A compact drop-down barely changes when focused: show it as a cursor. */
    FiltersStep .field-row DropDown:focus { background: $block-cursor-background; text-style: bold; }
    FiltersStep #where-seen { color: $text-muted; height: auto; padding-left: 18; }
    FiltersStep #field-help { display: none; color: $text-muted; margin-top: 1; height: auto; }
    FiltersStep.-wide #field-help { display: block; }
    FiltersStep #summary-box { height: 1fr; border-top: hkey $panel; }
    FiltersStep.-wide #summary-box { border-top: none; border-left: vkey $panel; }
    FiltersStep #estimate { height: auto; padding: 0 1; }
    FiltersStep #sql { height: 1fr; border: none; padding: 0; }
    /* Until the step's first showing has painted (see `enter`). */
    FiltersStep #form > #field-help.-later, FiltersStep > #summary-box.-later,
    FiltersStep #summary-box > #sql.-later { display: none; }
    """

    class Changed(Message):
        """A filter or the split changed."""

    class ValuesWanted(Message):
        """Sample values of the row filter's column, to offer beside "is one of" (a worker fetches them)."""

        def __init__(self, table: str, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(self, draft: WizardDraft, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self._problem_text: dict[str, str] = {}  # field id → the problem shown under it
        self._key_options: list[tuple[str, str]] = []  # what the split key drop-down offers now
        self._where_options: list[tuple[str, str]] = []  # what the row filter drop-down offers now
        self._shown_text: dict[str, str] = {}  # id → the text a Static shows now (the help, the estimate)

    def compose(self) -> ComposeResult:
        from dataset_tui.tui.highlight_queries import share_highlight_queries

        share_highlight_queries()  # before the SQL TextArea below compiles its highlighting
        # The layout class before the children mount: set after, it restyles the whole form.
        self.set_class(self.app.size.width >= WIDE, "-wide")
        d = self.draft
        with VerticalScroll(id="form"):
            yield FieldRow(
                "Date range",
                DropDown(DATE_OPTIONS, value=d.date_mode, id="date-mode"),
                "date-mode",
            )
            yield FieldRow(
                "Months", OrderedInput(d.months, id="months", compact=True), "months", sub=True, hint="1–120"
            )
            yield FieldRow(
                "Start", OrderedInput(d.start, placeholder="YYYY-MM-DD", id="start", compact=True), "start", sub=True
            )
            yield FieldRow(
                "End",
                OrderedInput(d.end, placeholder="YYYY-MM-DD", id="end", compact=True),
                "end",
                sub=True,
                hint="included",
            )
            yield FieldRow(
                "Top products %", OrderedInput(d.top_percent, id="top", compact=True), "top", hint="blank: all"
            )
            yield FieldRow(
                "Min transactions",
                OrderedInput(d.min_transactions, id="min-tx", compact=True),
                "min-tx",
                hint="blank: all users",
            )
            yield FieldRow(
                "Split",
                DropDown(SPLIT_OPTIONS, value=d.split_mode, id="split-mode"),
                "split-mode",
            )
            yield FieldRow(
                "Eval days",
                OrderedInput(d.eval_days, id="eval-days", compact=True),
                "eval-days",
                sub=True,
                hint="+ anchor day",
            )
            yield FieldRow(
                "Train %", OrderedInput(d.train_percent, id="train", compact=True), "train", sub=True, hint="1–99"
            )
            yield FieldRow(
                "Key",
                DropDown([("user_id column", USER_KEY)], id="key"),
                "key",
                sub=True,
            )
            yield FieldRow(
                "Keep rows where",
                DropDown([("all rows", ALL_ROWS)], id="where-column"),
                "where-column",
            )
            yield FieldRow(
                "is one of",
                OrderedInput(d.row_filter.values, placeholder="purchase, add_to_cart", id="where-values", compact=True),
                "where-values",
                sub=True,
            )
            yield Static("", id="where-seen")
            # The first field's help from the start: set when it gets focus, the
            # update would re-lay the step out right after its first showing.
            self._shown_text["field-help"] = FIELD_HELP["date-mode"]
            yield Static(FIELD_HELP["date-mode"], id="field-help", classes="-later")
        with Vertical(id="summary-box", classes="-later"):
            yield Static("", id="estimate")
            yield TextArea(
                "", language="sql", read_only=True, soft_wrap=False, id="sql", show_line_numbers=False, classes="-later"
            )

    def on_mount(self) -> None:
        self._show_modes()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(self.app.size.width >= WIDE, "-wide")

    def enter(self) -> None:
        self.refresh_options()
        self.focus_first()
        # The step's first showing lays out and paints each of its widgets for the
        # first time, ~50 ms in one turn of the event loop: the help, then the
        # summary box, then its SQL editor follow, each on the turn after the
        # paint before it (at once, the three cost one ~30 ms turn).
        self._reveal_later(list(self.query(".-later")))

    def _reveal_later(self, hidden: list[Widget]) -> None:
        if hidden:
            self.call_after_refresh(self._reveal_next, hidden)

    def _reveal_next(self, hidden: list[Widget]) -> None:
        hidden.pop(0).remove_class("-later")
        self._reveal_later(hidden)

    def focus_first(self) -> None:
        self.query_one("#date-mode", DropDown).focus()

    def refresh_options(self) -> None:
        """The split key and row filter choices follow the selected columns (call on entering the step)."""
        self._refresh_where()
        key = self.query_one("#key", DropDown)
        user = self.draft.role_columns().get("user_id")
        options: list[tuple[str, str]] = [
            (f"user_id column ({user.output_name})" if user else "user_id column (none chosen!)", USER_KEY)
        ]
        options += [(name, name) for name in self.draft.output_names() if not (user and name == user.output_name)]
        values = {v for _, v in options}
        with key.prevent(DropDown.Changed):
            if options != self._key_options:  # rebuilding the drop-down costs a re-layout
                self._key_options = options
                key.set_options(options)
            key.value = self.draft.split_key if self.draft.split_key in values else USER_KEY
        if self.draft.split_key and self.draft.split_key not in values:
            self.draft.split_key = ""

    def _refresh_where(self) -> None:
        """The row filter offers the chosen tables' plain columns of a comparable type, selected first."""
        select = self.query_one("#where-column", DropDown)
        chosen = {c.key for c in self.draft.selected_columns()}
        columns = [
            c
            for c in self.draft.columns.values()
            if c.table in self.draft.tables
            and not (c.container or c.unnest or c.param_key)
            and (c.type or "").split("(", 1)[0].upper() in FILTER_TYPES
        ]
        columns.sort(key=lambda c: c.key not in chosen)
        options = [("all rows", ALL_ROWS)]
        options += [(f"{c.table}.{c.name}", f"{c.table}\t{c.name}") for c in columns[:MAX_FILTER_COLUMNS]]
        f = self.draft.row_filter
        current = f"{f.table}\t{f.column}" if f.column else ALL_ROWS
        if current not in {v for _, v in options}:
            options.append((f"{f.table}.{f.column}", current))
        with select.prevent(DropDown.Changed):
            if options != self._where_options:
                self._where_options = options
                select.set_options(options)
            select.value = current

    def _show_modes(self) -> None:
        d = self.draft
        self.query_one("#where-values-field").display = bool(d.row_filter.column)
        self.query_one("#where-seen").display = bool(d.row_filter.column)
        self.query_one("#months-field").display = d.date_mode == "rolling"
        self.query_one("#start-field").display = d.date_mode == "fixed"
        self.query_one("#end-field").display = d.date_mode == "fixed"
        self.query_one("#eval-days-field").display = d.split_mode == "time"
        self.query_one("#train-field").display = d.split_mode == "random"
        self.query_one("#key-field").display = d.split_mode == "random"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        help_text = FIELD_HELP.get(event.widget.id or "")
        if help_text is not None and help_text != self._shown_text.get("field-help"):
            # An update re-lays the form out: only when the text changes (not on each return to the step).
            self._shown_text["field-help"] = help_text
            self.query_one("#field-help", Static).update(help_text)

    # -- edits ------------------------------------------------------------------------

    @on(DropDown.Changed)
    def _choice_changed(self, event: DropDown.Changed) -> None:
        value = event.value
        if event.control.id == "date-mode":
            self.draft.date_mode = value
        elif event.control.id == "split-mode":
            self.draft.split_mode = value
        elif event.control.id == "key":
            self.draft.split_key = "" if value == USER_KEY else value
        elif event.control.id == "where-column":
            table, _, column = ("" if value == ALL_ROWS else value).partition("\t")
            self.draft.row_filter.table, self.draft.row_filter.column = table, column
            self.query_one("#where-seen", Static).update("[dim]reading sample values…[/dim]" if column else "")
            if column:
                self.post_message(self.ValuesWanted(table, column))
        else:
            return
        self._show_modes()
        self._clear(event.control.id or "")
        self.post_message(self.Changed())

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        attr = {
            "months": "months",
            "start": "start",
            "end": "end",
            "top": "top_percent",
            "min-tx": "min_transactions",
            "eval-days": "eval_days",
            "train": "train_percent",
            "where-values": "where-values",
        }.get(event.input.id or "")
        if attr is None:
            return
        if attr == "where-values":
            self.draft.row_filter.values = event.value
        else:
            setattr(self.draft, attr, event.value)
        self._clear(event.input.id or "")
        self.post_message(self.Changed())

    def set_values(self, table: str, column: str, values: list[Any]) -> None:
        """Offer a sample's distinct values of the row filter's column (ignored once it changed)."""
        f = self.draft.row_filter
        if (f.table, f.column) != (table, column):
            return
        shown = ", ".join(escape(str(v)) for v in values[:12])
        self.query_one("#where-seen", Static).update(
            f"in a sample: {shown}" if values else "[dim]no values in a sample[/dim]"
        )

    # -- summary ------------------------------------------------------------------------

    def show_summary(self, estimate: str, sql: str | None = None) -> None:
        """The estimate lines and the SQL (None keeps the SQL shown, while the draft is incomplete)."""
        if estimate != self._shown_text.get("estimate"):
            self._shown_text["estimate"] = estimate
            self.query_one("#estimate", Static).update(estimate)
        area = self.query_one("#sql", TextArea)
        if sql is not None and area.text != sql:
            # An edit, not `load_text`: that builds a new document and compiles the
            # SQL highlighting query again (~40 ms of the event loop, each summary).
            area.replace(sql, (0, 0), area.document.end, maintain_selection_offset=False)
            area.history.clear()
            area.move_cursor((0, 0))

    # -- problems -------------------------------------------------------------------------

    def _set_problem(self, field_id: str, text: str) -> None:
        # Only a real change touches the widget: each update re-lays the form
        # out, and the problems are recomputed after every pause in typing.
        if self._problem_text.get(field_id, "") == text:
            return
        self._problem_text[field_id] = text
        problem = self.query_one(f"#{field_id}-problem", Static)
        problem.update(escape(text))
        problem.set_class(bool(text), "-shown")

    def _clear(self, field_id: str) -> None:
        self._set_problem(field_id, "")

    def clear_problems(self) -> None:
        for field_id in FIELD_PATHS:
            self._clear(field_id)

    def show_problems(self, problems: list[Problem]) -> bool:
        """Each problem under its field (the closest field for paths a field does not own)."""
        by_field: dict[str, list[str]] = {}
        for p in problems:
            field_id = self._field_for(p.path)
            if field_id is not None:
                by_field.setdefault(field_id, []).append(p.message)
        for field_id in FIELD_PATHS:
            self._set_problem(field_id, "\n".join(by_field.get(field_id, [])))
        return bool(by_field)

    def _field_for(self, path: str) -> str | None:
        if not (path.startswith(("filters", "split"))):
            return None
        best = None
        for field_id, field_path in FIELD_PATHS.items():
            matches = path == field_path or path.startswith((field_path + ".", field_path + "["))
            if matches and (best is None or len(field_path) > len(FIELD_PATHS[best])):
                best = field_id
        if best is None:
            return "split-mode" if path.startswith("split") else "date-mode"
        # A field that is hidden cannot show its problem: fall back to its mode.
        if not self.query_one(f"#{best}-field").display:
            return "split-mode" if path.startswith("split") else "date-mode"
        return best

    def first_problem_field(self) -> Any:
        for field_id in FIELD_PATHS:
            if self._problem_text.get(field_id):
                return self.query_one(f"#{field_id}")
        return None

    def load(self, draft: WizardDraft) -> None:
        self.draft = draft
        for field_id, attr in (
            ("months", "months"),
            ("start", "start"),
            ("end", "end"),
            ("top", "top_percent"),
            ("min-tx", "min_transactions"),
            ("eval-days", "eval_days"),
            ("train", "train_percent"),
        ):
            widget = self.query_one(f"#{field_id}", Input)
            with widget.prevent(Input.Changed):
                widget.value = getattr(draft, attr)
        values = self.query_one("#where-values", Input)
        with values.prevent(Input.Changed):
            values.value = draft.row_filter.values
        for field_id, value in (("date-mode", draft.date_mode), ("split-mode", draft.split_mode)):
            select = self.query_one(f"#{field_id}", DropDown)
            with select.prevent(DropDown.Changed):
                select.value = value
        self.refresh_options()
        self._show_modes()

"""The wizard's data from the warehouse: tables, schemas, joins, statistics, samples, suggestions, the live summary.

Workers get what they need as arguments (never reading the screen or a step
from their thread) and post a message from `messages`; the `on` handlers,
on the event loop, update the steps.
"""


from typing import Any

from rich.markup import escape
from textual import on

from dataset_tui.domain.definition import Definition
from dataset_tui.tui.key_order import hold_keys, release_keys
from dataset_tui.tui.wizard import messages as msg
from dataset_tui.tui.wizard.base import WizardBase
from dataset_tui.tui.wizard.columns import ColumnsStep
from dataset_tui.tui.wizard.draft import (
    JoinDraft,
    step_of,
)
from dataset_tui.tui.wizard.filters import FiltersStep
from dataset_tui.tui.wizard.table_list import TableList
from dataset_tui.tui.wizard.tables import TablesStep
from dataset_tui.tui.work import warehouse_work

# Regenerating the SQL on every key press would queue work the user never
# sees: wait for a pause in typing.
SUMMARY_DELAY_S = 0.3


class WizardLoading(WizardBase):
    """Fetch in workers, show on the event loop."""

    _suggest_hold: object | None = None  # typed keys held until `s`'s roles are applied
    _suggested: dict[str, tuple[str, str]] | None = None  # roles `s` found, waiting for their schemas

    def _load_tables(self) -> None:
        self._fetch_tables(self.ctx, self.draft.dataset)

    @warehouse_work("load the tables", group="wizard-tables")
    def _fetch_tables(self, ctx: Any, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        try:
            found = calls.table_catalog(ctx, dataset)
        except Exception as exc:
            self.post_message(msg.TablesFailed(_message(exc)))
            raise
        self.post_message(msg.TablesLoaded(found))

    @on(msg.TablesFailed)
    def _tables_failed(self, event: msg.TablesFailed) -> None:
        self.tables_step.show_load_error(event.text)

    @on(msg.TablesLoaded)
    def _tables_loaded(self, event: msg.TablesLoaded) -> None:
        self.tables_step.show_catalog(event.catalog)
        # The chosen tables' details feed the summary even when off screen.
        chosen = [t for t in self.draft.tables if event.catalog.entry(t) is not None]
        if chosen:
            self._fetch_details(self.ctx, event.catalog, chosen)

    @on(TableList.NeedDetails)
    def _need_details(self, event: TableList.NeedDetails) -> None:
        if self.tables_step.catalog is not None:
            self._fetch_details(self.ctx, self.tables_step.catalog, event.names)

    @warehouse_work("read table details", group="wizard-details", exclusive=False)
    def _fetch_details(self, ctx: Any, found: Any, names: list[str]) -> None:
        from dataset_tui.tui.wizard import calls

        try:
            infos = calls.table_details(ctx, found, names)
        except Exception:
            self.post_message(msg.DetailsFailed(names))
            raise
        self.post_message(msg.DetailsLoaded(infos))

    @on(msg.DetailsLoaded)
    def _details_loaded(self, event: msg.DetailsLoaded) -> None:
        self.table_infos.update(event.infos)
        self.tables_step.add_details(event.infos)
        if self.draft.primary in event.infos:
            self._schedule_summary()

    @on(msg.DetailsFailed)
    def _details_failed(self, event: msg.DetailsFailed) -> None:
        self.tables_step.picker.forget_asked(event.names)

    def _tables_changed(self) -> None:
        self._ensure_schemas()
        self.columns_step.refresh_rows()
        if len(self.draft.tables) >= 2:
            self._find_joins(list(self.draft.tables), self.draft.primary)

    def _ensure_schemas(self) -> None:
        missing = [t for t in self.draft.tables if t not in self.columns_step.schemas and t not in self.schema_loading]
        if missing:
            self._load_schemas(missing)

    def _load_schemas(self, tables: list[str]) -> None:
        self.schema_loading.update(tables)
        self._fetch_schemas(self.ctx, tables, self.draft.dataset)

    @warehouse_work("read the table schemas", group="wizard-schemas", exclusive=False)
    def _fetch_schemas(self, ctx: Any, tables: list[str], dataset: str) -> None:
        from dataset_tui.tui.wizard import calls, schema_view

        try:
            for table in tables:
                # Drafts, name index and suggested roles are built here, not on the event loop.
                view = schema_view.schema_view(table, calls.table_schema(ctx, table, dataset))
                self.post_message(msg.SchemaLoaded(view))
        finally:
            self.post_message(msg.SchemasDone(tables))

    @on(msg.SchemaLoaded)
    def _schema_loaded(self, event: msg.SchemaLoaded) -> None:
        self.columns_step.set_schema(event.view)
        self._schedule_summary()

    @on(msg.SchemasDone)
    def _schemas_done(self, event: msg.SchemasDone) -> None:
        self.schema_loading.difference_update(event.tables)
        if self._suggested is not None:
            self._apply_suggested()

    def _find_joins(self, tables: list[str], primary: str | None) -> None:
        self._fetch_joins(self.ctx, tables, primary, self.draft.dataset)

    @warehouse_work("detect joins", group="wizard-joins")
    def _fetch_joins(self, ctx: Any, tables: list[str], primary: str | None, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        found = calls.detect_joins(ctx, tables, dataset)
        mapping = calls.suggest(ctx, tables, primary, dataset)
        self.post_message(msg.JoinsFound(tables, found, mapping))

    @on(msg.JoinsFound)
    def _joins_found(self, event: msg.JoinsFound) -> None:
        if event.tables != self.draft.tables:
            return  # the user changed the tables since; a newer search is on its way
        self.suggestions = event.found
        added = []
        for s in event.mapping.joins:
            if s.right_table in self.draft.secondary and self.draft.join_for(s.right_table) is None:
                self.draft.set_join(
                    JoinDraft(
                        s.right_table,
                        "left",
                        [(f"{s.left_table}.{s.left_column}", f"{s.right_table}.{s.right_column}")],
                        s.confidence,
                        s.reason,
                    )
                )
                added.append(s.right_table)
        self.tables_step.refresh_joins()
        for warning in event.mapping.warnings:
            if any(t in warning for t in added) or "no join found" in warning:
                self.notify(warning, severity="warning", timeout=6)
        self._update_title()

    @on(TablesStep.EditJoin)
    def _edit_join(self, event: TablesStep.EditJoin) -> None:
        from dataset_tui.tui.wizard.join_dialog import JoinScreen

        join = self.draft.join_for(event.table) if event.table else None
        joinable = [event.table] if event.table else list(self.draft.secondary)
        if not joinable:
            self.notify("Only joined tables need a join: add one with space first.")
            return
        schemas = {
            t: [(c.name, c.type) for c in cols]
            for t, cols in self.columns_step.schemas.items()
            if t in self.draft.tables
        }

        def done(result: JoinDraft | None) -> None:
            if result is not None:
                self.tables_step.set_join(result)

        self.app.push_screen(
            JoinScreen(
                join=join, tables=self.draft.tables, joinable=joinable, schemas=schemas, suggestions=self.suggestions
            ),
            callback=done,
        )

    # -- step 3: statistics, samples, suggestions -----------------------------------------------

    @on(ColumnsStep.Wanted)
    def _wanted(self, event: ColumnsStep.Wanted) -> None:
        dataset = self.draft.dataset
        if event.what == "stats" and event.table:
            self._load_stats(self.ctx, event.table, dataset, event.columns)
        elif event.what == "samples" and event.key:
            self._load_samples(self.ctx, event.key, dataset)
        elif event.what == "params" and event.key:
            self._load_params(self.ctx, event.key[0], event.key[1], dataset)
        elif event.what == "suggest":
            if self._suggest_hold is None:
                # Keys typed after `s` (`s ctrl+n`) wait for the roles it applies, as
                # the user expects them applied first; at most KEY_WAIT_LIMIT_S.
                self._suggest_hold = hold_keys(self.app, self)
            self._suggest_roles(self.ctx, list(self.draft.tables), self.draft.primary, dataset)

    @warehouse_work("load statistics", group="wizard-stats", exclusive=False)
    def _load_stats(self, ctx: Any, table: str, dataset: str, columns: list[str] | None = None) -> None:
        from dataset_tui.services.errors import Declined
        from dataset_tui.tui.screens.cost import ask_cost_from_worker
        from dataset_tui.tui.wizard import calls

        threshold = ctx.profile.confirm_bytes

        def confirm(dry: Any) -> bool:
            return ask_cost_from_worker(self.app, f"Statistics of {table}", dry, threshold)

        try:
            view = calls.table_stats(ctx, table, confirm, dataset, columns)
        except Exception as exc:
            state = "declined" if isinstance(exc, Declined) else _message(exc)
            self.post_message(msg.StatsLoaded(table, None, state))
            raise
        self.post_message(msg.StatsLoaded(table, view))

    @on(msg.StatsLoaded)
    def _stats_loaded(self, event: msg.StatsLoaded) -> None:
        self.columns_step.set_stats(event.table, event.view, event.state)

    @warehouse_work("load sample values", group="wizard-samples")
    def _load_samples(self, ctx: Any, key: tuple[str, str], dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.SamplesLoaded(key, calls.samples(ctx, key[0], key[1], dataset)))

    @warehouse_work("list the keys", group="wizard-params")
    def _load_params(self, ctx: Any, table: str, column: str, dataset: str) -> None:
        from dataset_tui.tui.screens.cost import ask_cost_from_worker
        from dataset_tui.tui.wizard import calls

        def confirm(dry: Any) -> bool:
            return ask_cost_from_worker(self.app, f"Keys of {table}.{column}", dry, ctx.profile.confirm_bytes)

        self.post_message(msg.ParamsLoaded(table, column, calls.param_keys(ctx, table, column, dataset, confirm)))

    @on(msg.ParamsLoaded)
    def _params_loaded(self, event: msg.ParamsLoaded) -> None:
        self.columns_step.set_params(event.table, event.column, event.params)

    @on(msg.SamplesLoaded)
    def _samples_loaded(self, event: msg.SamplesLoaded) -> None:
        self.columns_step.set_samples(event.key, event.values)

    # -- step 4: the row filter's values ---------------------------------------------------

    @on(FiltersStep.ValuesWanted)
    def _filter_values_wanted(self, event: FiltersStep.ValuesWanted) -> None:
        self._load_filter_values(self.ctx, event.table, event.column, self.draft.dataset)

    @warehouse_work("load sample values", group="wizard-filter-values")
    def _load_filter_values(self, ctx: Any, table: str, column: str, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.FilterValuesLoaded(table, column, calls.samples(ctx, table, column, dataset)))

    @on(msg.FilterValuesLoaded)
    def _filter_values_loaded(self, event: msg.FilterValuesLoaded) -> None:
        self.filters_step.set_values(event.table, event.column, event.values)

    @warehouse_work("suggest roles", group="wizard-suggest")
    def _suggest_roles(self, ctx: Any, tables: list[str], primary: str | None, dataset: str) -> None:
        from dataset_tui.tui.wizard import calls

        try:
            roles = calls.suggest(ctx, tables, primary, dataset).roles
        except Exception:
            self.post_message(msg.RolesSuggested(None))  # the keys typed after `s` go on
            raise
        self.post_message(msg.RolesSuggested(roles))

    @on(msg.RolesSuggested)
    def _roles_suggested(self, event: msg.RolesSuggested) -> None:
        self._suggested = event.roles
        self._apply_suggested()

    def _apply_suggested(self) -> None:
        """Apply the roles `s` found once their tables' columns are in the draft, then let the keys go on."""
        roles = self._suggested
        if roles is not None and any(table in self.schema_loading for table, _ in roles.values()):
            return  # a schema still loading (a loaded host): applied when it is filed (_schemas_done)
        self._suggested = None
        if roles is not None:
            self.columns_step.apply_roles(roles)
        hold, self._suggest_hold = self._suggest_hold, None
        release_keys(self.app, hold)

    # -- step 4: the live summary ------------------------------------------------------------------

    @on(FiltersStep.Changed)
    def _filters_changed(self) -> None:
        self._update_title()
        self._schedule_summary()

    def _schedule_summary(self, *, now: bool = False) -> None:
        """Recompute step 4's summary and field problems after a pause in typing (never while on other steps)."""
        if self._summary_timer is not None:
            self._summary_timer.stop()
        if self.step != 4:
            return
        if now:
            # Once the step has painted: the summary's worker (sqlglot, pure Python)
            # shares the interpreter lock with the event loop, and started at once it
            # stretched the paint of the step change by its own time.
            self._summary_timer = None
            self.call_after_refresh(self._summary_after_paint)
            return
        self._summary_timer = self.set_timer(SUMMARY_DELAY_S, self._start_summary)

    def _summary_after_paint(self) -> None:
        if self.step == 4 and self._summary_timer is None:  # not left, nor rescheduled meanwhile
            self._summary_timer = self.set_timer(0.01, self._start_summary)

    def _start_summary(self) -> None:
        definition, problems = self.draft.build(4)
        # Step 4's problems appear beside their fields, within this one
        # debounce of the key that caused them; the summary lists only what
        # other steps still miss, so no problem is said twice.
        self.filters_step.show_problems([p for p in problems if step_of(p.path) == 4])
        if definition is None:
            elsewhere = [p for p in problems if step_of(p.path) != 4]
            lines = "\n".join(f"• {escape(p.message)}" for p in elsewhere[:4])
            wide = self.filters_step.has_class("-wide")
            here = "see the fields marked on the left" if wide else "see the fields marked above"
            text = "[yellow]Not complete yet:[/yellow]" + (f"\n{lines}" if lines else f" {here}")
            self.filters_step.show_summary(text)
            return
        primary = self.table_infos.get(self.draft.primary or "")
        rows = primary.rows if primary is not None else None
        self._summarize(definition, self.cached, rows, self.ctx.warehouse_project())

    @warehouse_work("generate the SQL", group="wizard-summary")
    def _summarize(self, definition: Definition, cached: Any, primary_rows: int | None, project: str | None) -> None:
        from dataset_tui.domain import clock
        from dataset_tui.domain.sqlgen import SqlGenError, generate_sql
        from dataset_tui.tui.wizard.summary import estimate_text

        try:
            sql = generate_sql(definition, "full", project=project, label="wizard draft")
        except SqlGenError as exc:
            sql = "-- " + str(exc).replace("\n", "\n-- ")
        self.post_message(msg.SummaryReady(estimate_text(definition, cached, primary_rows, clock.today()), sql))

    @on(msg.SummaryReady)
    def _summary_ready(self, event: msg.SummaryReady) -> None:
        self.filters_step.show_summary(event.estimate, event.sql)

    def _load_cached(self, name: str) -> None:
        self._fetch_cached(self.ctx, name)

    @warehouse_work("read the last analysis", group="wizard-cached")
    def _fetch_cached(self, ctx: Any, name: str) -> None:
        from dataset_tui.tui.wizard import calls

        self.post_message(msg.CachedLoaded(calls.cached_counts(ctx, name)))

    @on(msg.CachedLoaded)
    def _cached_loaded(self, event: msg.CachedLoaded) -> None:
        self.cached = event.cached
        self._schedule_summary()


def _message(exc: BaseException) -> str:
    from dataset_tui.services.errors import user_message

    return user_message(exc) or f"{type(exc).__name__}: {exc}"

"""The dataset wizard, driven with keys only (Pilot) on a small DuckDB demo warehouse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain.definition import parse_definition
from dataset_tui.services.context import AppContext
from example_definition import shop_dict
from tui_support import (  # noqa: F401 - fixtures
    TODAY,
    edit_at_step,
    fixed_clock,
    open_wizard,
    press,
    recording_app,
    save_definition,
    settle,
    text_of,
    until,
    wizard,
    wizard_warehouse,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def ctx(open_context: Any, wizard_warehouse: Path, tmp_path: Path) -> AppContext:
    # The store at tmp_path/store: a test opens a second session on it.
    context: AppContext = open_context(wizard_warehouse, tmp_path / "store")
    return context


BASE = shop_dict(
    "purchases", typed=True, filters={"min_transactions": 2}, split={"type": "time", "eval_days": 30}
)


# -- the whole way, keys only ------------------------------------------------------------------


EXPECTED = {
    "format": "dataset-tui/1",
    "name": "purchases_6m",
    "model": "default",
    "description": "Six months of purchases",
    "source": {
        "dataset": "raw_data",
        "primary": "transactions",
        "joins": [
            {
                "table": "products",
                "type": "inner",
                "on": [{"left": "transactions.product_id", "right": "products.product_id"}],
            }
        ],
    },
    "columns": [
        {"table": "transactions", "name": "customer_id", "role": "user_id", "type": "STRING"},
        {"table": "transactions", "name": "product_id", "role": "product_id", "type": "STRING"},
        {"table": "transactions", "name": "ts", "role": "timestamp", "type": "TIMESTAMP"},
        {"table": "transactions", "name": "amount", "role": "revenue", "type": "NUMERIC"},
        {"table": "products", "name": "category", "alias": "product_category", "type": "STRING"},
    ],
    "filters": {"date_range": {"type": "rolling", "months": 6}, "top_products_percent": 80, "min_transactions": 2},
    "split": {"type": "random", "train_percent": 80},
}


async def test_create_a_complete_dataset_with_keys_only(ctx: Any, tmp_path: Path) -> None:
    from dataset_tui.services import definitions, exports

    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        results = await open_wizard(pilot)
        # 1 Basic: name, then tab to the description.
        await press(pilot, *"purchases_6m", "tab", *"Six months of purchases", "ctrl+n")
        assert wizard(pilot).step == 2
        # 2 Tables (alphabetical: customers, products, returns, transactions):
        # transactions is the primary, products joined; the join is detected.
        await press(pilot, "down", "down", "down", "enter", "up", "up", "space")
        screen = wizard(pilot)
        join = screen.draft.join_for("products")
        assert join is not None and join.confidence == "high"
        # Make it an inner join from the join list.
        await pilot.press("tab", "t")
        await press(pilot, "ctrl+n")
        assert screen.step == 3
        # 3 Columns: suggested roles, then products.category under an alias.
        await press(pilot, "s")
        await press(pilot, "end", "up", "up", "space", "a", *"product_category", "enter")
        await press(pilot, "ctrl+n")
        assert screen.step == 4
        # 4 Filters & split: rolling 6 months, top 80%, ≥ 2 transactions, random split.
        await pilot.press("enter", "down", "enter")  # date range: rolling (months default 6)
        await pilot.press("tab", "tab", *"80", "tab", "2", "tab")
        await pilot.press("enter", "down", "down", "enter")  # split: random (train 80%)
        await until(pilot, lambda: "Train" in text_of(screen, "#estimate"), "the summary")
        summary = text_of(screen, "#estimate")
        assert "≤ 5,000" in summary and "Train   ≈ 80%" in summary
        await press(pilot, "ctrl+s")
        assert results == ["purchases_6m"]
        assert app.screen is not screen

    head, version = definitions.resolve(ctx.store, "default", "purchases_6m")
    assert head.revision == 1
    assert version.definition.to_dict() == EXPECTED

    # The exported SQL runs on the warehouse and returns rows; train and eval split them.
    result = exports.export_dataset(ctx.store, "default", "purchases_6m", folder=tmp_path / "out", as_of=TODAY)
    rows = {}
    for path in result.paths:
        sql = path.read_text(encoding="utf-8")
        answer = ctx.warehouse().query(sql)
        rows[path.stem.rsplit("_", 1)[-1]] = len(answer.rows)
        assert answer.columns == ("user_id", "product_id", "timestamp", "revenue", "product_category")
    assert rows["full"] > 0
    assert rows["train"] > 0 and rows["eval"] > 0
    assert rows["train"] + rows["eval"] == rows["full"]  # no NULL user survives min_transactions


# -- step 1 -------------------------------------------------------------------------------


async def test_step1_needs_a_valid_name(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        await press(pilot, "ctrl+n")
        screen = wizard(pilot)
        assert screen.step == 1
        assert "needs a name" in text_of(screen, "#name-status")
        await press(pilot, *"9lives")
        assert "a letter first" in text_of(screen, "#name-status")
        await press(pilot, "ctrl+n")
        assert screen.step == 1
        assert "a letter first" in text_of(screen, "#name-status")


async def test_a_taken_name_is_refused_beside_the_field(ctx: Any) -> None:
    save_definition(ctx, {**BASE, "name": "taken"})
    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        await pilot.press(*"TAKEN")
        await until(pilot, lambda: "taken" in text_of(wizard(pilot), "#name-status"), "the live name check")
        screen = wizard(pilot)
        assert "TAKEN is taken" in text_of(screen, "#name-status")
        await press(pilot, "ctrl+n")
        assert screen.step == 1
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", *"fresh")
        await until(pilot, lambda: "available" in text_of(screen, "#name-status"), "the live name check")
        assert "fresh is available" in text_of(screen, "#name-status")
        await press(pilot, "ctrl+n")
        assert screen.step == 2


# -- step 2 -------------------------------------------------------------------------------


async def test_step2_needs_a_primary_and_a_join_for_each_table(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        await press(pilot, *"joins_test", "ctrl+n")
        screen = wizard(pilot)
        assert screen.step == 2
        await press(pilot, "ctrl+n")
        assert screen.step == 2
        assert "choose the primary table" in text_of(screen, "#tables-problem")
        # customers (primary) and products: nothing joins them.
        await press(pilot, "enter", "down", "space")
        assert screen.draft.join_for("products") is None
        await press(pilot, "ctrl+n")
        assert screen.step == 2
        assert "products has no join" in text_of(screen, "#joins-problem")
        # Unselect products again: the step passes.
        await press(pilot, "space", "ctrl+n")
        assert screen.step == 3


async def test_a_join_removed_and_added_back_by_hand(ctx: Any) -> None:
    from dataset_tui.tui.wizard.join_dialog import JoinScreen

    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        await press(pilot, *"returns_join", "ctrl+n")
        # transactions primary, returns joined (detected on transaction_id).
        await press(pilot, "down", "down", "down", "enter", "up", "space")
        screen = wizard(pilot)
        join = screen.draft.join_for("returns")
        assert join is not None
        assert join.on == [("transactions.transaction_id", "returns.transaction_id")]
        await press(pilot, "tab", "x")
        assert screen.draft.join_for("returns") is None
        await press(pilot, "ctrl+n")
        assert "returns has no join" in text_of(screen, "#joins-problem")
        # a: add by hand; the detected candidate is offered first (enter takes it).
        await press(pilot, "a")
        assert isinstance(app.screen, JoinScreen)
        await press(pilot, "enter", "ctrl+s")
        join = screen.draft.join_for("returns")
        assert join is not None and join.on == [("transactions.transaction_id", "returns.transaction_id")]
        await press(pilot, "ctrl+n")
        assert screen.step == 3


# -- step 3 -------------------------------------------------------------------------------


async def goto_columns(pilot: Any, name: str) -> Any:
    await press(pilot, *name, "ctrl+n")
    await press(pilot, "down", "down", "down", "enter", "ctrl+n")  # transactions alone
    screen = wizard(pilot)
    assert screen.step == 3
    return screen


async def test_step3_needs_columns_and_roles_that_fit(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_wizard(pilot)
        screen = await goto_columns(pilot, "columns_test")
        await press(pilot, "ctrl+n")
        assert screen.step == 3
        assert "choose at least one column" in text_of(screen, "#columns-problem")
        # transaction_id is a STRING: the timestamp role does not fit it (r cycles
        # none → user_id → product_id → timestamp).
        await pilot.press("r", "r", "r")
        col = screen.draft.columns[("transactions", "transaction_id")]
        assert col.selected and col.role == "timestamp"
        await press(pilot, "ctrl+n")
        assert screen.step == 3
        problem = text_of(screen, "#columns-problem")
        assert "transactions.transaction_id" in problem and "TIMESTAMP or DATETIME or DATE" in problem
        # r twice more: revenue (no better for a STRING), then no role.
        await pilot.press("r", "r")
        assert col.selected and col.role is None
        # Two columns whose output name is the same.
        await pilot.press("down", "r", "down", "space", "a", *"user_id", "enter")
        await press(pilot, "ctrl+n")
        assert screen.step == 3
        assert "already used by transactions.customer_id" in text_of(screen, "#columns-problem")
        # A different alias fixes it.
        await press(pilot, "a", "ctrl+u", *"product", "enter", "ctrl+n")
        assert screen.step == 4


async def test_statistics_and_samples_of_the_highlighted_column(ctx: Any, wizard_warehouse: Path) -> None:
    import duckdb

    con = duckdb.connect(str(wizard_warehouse), read_only=True)
    try:
        total, nulls, distinct = con.execute(
            "SELECT COUNT(*), COUNT(*) - COUNT(customer_id), COUNT(DISTINCT customer_id) FROM raw_data.transactions"
        ).fetchone()
        customers = {r[0] for r in con.execute("SELECT DISTINCT customer_id FROM raw_data.transactions").fetchall()}
    finally:
        con.close()
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = await goto_columns(pilot, "stats_test")
        await settle(pilot)
        await press(pilot, "down")  # customer_id
        body = text_of(screen, "#stats-body")
        assert f"rows      {total:,}" in body
        assert f"nulls     {nulls:,}" in body
        assert f"distinct  {distinct:,}" in body
        await press(pilot, "v")
        samples = screen.columns_step.samples[("transactions", "customer_id")]
        assert samples and set(samples) <= customers
        assert "samples" in text_of(screen, "#stats-samples")
        # A number gets a sparkline of its histogram.
        await press(pilot, "down", "down", "down")  # amount
        from textual.widgets import Sparkline

        spark = screen.query_one("#stats-spark", Sparkline)
        assert spark.display and spark.data and sum(spark.data) == total - int(
            screen.columns_step.stats["transactions"].columns["amount"].null_count
        )
    # The statistics are cached in the store per table: a second wizard needs no query.
    from dataset_tui.services import table_stats

    again = table_stats.table_stats(ctx, "transactions")
    assert again.cached is True


# -- step 4 -------------------------------------------------------------------------------


async def test_step4_problems_are_shown_beside_their_fields(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = await goto_columns(pilot, "filters_test")
        # customer_id as user_id only: no timestamp role.
        await press(pilot, "down", "r", "ctrl+n")
        assert screen.step == 4
        # A date range needs the timestamp role.
        await press(pilot, "enter", "down", "enter", "ctrl+n")
        assert "needs a column with the 'timestamp' role" in text_of(screen, "#date-mode-problem")
        # Back to step 3, give ts the timestamp role, then a fixed range ending before it starts.
        await press(pilot, "ctrl+o")
        await pilot.press("down", "down", "r", "r", "r")
        assert screen.draft.columns[("transactions", "ts")].role == "timestamp"
        await press(pilot, "ctrl+n")
        await pilot.press("enter", "down", "enter")  # fixed
        await pilot.press("tab", *"2025-03-01", "tab", *"2025-02-01")
        await press(pilot, "ctrl+s")
        assert screen.step == 4
        assert "is after end" in text_of(screen, "#start-problem")
        # The first field with a problem has the focus: a real range, then a
        # time split as long as the range.
        assert app.focused is screen.query_one("#start")
        await pilot.press("ctrl+u", *"2025-01-01")
        await pilot.press("tab", "tab", "tab", "tab", "enter", "down", "enter")  # split: time
        await press(pilot, "tab", "ctrl+u", *"400", "ctrl+s")
        assert "must be shorter than the fixed date range" in text_of(screen, "#eval-days-problem")
        assert wizard(pilot) is screen  # nothing saved
        await press(pilot, "ctrl+u", "7", "ctrl+s")
        assert app.screen is not screen
    from dataset_tui.services import definitions

    _, version = definitions.resolve(ctx.store, "default", "filters_test")
    assert version.definition.to_dict()["split"] == {"type": "time", "eval_days": 7}
    assert version.definition.to_dict()["filters"]["date_range"] == {
        "type": "fixed",
        "start": "2025-01-01",
        "end": "2025-02-01",
    }


# -- leaving --------------------------------------------------------------------------------


async def test_escape_without_changes_just_leaves(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        results = await open_wizard(pilot)
        await press(pilot, "escape")
        assert results == [None]


async def test_escape_with_changes_asks_first(ctx: Any) -> None:
    from dataset_tui.tui.screens.confirm import ConfirmScreen

    app = recording_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        results = await open_wizard(pilot)
        await press(pilot, *"half_done", "escape")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")  # keep editing
        assert wizard(pilot).draft.name == "half_done" and results == []
        await press(pilot, "escape")
        await press(pilot, "y")
        assert results == [None]
    assert ctx.store.name_available("default", "half_done")


# -- edit, clone, conflicts -------------------------------------------------------------------


async def test_edit_opens_on_the_definition_and_saves_a_version(ctx: Any) -> None:
    from dataset_tui.services import definitions

    saved = save_definition(ctx, BASE)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        results = await open_wizard(pilot, saved.version.definition, base_revision=1)
        screen = wizard(pilot)
        from textual.widgets import Input

        assert screen.query_one("#name", Input).disabled  # the name is kept on edit
        # Untouched: escape leaves without asking.
        assert not screen.changed
        # Step by step to 4, then change the minimum transactions.
        for _ in range(3):
            await press(pilot, "ctrl+n")
        assert screen.step == 4
        assert screen.query_one("#min-tx", Input).value == "2"
        screen.query_one("#min-tx", Input).focus()
        await press(pilot, "ctrl+u", "5", "ctrl+s")
        assert results == ["purchases"]
    head, version = definitions.resolve(ctx.store, "default", "purchases")
    assert head.revision == 2
    assert version.definition.filters.min_transactions == 5
    assert version.definition.columns == saved.version.definition.columns


async def test_a_conflicting_save_offers_reload(ctx: Any, tmp_path: Path, wizard_warehouse: Path) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.tui.wizard.conflict_dialog import ConflictScreen

    saved = save_definition(ctx, BASE)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        results = await open_wizard(pilot, saved.version.definition, base_revision=1)
        screen = wizard(pilot)
        # Another session saves v2 meanwhile.
        other = AppContext.open(db=tmp_path / "store", warehouse=wizard_warehouse)
        try:
            save_definition(
                other, {**BASE, "filters": {"min_transactions": 3}}, base_revision=1, mode="update"
            )
        finally:
            other.close()
        screen.draft.min_transactions = "9"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictScreen)
        await press(pilot, "r")
        assert app.screen is screen
        assert screen.base_revision == 2
        assert screen.draft.min_transactions == "3"  # the other session's version
        screen.draft.min_transactions = "9"
        await press(pilot, "ctrl+s")
        assert results == ["purchases"]
    head, version = definitions.resolve(ctx.store, "default", "purchases")
    assert head.revision == 3
    assert version.definition.filters.min_transactions == 9


async def test_a_conflicting_save_can_become_a_new_dataset(ctx: Any, tmp_path: Path, wizard_warehouse: Path) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.tui.screens.confirm import NameScreen

    saved = save_definition(ctx, BASE)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        results = await open_wizard(pilot, saved.version.definition, base_revision=1)
        screen = wizard(pilot)
        save_definition(ctx, {**BASE, "description": "changed elsewhere"}, base_revision=1, mode="update")
        screen.draft.min_transactions = "4"
        await press(pilot, "ctrl+s")
        await press(pilot, "n")
        assert isinstance(app.screen, NameScreen)
        await press(pilot, "enter")  # the proposed name: purchases_mine
        assert results == ["purchases_mine"]
    head, version = definitions.resolve(ctx.store, "default", "purchases")
    assert head.revision == 2 and version.definition.filters.min_transactions == 2
    _, mine = definitions.resolve(ctx.store, "default", "purchases_mine")
    assert mine.definition.filters.min_transactions == 4
    assert json.dumps(mine.definition.to_dict()["columns"]) == json.dumps(BASE["columns"])


async def test_clone_and_edit_creates_a_new_dataset(ctx: Any) -> None:
    from dataset_tui.services import definitions

    saved = save_definition(ctx, BASE)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        results = await open_wizard(pilot, saved.version.definition, clone_of="purchases")
        screen = wizard(pilot)
        from textual.widgets import Input

        assert screen.query_one("#name", Input).value == "purchases_copy"
        assert not screen.query_one("#name", Input).disabled
        await until(pilot, lambda: screen.basic.name_state().checked, "the name check")
        await press(pilot, "ctrl+s")
        assert results == ["purchases_copy"]
    _, copy = definitions.resolve(ctx.store, "default", "purchases_copy")
    original = parse_definition(BASE).to_dict()
    assert {k: v for k, v in copy.definition.to_dict().items() if k != "name"} == {
        k: v for k, v in original.items() if k != "name"
    }


async def test_the_live_summary_uses_the_cached_analysis(ctx: Any) -> None:
    import re

    from textual.widgets import Input

    from dataset_tui.services import runs

    saved = save_definition(ctx, BASE)
    analysis = runs.analyze(ctx, "purchases")
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await edit_at_step(pilot, saved.version.definition, 4)
        await until(pilot, lambda: "measured" in text_of(screen, "#estimate"), "the summary")
        summary = text_of(screen, "#estimate")
        counts = analysis.counts
        # Unchanged since the analysis: its numbers, as measured.
        assert "measured by the analysis of v1" in summary
        assert f"Train   {counts.train_rows:,}   Eval {counts.eval_rows:,}" in summary
        # A shorter eval window: estimated from the analysis' daily counts.
        screen.query_one("#eval-days", Input).focus()
        await pilot.press("ctrl+u", "7")
        await until(pilot, lambda: "before your changes" in text_of(screen, "#estimate"), "the summary")
        summary = text_of(screen, "#estimate")
        assert "before your changes" in summary and "from daily row counts" in summary
        found = re.search(r"Train   ≈ ([\d,]+)   Eval ≈ ([\d,]+)", summary)
        assert found is not None, summary
        train, eval_ = (int(n.replace(",", "")) for n in found.groups())
        assert train + eval_ == counts.rows
        assert counts.eval_rows is not None and eval_ < counts.eval_rows  # 8 days instead of 31


# -- the draft the steps edit (no app) -------------------------------------------------------


def test_an_untouched_draft_gives_back_the_definition_it_came_from() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    data = {
        **BASE,
        "description": "two lines\nof text",
        "source": {
            "dataset": "raw_data",
            "primary": "transactions",
            "joins": [
                {"table": "customers", "type": "inner",
                 "on": [{"left": "transactions.customer_id", "right": "customers.customer_id"}]},
                {"table": "products", "type": "left",
                 "on": [{"left": "transactions.product_id", "right": "products.product_id"}]},
            ],
        },
        "columns": [*BASE["columns"], {"table": "customers", "name": "country", "alias": "user_country"}],
        "filters": {"date_range": {"type": "fixed", "start": "2025-01-01", "end": "2025-03-31"},
                    "top_products_percent": 90, "min_transactions": 3},
        "split": {"type": "random", "train_percent": 70, "key": "product_id"},
    }
    definition = parse_definition(data)
    rebuilt, problems = WizardDraft.from_definition(definition).build()
    assert problems == []
    assert rebuilt is not None and rebuilt.to_dict() == definition.to_dict()


def test_joins_are_ordered_so_each_refers_to_tables_already_joined() -> None:
    from dataset_tui.tui.wizard.draft import JoinDraft, WizardDraft

    draft = WizardDraft(name="x", primary="transactions")
    # returns is chosen first but joins through customers, chosen after it.
    draft.toggle_secondary("returns")
    draft.toggle_secondary("customers")
    draft.set_join(JoinDraft("returns", "left", [("customers.customer_id", "returns.customer_id")]))
    draft.set_join(JoinDraft("customers", "left", [("transactions.customer_id", "customers.customer_id")]))
    assert [j.table for j in draft.ordered_joins()] == ["customers", "returns"]
    draft.add_schema("transactions", [("customer_id", "STRING")])
    draft.select_column(("transactions", "customer_id"), True)
    definition, problems = draft.build()
    assert problems == [] and definition is not None
    assert [j.table for j in definition.source.joins] == ["customers", "returns"]


def test_a_role_moves_to_the_column_that_takes_it() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft(name="x", primary="t")
    draft.add_schema("t", [("a", "STRING"), ("b", "STRING")])
    assert draft.set_role(("t", "a"), "user_id") is None
    assert draft.set_role(("t", "b"), "user_id") == "t.a"
    assert draft.columns[("t", "a")].role is None and draft.columns[("t", "a")].selected
    assert [c.name for c in draft.selected_columns()] == ["a", "b"]
    draft.select_column(("t", "b"), False)  # unselecting drops the role too
    assert draft.role_columns() == {}


def test_numbers_that_are_not_numbers_are_problems_at_their_field() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft(name="x", primary="t", date_mode="rolling", months="", split_mode="random", train_percent="x")
    draft.add_schema("t", [("ts", "TIMESTAMP"), ("u", "STRING")])
    draft.set_role(("t", "ts"), "timestamp")
    draft.set_role(("t", "u"), "user_id")
    definition, problems = draft.build()
    assert definition is None
    paths = {p.path: p.message for p in problems}
    assert "how many months" in paths["filters.date_range.months"]
    assert "whole number" in paths["split.train_percent"]


def test_the_summary_is_measured_only_for_the_analysed_definition() -> None:
    from rich.text import Text

    from dataset_tui.domain.analysis import AnalysisCounts, DailyCount
    from dataset_tui.tui.wizard import summary as wizard_summary

    def estimate_text(*args: Any) -> str:
        return Text.from_markup(wizard_summary.estimate_text(*args)).plain

    definition = parse_definition(BASE)  # time split: the last 30 days (+ today) are eval
    days = [DailyCount(TODAY - dt.timedelta(days=n), 10) for n in range(100)]
    counts = AnalysisCounts(1000, 50, 20, days[-1].day, TODAY, 690, 310, 0, per_day=tuple(days))
    measured = estimate_text(definition, (counts, definition.content_hash(), 2), 5000, TODAY)
    assert "Train   690   Eval 310" in measured and "v2" in measured
    shorter = definition.replace(split={"type": "time", "eval_days": 9})
    estimated = estimate_text(shorter, (counts, definition.content_hash(), 2), 5000, TODAY)
    # 10 eval days (9 + today) of 10 rows each, the other 90 days in train.
    assert "Train   ≈ 900   Eval ≈ 100" in estimated and "before your changes" in estimated
    # Without an analysis and without a date range not even the share is known.
    unknown = estimate_text(shorter, None, 5000, TODAY)
    assert "≤ 5,000" in unknown and "depends on how far back" in unknown and "900" not in unknown


async def test_edit_browses_the_definitions_own_dataset(tmp_path: Path) -> None:
    """A definition over another dataset (schema) than the profile's: the wizard reads that one."""
    import duckdb

    wh = tmp_path / "two_datasets.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("CREATE TABLE raw_data.unrelated (x BIGINT)")
    con.execute("CREATE SCHEMA clickstream")
    con.execute(
        "CREATE TABLE clickstream.events AS SELECT 'u' || (i % 7) AS visitor_id, "
        "TIMESTAMPTZ '2025-06-01 00:00:00+00' + i * INTERVAL 1 HOUR AS event_ts FROM range(50) t(i)"
    )
    con.close()
    context = AppContext.open(db=tmp_path / "store", warehouse=wh)
    data = {
        "format": "dataset-tui/1",
        "name": "clicks",
        "source": {"dataset": "clickstream", "primary": "events"},
        "columns": [
            {"table": "events", "name": "visitor_id", "role": "user_id"},
            {"table": "events", "name": "event_ts", "role": "timestamp"},
        ],
    }
    saved = save_definition(context, data)
    app = recording_app(context)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot, saved.version.definition, base_revision=1)
        screen = wizard(pilot)
        await press(pilot, "ctrl+n")
        assert [entry.name for entry in screen.tables_step.entries] == ["events"]
        await press(pilot, "ctrl+n")
        assert screen.step == 3  # the columns of clickstream.events loaded; no error
        assert pilot.app.failures == []
    context.close()

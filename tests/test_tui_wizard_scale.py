"""The wizard on real-sized warehouses (Pilot, keys only): 5,000 tables, 2,000 columns.

The table step opens on the names (a 1,100-shard family folded into one
`events_*` entry), fills details for the rows on screen only, searches and
navigates; the column step opens a 2,000-column table, filters it by name and
computes statistics for the selected columns only. The longest event-loop
stall is measured as bench/startup.py measures it (gaps between 10 ms ticks)
and printed, never asserted: speed belongs to bench/scale.py.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dataset_tui.services.context import AppContext
from tui_support import open_wizard, press, recording_app, settle, wizard

PLAIN, SHARDS, WIDE = 3900, 1100, 2000
FIRST_SHARD = dt.date(2023, 12, 1)


@pytest.fixture(scope="module")
def many_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "tables.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    con.execute("BEGIN")
    for i in range(PLAIN):
        con.execute(
            f"CREATE TABLE raw_data.t{i:05d} AS SELECT range AS id, 'u' || range AS user_id FROM range({i % 5 + 1})"
        )
    for i in range(SHARDS):
        suffix = (FIRST_SHARD + dt.timedelta(days=i)).strftime("%Y%m%d")
        con.execute(
            f"CREATE TABLE raw_data.events_{suffix} AS SELECT 'u' || range AS user_pseudo_id, "
            f"{i} * 86400000000 + range AS event_timestamp, 'purchase' AS event_name FROM range(2)"
        )
    con.execute("COMMIT")
    con.close()
    return path


def wide_warehouse(tmp_path_factory: pytest.TempPathFactory, table: str, columns: int, rows: int) -> Path:
    """A warehouse whose one table has `columns` columns: id, user_id, then c00000, c00001, …"""
    path = tmp_path_factory.mktemp("scale") / f"{table}.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA raw_data")
    parts = ["range AS id", "'u' || (range % 10) AS user_id"]
    parts += [f"(range * {i % 7 + 1}) % 100 AS c{i:05d}" for i in range(columns - 2)]
    con.execute(f"CREATE TABLE raw_data.{table} AS SELECT {', '.join(parts)} FROM range({rows})")
    con.close()
    return path


@pytest.fixture(scope="module")
def wide_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wide_warehouse(tmp_path_factory, "wide", WIDE, rows=50)


class Stalls:
    """The longest gap between 10 ms ticks of the event loop, per phase."""

    def __init__(self, app: Any) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = app.set_interval(0.01, self._tick)
        self.figures: dict[str, float] = {}

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def phase(self, name: str) -> None:
        self.figures[name] = max(self.gaps, default=0.0)
        self.gaps.clear()

    def report(self, what: str) -> None:
        self.timer.stop()
        shown = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in self.figures.items())
        print(f"\n{what}: longest event-loop stall per phase (target under 50 ms): {shown}")


async def test_the_table_step_opens_5000_tables_on_names_and_fills_what_is_shown(
    many_tables: Path, tmp_path: Path
) -> None:
    ctx = AppContext.open(db=tmp_path / "store", warehouse=many_tables)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        await press(pilot, *"scale_check")
        stalls = Stalls(app)
        await press(pilot, "ctrl+n")
        stalls.phase("open")
        step = screen.tables_step
        picker = step.picker
        assert screen.step == 2
        # Names first: 3,900 tables and one entry for the 1,100 shards.
        assert len(picker.entries) == PLAIN + 1
        family = step.catalog.entry("events_*")
        assert family is not None and family.shards is not None
        assert (family.shards.count, family.shards.first) == (SHARDS, FIRST_SHARD)
        # Details only for what is on screen (a page of 40 lines), not for 3,901 entries.
        shown = {e.name for e in picker.entries[: picker.size.height]}
        assert shown <= set(picker.details) and len(picker.details) < 3 * picker.size.height
        assert picker.details["events_*"].columns == 3
        # The end of the list: its page is filled when it shows.
        await press(pilot, "end")
        stalls.phase("end")
        assert picker.current_table() == "t03899"
        assert picker.details["t03899"].rows == 3899 % 5 + 1
        assert len(picker.details) < 4 * picker.size.height
        # Search narrows the names; enter goes back to the list, enter again picks.
        await press(pilot, "/", *"t0389", "enter")
        stalls.phase("search")
        assert [e.name for e in picker.entries] == [f"t0389{i}" for i in range(10)]
        assert picker.current_table() == "t03899"  # the cursor stays on its table
        await press(pilot, "home", "down", "enter")
        assert screen.draft.primary == "t03891"
        # The family is chosen like a table.
        await pilot.press("/", *["backspace"] * 5, *"events", "enter", "enter")
        assert [e.name for e in picker.entries] == ["events_*"]
        await settle(pilot)
        assert screen.draft.primary == "events_*" and screen.draft.secondary == ["t03891"]
        stalls.phase("pick")
        stalls.report("5,000 tables")
        assert app.failures == []
    ctx.close()


async def test_the_column_step_opens_2000_columns_and_computes_only_the_selected(
    wide_table: Path, tmp_path: Path
) -> None:
    ctx = AppContext.open(db=tmp_path / "store", warehouse=wide_table)
    app = recording_app(ctx)
    queries: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await open_wizard(pilot)
        screen = wizard(pilot)
        await press(pilot, *"wide_check", "ctrl+n")
        await press(pilot, "enter")  # the only table: primary
        warehouse = ctx.warehouse()
        original = warehouse.column_stats

        def recording(dataset: str, table: str, columns: list[str] | None = None) -> Any:
            queries.append(f"{table}:{columns}")
            return original(dataset, table, columns)

        warehouse.column_stats = recording
        stalls = Stalls(app)
        await press(pilot, "ctrl+n")
        stalls.phase("open")
        assert screen.step == 3
        picker = screen.columns_step.picker
        assert len(picker._column_rows()) == WIDE
        # A wide table computes nothing on a glance.
        assert queries == [] and screen.columns_step.stats == {}
        # Select two columns, then ask: one query for them and the highlighted one.
        await press(pilot, "down", "space", "down", "space", "down", "i")
        stalls.phase("stats")
        assert queries == ["wide:['user_id', 'c00000', 'c00001']"]
        assert set(screen.columns_step.stats["wide"].columns) == {"user_id", "c00000", "c00001"}
        # Filter by name, move, select.
        await press(pilot, "/", *"c0199", "enter")
        stalls.phase("search")
        assert [r[1][1] for r in picker.rows if r[0] == "column"] == [f"c0199{i}" for i in range(8)]
        await press(pilot, "end", "space")
        assert screen.draft.columns[("wide", "c01997")].selected
        await press(pilot, "pagedown", "pageup", "home")
        stalls.phase("navigate")
        stalls.report("2,000 columns")
        assert app.failures == []
    ctx.close()


HUGE = 10_000


@pytest.fixture(scope="module")
def huge_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wide_warehouse(tmp_path_factory, "huge", HUGE, rows=20)


async def test_the_column_step_of_10000_columns_is_built_off_the_event_loop_and_searched_in_bursts(
    huge_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema → drafts → rows conversion runs in the schema worker, never on the event loop;
    the step opens on all 10,000 columns and a burst typed into its search loses no key."""
    import threading

    from dataset_tui.tui.wizard import schema_view
    from dataset_tui.tui.wizard.draft import WizardDraft

    built_on: list[int] = []
    learned_on_loop: list[str] = []
    original_view = schema_view.schema_view
    original_add = WizardDraft.add_schema

    def recording_view(table: str, columns: list[Any]) -> Any:
        built_on.append(threading.get_ident())
        return original_view(table, columns)

    def recording_add(self: WizardDraft, table: str, columns: list[tuple[str, str]]) -> None:
        learned_on_loop.append(table)  # the per-column conversion, where it used to run
        original_add(self, table, columns)

    monkeypatch.setattr(schema_view, "schema_view", recording_view)
    monkeypatch.setattr(WizardDraft, "add_schema", recording_add)
    ctx = AppContext.open(db=tmp_path / "store", warehouse=huge_table)
    app = recording_app(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        loop_thread = threading.get_ident()
        await open_wizard(pilot)
        screen = wizard(pilot)
        await pilot.press(*"huge_check", "ctrl+n")
        await settle(pilot)
        stalls = Stalls(app)
        await pilot.press("enter")  # the only table: primary; its schema loads now
        await settle(pilot)
        stalls.phase("schema")
        await pilot.press("ctrl+n")
        await settle(pilot)
        stalls.phase("open")
        assert screen.step == 3
        picker = screen.columns_step.picker
        assert len(picker._column_rows()) == HUGE
        assert built_on and loop_thread not in built_on, "the schema conversion ran on the event loop"
        assert learned_on_loop == []
        # One burst: `/`, five letters, two more, two backspaces, enter, then keys for the list.
        await pilot.press("/", *"c0999", "7", "x", "backspace", "backspace", "enter", "end", "space")
        await settle(pilot)
        stalls.phase("search burst")
        assert picker.search_text == "c0999"
        assert [r[1][1] for r in picker.rows if r[0] == "column"] == [f"c0999{i}" for i in range(8)]
        assert screen.draft.columns[("huge", "c09997")].selected
        assert "1 of 10000 selected" in picker._header_text("huge")
        # Widening the search again shows every column, the selection kept.
        await pilot.press("/", *["backspace"] * 5, "enter", "home", "down", "space")
        await settle(pilot)
        stalls.phase("clear")
        assert len(picker._column_rows()) == HUGE
        assert [c.name for c in screen.draft.selected_columns()] == ["c09997", "user_id"]
        stalls.report("10,000 columns")
        assert app.failures == []
    ctx.close()

"""The wizard on the demo's GA4-like export, keys only: "purchases from GA4 events".

`events_*` (90 daily shards, one entry) as the primary; user_pseudo_id as
user_id, items.item_id (unnest items) as product_id, event_timestamp (INT64
micros) as timestamp, items.price as revenue, only `event_name = purchase`.
The saved definition's exported SQL runs on DuckDB and returns exactly the
rows a Python reading of the shards expects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dataset_tui.domain import clock
from dataset_tui.services.context import AppContext
from tui_support import TODAY, open_wizard, press, recording_app, text_of, until, wizard

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dataset_tui.warehouse.demo import build_demo

    path = tmp_path_factory.mktemp("ga4") / "wh.duckdb"
    build_demo(path, rows=2_000, seed=3, today=TODAY)
    return path


def expected_purchases(path: Path) -> Counter[tuple[Any, ...]]:
    """(user, item, timestamp, price) per item of every purchase, read shard by shard in Python."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        shards = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw_data' AND table_name LIKE 'events_%'"
        ).fetchall()]
        assert len(shards) == 90
        out: Counter[tuple[Any, ...]] = Counter()
        for shard in shards:
            rows = con.execute(
                f"SELECT user_pseudo_id, event_timestamp, event_name, items FROM raw_data.{shard}"
            ).fetchall()
            for user, micros, name, items in rows:
                if name != "purchase" or micros is None:
                    continue
                when = EPOCH + dt.timedelta(microseconds=micros)
                if when.date() > TODAY:
                    continue  # nothing after the anchor day
                for item in items or []:
                    out[(user, item["item_id"], when, round(item["price"], 6))] += 1
        return out
    finally:
        con.close()


def event_names(path: Path) -> set[str]:
    """Every event_name of the family's shards, read with DuckDB shard by shard."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        shards = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw_data' AND table_name LIKE 'events_%'"
        ).fetchall()]  # fmt: skip
        return {r[0] for s in shards for r in con.execute(f"SELECT DISTINCT event_name FROM raw_data.{s}").fetchall()}
    finally:
        con.close()


async def test_purchases_from_ga4_events_with_keys_only(demo: Path, tmp_path: Path) -> None:
    from dataset_tui.services import definitions, exports

    ctx = AppContext.open(db=tmp_path / "store", warehouse=demo)
    app = recording_app(ctx)
    with clock.fixed(TODAY):
        async with app.run_test(size=(120, 40)) as pilot:
            results = await open_wizard(pilot)
            screen = wizard(pilot)
            await press(pilot, *"ga4_purchases", "ctrl+n")
            # 2 Tables: customers, events_* (90 shards as one entry), products, returns, transactions.
            assert [e.name for e in screen.tables_step.picker.entries][:2] == ["customers", "events_*"]
            await press(pilot, "down", "enter", "ctrl+n")
            assert screen.step == 3 and screen.draft.primary == "events_*"
            # 3 Columns: the suggested GA4 roles (items' fields flattened with UNNEST, the epoch in micros).
            await press(pilot, "s")
            roles = {c.role: c for c in screen.draft.selected_columns() if c.role}
            assert (roles["user_id"].name, roles["timestamp"].unit) == ("user_pseudo_id", "micros")
            assert (roles["product_id"].name, roles["product_id"].unnest) == ("items.item_id", "items")
            assert (roles["revenue"].name, roles["revenue"].unnest) == ("items.price", "items")
            # A container takes no role: r on `items` says to pick a field instead.
            await press(pilot, "/", *"items", "enter", "home", "r")
            assert screen.draft.columns[("events_*", "items")].role is None
            await pilot.press("/", "backspace", "backspace", "backspace", "backspace", "backspace", "enter")
            await press(pilot, "ctrl+n")
            assert screen.step == 4
            # 4 Keep rows where events_*.event_name is one of: purchase (after the split, the form's last field).
            await pilot.press("tab", "tab", "tab", "tab")
            assert app.focused is not None and app.focused.id == "where-column"
            await press(pilot, "enter")
            options = [str(o[0]) for o in screen.filters_step._where_options]
            index = options.index("events_*.event_name")
            await press(pilot, *["down"] * index, "enter")
            assert (screen.draft.row_filter.table, screen.draft.row_filter.column) == ("events_*", "event_name")
            # The column's values from a sample are offered beside "is one of" (a worker reads them).
            await until(pilot, lambda: "in a sample:" in text_of(screen, "#where-seen"), "the sample values")
            offered = text_of(screen, "#where-seen").split("in a sample:", 1)[1].split(",")
            assert offered and {v.strip() for v in offered} <= event_names(demo)
            await pilot.press("tab", *"purchase")
            await until(pilot, lambda: "WHERE" in screen.filters_step.query_one("#sql").text, "the SQL")
            assert "purchase" in screen.filters_step.query_one("#sql").text
            await press(pilot, "ctrl+s")
            assert results == ["ga4_purchases"], text_of(screen, "#estimate")

    _, version = definitions.resolve(ctx.store, "default", "ga4_purchases")
    saved = version.definition.to_dict()
    assert saved["source"]["primary"] == "events_*"
    assert saved["filters"]["where"] == [{"table": "events_*", "column": "event_name", "in": ["purchase"]}]
    by_role = {c.get("role"): c for c in saved["columns"]}
    assert by_role["timestamp"]["unit"] == "micros" and by_role["product_id"]["unnest"] == "items"

    result = exports.export_dataset(ctx.store, "default", "ga4_purchases", folder=tmp_path / "out", as_of=TODAY)
    full = next(p for p in result.paths if p.stem.endswith("full"))
    answer = ctx.warehouse().query(full.read_text(encoding="utf-8"))
    assert set(answer.columns) == {"user_id", "product_id", "timestamp", "revenue"}
    at = {name: i for i, name in enumerate(answer.columns)}
    got: Counter[tuple[Any, ...]] = Counter()
    for r in answer.rows:
        when = r[at["timestamp"]]
        when = when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)
        got[(r[at["user_id"]], r[at["product_id"]], when, round(float(r[at["revenue"]]), 6))] += 1
    want = expected_purchases(demo)
    assert sum(want.values()) > 0
    assert got == want
    ctx.close()


def test_the_keys_of_event_params_come_from_a_sample_with_their_value_type(demo: Path, tmp_path: Path) -> None:
    from dataset_tui.services import catalog
    from dataset_tui.tui.wizard.draft import WizardDraft

    ctx = AppContext.open(db=tmp_path / "store", warehouse=demo)
    try:
        keys = {p.key: p.value for p in catalog.param_keys(ctx, "events_*", "event_params")}
        # Counted independently on the newest shard, in Python.
        con = duckdb.connect(str(demo), read_only=True)
        newest = max(r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'events_%'").fetchall())
        seen: dict[str, Counter[str]] = {}
        for (params,) in con.execute(f"SELECT event_params FROM raw_data.{newest}").fetchall():
            for p in params:
                for field, value in p["value"].items():
                    if value is not None:
                        seen.setdefault(p["key"], Counter())[field] += 1
        con.close()
        assert keys == {k: c.most_common(1)[0][0] for k, c in seen.items()}
        assert keys["ga_session_id"] == "int_value" and keys["page_location"] == "string_value"
        # The wizard lists them under the array; choosing one writes a `param` column.
        draft = WizardDraft(primary="events_*")
        array_type = ctx.warehouse().schema("raw_data", "events_*").types()["event_params"]
        draft.add_schema("events_*", [("event_params", array_type)])
        draft.add_params("events_*", "event_params", list(keys.items()))
        draft.toggle_column(("events_*", "event_params[ga_session_id]"))
        assert draft.to_data(3)[0]["columns"] == [
            {"table": "events_*", "name": "event_params", "param": {"key": "ga_session_id", "value": "int_value"}}
        ]
    finally:
        ctx.close()

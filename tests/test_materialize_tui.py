"""`M` and `V` on the detail screen, and the history mark, driven by keys (Pilot).

DuckDB: the modal materializes what the service would, the panel shows the
fingerprints, V verifies. BigQuery (recording fake): the cost modal asks for
the total of the splits before any table is made, and "no" makes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext
from dataset_tui.store.materializations import materializations
from tui_support import EXAMPLE, TODAY, app_for, fixed_clock, press, settle, started, text_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fixed_clock")


async def test_shift_m_materializes_from_the_detail_screen_and_shift_v_verifies(
    open_context: Any, demo_copy: Path
) -> None:
    from dataset_tui.tui.screens.detail import DetailScreen
    from dataset_tui.tui.screens.history import HistoryScreen
    from dataset_tui.tui.screens.materialize import MaterializeScreen

    ctx = open_context(demo_copy)
    definitions.save(ctx, parse_definition(EXAMPLE))
    name = EXAMPLE["name"]
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen)
        assert "not yet" in text_of(app.screen, "#materializations")
        assert "Materialize" in " ".join(str(b.description) for b in app.screen.BINDINGS)
        await press(pilot, "V")
        assert any("Nothing to verify" in n.message for n in app._notifications)
        await press(pilot, "M")
        assert isinstance(app.screen, MaterializeScreen)
        assert app.screen.query_one("#as-of").value == "2025-06-15"
        await press(pilot, "enter")  # the Materialize button has focus
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        records = materializations(ctx.store, "default", name)
        assert len(records) == 1 and records[0].as_of == TODAY
        panel = text_of(app.screen, "#materializations")
        for split in records[0].splits:
            assert split.fingerprint.digest in panel and f"{split.rows:,}" in panel
        await press(pilot, "V")
        assert "unchanged" in text_of(app.screen, "#materializations")
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#versions")
        assert "▣" in str(table.get_row_at(0)[0])


async def test_bad_input_in_the_form_is_named_and_nothing_runs(open_context: Any, demo_copy: Path) -> None:
    from dataset_tui.tui.screens.materialize import MaterializeScreen

    ctx = open_context(demo_copy)
    definitions.save(ctx, parse_definition(EXAMPLE))
    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        await press(pilot, "enter")
        await press(pilot, "M")
        app.screen.query_one("#as-of").value = "June"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MaterializeScreen)
        assert "YYYY-MM-DD" in text_of(app.screen, "#status")
        app.screen.query_one("#as-of").value = "2025-06-15"
        app.screen.query_one("#splits").value = "test"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MaterializeScreen)  # the form stays for another try
        assert any("unknown split" in n.message for n in app._notifications)
        assert materializations(ctx.store, "default", EXAMPLE["name"]) == []
        await press(pilot, "escape")
        assert not isinstance(app.screen, MaterializeScreen)


async def test_on_bigquery_the_cost_modal_asks_before_any_table_is_made(isolated_env: Path) -> None:
    from dataset_tui.config import Profile, Settings
    from dataset_tui.store import Store
    from dataset_tui.tui.screens.cost import CostScreen
    from dataset_tui.tui.screens.materialize import MaterializeScreen
    from dataset_tui.warehouse.bigquery import BigQueryWarehouse
    from test_materialize_bigquery import TablesFake, definition

    gib = 1024**3
    profile = Profile(name="prod", backend="bigquery", project="acme-prod", confirm_bytes=10 * gib)
    client = TablesFake(project="acme-prod")
    client.dry_run_bytes = 6 * gib  # two splits: 12 GiB, above confirm_bytes
    ctx = AppContext(settings=Settings(), profile=profile, store=Store.open(isolated_env / "store"))
    ctx.set_warehouse(BigQueryWarehouse(profile, client=client))
    definitions.save(ctx, parse_definition(definition(typed=True)))
    app = app_for(ctx)
    try:
        async with started(app, (120, 40)) as pilot:
            await press(pilot, "enter")
            await press(pilot, "M")
            assert isinstance(app.screen, MaterializeScreen)
            assert app.screen.query("#expire") and not app.screen.query("#parquet")
            await pilot.press("enter")
            await pilot.pause(0.5)
            assert isinstance(app.screen, CostScreen)
            assert "12.0 GiB" in text_of(app.screen, "#cost-body")
            await press(pilot, "n")
            assert isinstance(app.screen, MaterializeScreen)
            assert client.count("dry_run") == 2
            assert not [c for c in client.of("query") if c.args[0].startswith("CREATE")]
            assert materializations(ctx.store, "default", "recent") == []
    finally:
        ctx.close()

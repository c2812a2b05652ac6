"""The TUI's home, detail, export, history and compare screens, driven by keys (Pilot).

Each test runs the real app on a temporary store and a small DuckDB demo
warehouse, presses keys, and checks results in the store, on screen, or in
files — not only that nothing crashed.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext
from tui_support import (  # noqa: F401 - fixtures
    EXAMPLE,
    add,
    app_for,
    ctx,
    fixed_clock,
    names_on_screen,
    notifications,
    press,
    settle,
    started,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


async def test_empty_store_says_how_to_start(ctx: AppContext) -> None:
    app = app_for(ctx)
    async with started(app, (80, 24)):
        assert app.screen.has_class("empty")
        empty = str(app.screen.query_one("#empty").render())
        assert "Press n" in empty and "definition import" in empty


async def test_search_narrows_rows_and_escape_clears(ctx: AppContext) -> None:
    add(ctx, "alpha", "clicks")
    add(ctx, "beta", "purchases of gamma products")
    add(ctx, "gamma_test")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        assert names_on_screen(app) == ["alpha", "beta", "gamma_test"]
        await press(pilot, "slash", *"gamma")
        # Name or description matches.
        assert names_on_screen(app) == ["beta", "gamma_test"]
        await press(pilot, "escape")
        assert names_on_screen(app) == ["alpha", "beta", "gamma_test"]
        assert app.screen.query_one("#datasets").has_focus


async def test_status_filter_cycles(ctx: AppContext) -> None:
    add(ctx, "alpha")
    add(ctx, "beta")
    definitions.activate(ctx.store, ctx.model, "beta", checks=None)
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "f")
        assert names_on_screen(app) == ["alpha"]  # draft
        await press(pilot, "f")
        assert names_on_screen(app) == ["beta"]  # active
        await press(pilot, "f")
        assert names_on_screen(app) == []  # deleted: none yet
        await press(pilot, "f")
        assert names_on_screen(app) == ["alpha", "beta"]


async def test_activate_changes_the_badge(ctx: AppContext) -> None:
    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "a")
        await settle(pilot)
        head = definitions.get_dataset(ctx, "alpha")
        assert head.active_version == 1
        from dataset_tui.tui.widgets.dataset_list import DatasetList

        row = app.screen.query_one("#datasets", DatasetList).rows[0]
        assert row.badge == "active v1"
        # A newer draft shows beside the active version.
        changed = copy.deepcopy(EXAMPLE)
        changed.update(name="alpha", description="v2")
        changed["filters"]["min_transactions"] = 3
        definitions.save(ctx, parse_definition(changed), base_revision=1)
        app.screen.reload()
        await settle(pilot)
        row = app.screen.query_one("#datasets", DatasetList).rows[0]
        assert row.badge == "active v1 · draft v2"


async def test_activation_refused_shows_every_problem(ctx: AppContext) -> None:
    data = copy.deepcopy(EXAMPLE)
    data["columns"][4]["name"] = "no_such_column"
    add(ctx, "broken", **{k: v for k, v in data.items() if k not in ("name", "description")})
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "a")
        assert definitions.get_dataset(ctx, "broken").active_version is None
        assert any("no_such_column" in m for m in notifications(app))


async def test_deleting_an_active_dataset_needs_its_typed_name(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.confirm import TypeNameScreen

    add(ctx, "alpha")
    definitions.activate(ctx.store, ctx.model, "alpha", checks=None)
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "d")
        assert isinstance(app.screen, TypeNameScreen)
        await press(pilot, *"alp", "enter")
        assert isinstance(app.screen, TypeNameScreen)  # wrong name: still asking
        assert definitions.get_dataset(ctx, "alpha").active_version == 1
        await press(pilot, "h", "a", "enter")
        await settle(pilot)
        assert names_on_screen(app) == []
        assert [h.name for h in ctx.store.deleted(ctx.model)] == ["alpha"]


async def test_deleting_a_draft_asks_once_and_can_be_declined(ctx: AppContext) -> None:
    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "d")
        await press(pilot, "n")
        assert names_on_screen(app) == ["alpha"]
        await press(pilot, "d")
        await press(pilot, "y")
        await settle(pilot)
        assert names_on_screen(app) == []


async def test_clone_prefills_name_and_checks_it_live(ctx: AppContext) -> None:
    from textual.widgets import Button, Input

    add(ctx, "alpha")
    add(ctx, "alpha_copy")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "c")
        name_input = app.screen.query_one("#name", Input)
        assert name_input.value == "alpha_copy"
        assert app.screen.query_one("#ok", Button).disabled  # taken
        await press(pilot, "backspace", "backspace", "backspace", "2")
        assert name_input.value == "alpha_c2"
        assert not app.screen.query_one("#ok", Button).disabled
        await press(pilot, "enter")
        await settle(pilot)
        assert "alpha_c2" in names_on_screen(app)
        clone = definitions.get_version(ctx, "alpha_c2", 1).definition
        assert clone.content_hash() == definitions.get_version(ctx, "alpha", 1).definition.content_hash()


async def test_analyze_shows_what_the_cli_prints(ctx: AppContext, capsys: Any) -> None:
    from dataset_tui.cli import main

    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "enter")
        await press(pilot, "r")
        await settle(pilot)
        shown = str(app.screen.query_one("#analysis").render())
    code = main(["--db", str(ctx.store.folder), "--warehouse", str(ctx.warehouse_file), "analyze", "alpha", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert f"{printed['rows']:,}" in shown
    assert f"{printed['users']:,}" in shown
    assert f"{printed['split']['train_rows']:,}" in shown
    assert f"{printed['split']['eval_rows']:,}" in shown
    assert "stale" not in shown


async def test_export_writes_what_the_cli_writes(ctx: AppContext, tmp_path: Path) -> None:
    from textual.widgets import Input

    from dataset_tui.cli import main

    add(ctx, "alpha")
    tui_dir, cli_dir = tmp_path / "tui", tmp_path / "cli"
    tui_dir.mkdir()
    cli_dir.mkdir()
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "x")
        app.screen.query_one("#folder", Input).value = str(tui_dir)
        app.screen.query_one("#as-of", Input).value = "2025-06-01"
        app.screen.query_one("#item-definition").value = True
        await press(pilot, "ctrl+s")
        await settle(pilot)
    written = sorted(p.name for p in tui_dir.iterdir())
    assert written == ["alpha_v1.json", "alpha_v1_eval.sql", "alpha_v1_full.sql", "alpha_v1_train.sql"]
    code = main(
        [
            "--db",
            str(ctx.store.folder),
            "export",
            "alpha",
            "--split",
            "all",
            "--definition",
            "--as-of",
            "2025-06-01",
            "-o",
            str(cli_dir),
        ]
    )
    assert code == 0
    for name in written:
        assert (tui_dir / name).read_text() == (cli_dir / name).read_text(), name
    records = ctx.store.exports(ctx.model, "alpha")
    assert any(str(tui_dir) in p for r in records for p in r.paths)


async def test_export_asks_before_overwriting(ctx: AppContext, tmp_path: Path) -> None:
    from textual.widgets import Input

    from dataset_tui.tui.screens.confirm import ConfirmScreen

    add(ctx, "alpha")
    (tmp_path / "alpha_v1_train.sql").write_text("mine\n")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "x")
        app.screen.query_one("#folder", Input).value = str(tmp_path)
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
    assert (tmp_path / "alpha_v1_train.sql").read_text() == "mine\n"


async def test_failing_warehouse_notifies_and_the_app_stays_usable(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.datasets import DatasetsScreen
    from dataset_tui.warehouse.base import UnavailableError

    class Broken:
        backend, label, project, billed = "duckdb", "broken", None, False

        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any, **kwargs: Any) -> Any:
                raise UnavailableError("the warehouse went away; check the file and try again")

            return fail

    add(ctx, "alpha")
    ctx.set_warehouse(Broken())  # type: ignore[arg-type]
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "enter")
        await press(pilot, "r")
        assert any("went away" in m for m in notifications(app))
        await press(pilot, "escape")
        assert isinstance(app.screen, DatasetsScreen)
        assert names_on_screen(app) == ["alpha"]
    ctx._warehouse = None  # nothing to close


async def test_history_diff_and_restore(ctx: AppContext) -> None:
    add(ctx, "alpha")
    changed = copy.deepcopy(EXAMPLE)
    changed.update(name="alpha")
    changed["filters"]["min_transactions"] = 5
    definitions.save(ctx, parse_definition(changed), base_revision=1)
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "h")
        diff = app.screen.diff_text
        assert '-    "min_transactions": 2' in diff and '+    "min_transactions": 5' in diff
        await press(pilot, "t")
        sql_diff = app.screen.diff_text
        assert "HAVING" in sql_diff.upper() or ">= 5" in sql_diff
        await press(pilot, "down", "r")  # select v1, restore it
        await settle(pilot)
    versions = definitions.list_versions(ctx, "alpha")
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].definition.content_hash() == versions[0].definition.content_hash()


async def test_compare_marked_datasets_highlights_differences(ctx: AppContext) -> None:
    from textual.widgets import DataTable

    from dataset_tui.tui.screens.compare import CompareScreen

    add(ctx, "alpha")
    other = copy.deepcopy(EXAMPLE)
    other["filters"]["min_transactions"] = 4
    add(ctx, "beta", **{k: v for k, v in other.items() if k not in ("name", "description")})
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "m")
        assert not isinstance(app.screen, CompareScreen)  # nothing marked yet
        await press(pilot, "space", "space", "m")
        assert isinstance(app.screen, CompareScreen)
        table = app.screen.query_one("#compare", DataTable)
        rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
        assert rows["min_transactions"][0].style == "bold yellow"
        assert [str(c) for c in rows["min_transactions"][1:]] == ["2", "4"]
        assert rows["primary"][0].style == ""


async def test_help_lists_the_screen_keys(ctx: AppContext) -> None:
    from textual.widgets import Static

    from dataset_tui.tui.screens.help import HelpScreen

    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        for words in ("Search", "Filter", "Compare", "History", "command palette"):
            assert words in text


async def test_palette_opens_a_dataset_and_switches_model(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.detail import DetailScreen

    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        await press(pilot, "ctrl+p")
        await pilot.press(*"alpha")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert isinstance(app.screen, DetailScreen) and app.screen.dataset_name == "alpha"
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        await pilot.press(*"model experiments")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert ctx.model == "experiments"
        assert names_on_screen(app) == []
        assert "experiments" in app.sub_title


async def test_bigquery_cost_is_confirmed_in_a_modal_before_analyze(isolated_env: Path) -> None:
    """On a billed warehouse, r dry-runs first and asks above the threshold; no means no job."""
    from bq_fake import FakeClient
    from dataset_tui.config import Profile, Settings
    from dataset_tui.store import Store
    from dataset_tui.tui.screens.cost import CostScreen
    from dataset_tui.warehouse.bigquery import BigQueryWarehouse

    gib = 1024**3
    profile = Profile(name="prod", backend="bigquery", project="acme-prod", confirm_bytes=10 * gib)
    client = FakeClient(project="acme-prod")
    client.dry_run_bytes = 20 * gib
    ctx = AppContext(settings=Settings(), profile=profile, store=Store.open(isolated_env / "store"))
    ctx.set_warehouse(BigQueryWarehouse(profile, client=client))
    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        assert "BigQuery acme-prod" in app.sub_title
        await press(pilot, "enter")
        sql = app.screen.query_one("#sql").current_text()
        assert "`acme-prod.raw_data.transactions`" in sql
        await pilot.press("r")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CostScreen)
        assert "20.0 GiB" in str(app.screen.query_one("#cost-body").render())
        await press(pilot, "n")
        assert client.count("dry_run") == 1 and client.count("query") == 0
        assert any("cancelled" in m for m in notifications(app))
        await pilot.press("r")
        await pilot.pause(0.5)
        await press(pilot, "y")
        jobs = client.of("query")
        assert len(jobs) == 1
        assert jobs[0].config.maximum_bytes_billed == profile.max_bytes_billed
    ctx.close()


async def test_clone_and_edit_opens_the_wizard_on_a_copy(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.wizard import WizardScreen

    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "c")
        await press(pilot, "ctrl+e")
        assert isinstance(app.screen, WizardScreen)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, WizardScreen)
        assert "alpha_copy" in names_on_screen(app)
    copy = definitions.get_version(ctx, "alpha_copy", 1).definition.to_dict()
    original = definitions.get_version(ctx, "alpha", 1).definition.to_dict()
    # Saving from the wizard fills in each column's type from the warehouse.
    assert [c.pop("type") for c in copy["columns"]] == ["STRING", "STRING", "TIMESTAMP", "NUMERIC", "STRING"]
    assert {**copy, "name": "alpha"} == original


async def test_the_list_notices_saves_from_another_terminal(ctx: AppContext) -> None:
    from dataset_tui.store import Store
    from dataset_tui.tui.screens.datasets import POLL_SECONDS

    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (100, 30)) as pilot:
        assert names_on_screen(app) == ["alpha"]
        # Another process: its own Store on the same folder.
        other = Store.open(ctx.store.folder)
        data = copy.deepcopy(EXAMPLE)
        data["name"] = "from_the_cli"
        definitions.save(other, parse_definition(data))
        other.close()
        await pilot.pause(POLL_SECONDS + 0.5)
        await settle(pilot)
        assert names_on_screen(app) == ["alpha", "from_the_cli"]


async def test_e_opens_the_wizard_on_the_latest_version(ctx: AppContext) -> None:
    from dataset_tui.tui.screens.wizard import WizardScreen

    add(ctx, "alpha")
    newer = copy.deepcopy(EXAMPLE)
    newer.update(name="alpha")
    newer["filters"]["min_transactions"] = 4
    definitions.save(ctx, parse_definition(newer), base_revision=1)
    definitions.activate(ctx.store, ctx.model, "alpha", 1, checks=None)
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "e")
        assert isinstance(app.screen, WizardScreen)
        assert app.screen.base_revision == 2  # the newest draft, not the active v1
        assert app.screen.draft.min_transactions == "4"


async def test_saving_from_the_wizard_opens_the_saved_dataset(ctx: AppContext) -> None:
    """A new dataset and an edit started from the list land in one place: the saved dataset's detail."""
    from dataset_tui.tui.screens.datasets import DatasetsScreen
    from dataset_tui.tui.screens.detail import DetailScreen

    add(ctx, "alpha")
    add(ctx, "beta")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, DatasetsScreen)
        home._after_wizard(None)  # cancelled: nothing opens
        await settle(pilot)
        assert app.screen is home
        home._after_wizard("beta")  # what the wizard hands back after ctrl+s
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.dataset_name == "beta"
        await press(pilot, "escape")
        assert app.screen is home and home._current().name == "beta"

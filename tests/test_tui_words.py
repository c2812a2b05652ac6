"""What the screens say and show: counts in the right number, versions named,
real SQL at 80×24, SQL colours that survive 16-colour terminals (Pilot)."""

from __future__ import annotations

import pytest

from dataset_tui.services import definitions
from dataset_tui.services.context import AppContext
from tui_support import TODAY, add, app_for, ctx, fixed_clock, press, settle, started  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("fixed_clock")


async def test_counts_use_the_singular_for_one(ctx: AppContext) -> None:
    from textual.widgets import Label

    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        assert str(app.screen.query_one("#count", Label).content) == "1 dataset"
        add(ctx, "beta")
        app.screen.reload()
        await settle(pilot)
        assert str(app.screen.query_one("#count", Label).content) == "2 datasets"


async def test_detail_at_80x24_shows_real_sql_and_copies_the_whole_header(ctx: AppContext) -> None:
    from textual.widgets import TextArea

    from dataset_tui.tui.widgets.sql_tabs import SqlTabs

    add(ctx, "alpha", "clicks of the last months")
    app = app_for(ctx)
    async with started(app, (80, 24)) as pilot:
        await press(pilot, "enter")
        area = app.screen.query_one("#sql-text", TextArea)
        visible = area.text.splitlines()[: area.size.height]
        assert visible[0].startswith("-- version: alpha v1 ·") and "header lines folded" in visible[0]
        assert [line for line in visible if line.startswith("--")] == visible[:1]
        assert visible[1].startswith("WITH")
        full = app.screen.query_one(SqlTabs).current_text()  # what y copies
        assert full.startswith("-- dataset-tui: dataset alpha") and "-- description:" in full
    async with started(app_for(ctx), (120, 40)) as pilot:  # room enough: the header stays
        await press(pilot, "enter")
        assert pilot.app.screen.query_one("#sql-text", TextArea).text.startswith("-- dataset-tui: dataset alpha")


async def test_history_sql_diff_names_both_versions(ctx: AppContext) -> None:
    from dataset_tui.domain.definition import parse_definition

    add(ctx, "alpha")
    data = definitions.get_version(ctx, "alpha", 1).definition.to_dict()
    data["filters"]["min_transactions"] = 5
    definitions.save(ctx, parse_definition(data), base_revision=1)
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "h", "t")
        text = app.screen.diff_text
        assert "-- version: alpha v1" in text and "-- version: alpha v2" in text
        assert "unsaved definition" not in text


@pytest.mark.parametrize(
    ("system", "theme"), [("standard", "dataset-tui-ansi"), ("256", "dataset-tui-ansi"), ("truecolor", "css")]
)
async def test_sql_colours_on_16_and_256_colour_terminals(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, system: str, theme: str
) -> None:
    from textual import constants
    from textual.widgets import TextArea

    from dataset_tui.tui.widgets.sql_tabs import ansi_theme

    monkeypatch.setattr(constants, "COLOR_SYSTEM", system)  # what TERM=xterm gives
    add(ctx, "alpha")
    app = app_for(ctx)
    async with started(app, (120, 40)) as pilot:
        await press(pilot, "enter")
        assert app.screen.query_one("#sql-text", TextArea).theme == theme
    # named terminal colours, which a 16-colour terminal shows as themselves
    styles = ansi_theme().syntax_styles
    colours = {styles[k].color.name for k in ("keyword", "string", "comment", "number")}
    assert colours == {"blue", "green", "cyan", "magenta"}

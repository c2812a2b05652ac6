"""The one-widget drop-down (tui/widgets/drop_down.py): the keys and messages of a compact Select."""

from __future__ import annotations

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Input

from dataset_tui.tui.widgets.drop_down import DropDown
from dataset_tui.tui.widgets.drop_down_list import DropDownList

OPTIONS = [("none (full data only)", "none"), ("time: last N days eval", "time"), ("random: hash of a key", "random")]


class DropDownApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.changes: list[tuple[str | None, str]] = []

    def compose(self) -> ComposeResult:
        yield DropDown(OPTIONS, value="time", id="split")
        yield Input(id="after")

    @on(DropDown.Changed)
    def _changed(self, event: DropDown.Changed) -> None:
        self.changes.append((event.control.id, event.value))


def drop_down(app: App[None]) -> DropDown:
    return app.query_one("#split", DropDown)


async def test_one_widget_while_closed_and_the_list_only_while_open() -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        box = drop_down(app)
        box.focus()
        await pilot.pause()
        assert not box.children and not box.expanded
        assert "time: last N days eval" in str(box.render()) and "▼" in str(box.render())
        await pilot.press("enter")
        listed = box.query_one(DropDownList)
        assert box.expanded and app.focused is listed and listed.highlighted == 1
        assert "▲" in str(box.render())
        await pilot.press("escape")
        assert not box.children and app.focused is box and app.changes == []


@pytest.mark.parametrize("opening", ["enter", "space", "down", "up"])
async def test_keys_open_move_and_pick(opening: str) -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        drop_down(app).focus()
        await pilot.press(opening, "down", "enter")
        await pilot.pause()
        assert drop_down(app).value == "random" and app.focused is drop_down(app)
        assert app.changes == [("split", "random")]
        assert not drop_down(app).children
        # Picking the value it has posts nothing.
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.changes == [("split", "random")]


async def test_typed_letters_jump_to_a_matching_option() -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        drop_down(app).focus()
        await pilot.press("enter", *"none", "enter")
        await pilot.pause()
        assert drop_down(app).value == "none"


async def test_leaving_the_open_list_closes_it_where_the_focus_went() -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        drop_down(app).focus()
        await pilot.press("enter")
        app.query_one("#after", Input).focus()
        await pilot.pause()
        assert not drop_down(app).expanded and app.focused is app.query_one("#after")


async def test_values_and_options_set_in_code() -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        box = drop_down(app)
        with box.prevent(DropDown.Changed):
            box.value = "none"
        box.value = "random"
        await pilot.pause()
        assert app.changes == [("split", "random")]
        with pytest.raises(ValueError):
            box.value = "hourly"
        # New options keep the value when still offered, else take the first.
        box.set_options([("random, by user", "random"), ("none", "none")])
        assert box.value == "random" and box.prompt == "random, by user"
        box.set_options([("all rows", "all")])
        await pilot.pause()
        assert box.value == "all" and app.changes[-1] == ("split", "all")


async def test_a_long_prompt_wraps_beside_the_arrow() -> None:
    app = DropDownApp()
    async with app.run_test(size=(60, 20)) as pilot:
        box = drop_down(app)
        box.styles.width = 20
        box.set_options([("user_id column (customer_identifier)", "u")])
        await pilot.pause()
        assert box.size.height == 3  # 17 cells a line beside " ▼ "
        lines = str(box.render()).split("\n")
        assert lines[0].endswith(" ▼ ") and all(len(line) == 20 for line in lines)

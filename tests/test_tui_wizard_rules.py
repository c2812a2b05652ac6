"""Step 3's rules as a user meets them: a borrowed role comes back, marks follow the fixes."""

from __future__ import annotations

from typing import Any

import pytest
from tests.test_tui_wizard import ctx, goto_columns  # noqa: F401 - fixtures

from tui_support import (  # noqa: F401 - fixtures
    fixed_clock,
    open_wizard,
    press,
    recording_app,
    settle,
    text_of,
    wizard_warehouse,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


def test_cycling_past_a_borrowed_role_gives_it_back() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft(name="x", primary="t")
    draft.add_schema("t", [("a", "STRING"), ("b", "STRING")])
    draft.set_role(("t", "a"), "user_id")
    # r on b: none → user_id, taken from a.
    assert draft.cycle_role(("t", "b")) == ("t.a", None)
    assert draft.columns[("t", "a")].role is None
    # r again: b moves on to product_id, and a gets user_id back.
    assert draft.cycle_role(("t", "b")) == (None, "t.a")
    assert draft.columns[("t", "a")].role == "user_id"
    assert draft.columns[("t", "b")].role == "product_id"


def test_a_role_given_since_is_not_overwritten() -> None:
    from dataset_tui.tui.wizard.draft import WizardDraft

    draft = WizardDraft(name="x", primary="t")
    draft.add_schema("t", [("a", "STRING"), ("b", "STRING"), ("c", "STRING")])
    draft.set_role(("t", "a"), "user_id")
    draft.cycle_role(("t", "b"))  # b borrows user_id from a
    draft.set_role(("t", "a"), "timestamp")  # a has another role now
    draft.cycle_role(("t", "b"))
    assert draft.columns[("t", "a")].role == "timestamp"
    assert draft.role_columns()["product_id"].name == "b"


async def test_marks_clear_as_the_problem_is_fixed(ctx: Any) -> None:
    app = recording_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_wizard(pilot)
        screen = await goto_columns(pilot, "marks_test")
        # amount (NUMERIC) as user_id: wrong type, marked on ctrl+n.
        picker = screen.columns_step.picker
        amount = next(i for i, (kind, key) in enumerate(picker.rows) if kind == "column" and key[1] == "amount")
        picker.cursor = amount
        await press(pilot, "r", "ctrl+n")
        assert screen.step == 3
        assert picker.errors == {("transactions", "amount")}
        assert "transactions.amount" in text_of(screen, "#columns-problem")
        # The marked row stays in view under the message.
        top = int(picker.scroll_offset.y)
        assert top <= picker.cursor < top + picker.size.height
        # Cycling amount on to product_id … revenue fixes it: the mark goes at once.
        await press(pilot, "r", "r", "r")
        assert screen.draft.columns[("transactions", "amount")].role == "revenue"
        assert picker.errors == set()
        assert text_of(screen, "#columns-problem") == ""

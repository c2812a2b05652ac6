"""The home list's listing: filtered in memory as `list` filters in the store, read again only after a change."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset_tui.services import definitions as svc
from dataset_tui.store import Store
from store_support import definition

M = "default"


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store") as opened:
        yield opened


def _fill(store: Store) -> None:
    for name, description in (
        ("Sales_Daily", "Straße sales per day"),
        ("returns", "STRASSE returns"),
        ("churn", "who left"),
        ("sales_eu", ""),
    ):
        store.create(definition(name, description=description))
    store.activate(M, "churn", 1)


@pytest.mark.parametrize("search", [None, "sales", "SALES", "strasse", "straße", "e_d", "left", "x", "ret\x00"])
@pytest.mark.parametrize("status", [None, "draft", "active"])
def test_select_matches_the_store_listing(store: Store, search: str | None, status: str | None) -> None:
    _fill(store)
    listing = svc.dataset_listing(store, M)
    assert listing is not None
    chosen = listing.select(status=status, search=search)
    expected = store.list(M, status=status, search=search)
    assert chosen.heads == expected
    assert chosen.names == [h.name for h in expected]


def test_a_needle_never_matches_across_name_and_description(store: Store) -> None:
    store.create(definition("abc", description="def"))
    listing = svc.dataset_listing(store, M)
    assert listing is not None
    assert listing.select(search="cd").heads == []
    assert listing.select(search="c\x00d").heads == []
    assert [h.name for h in listing.select(search="bc").heads] == ["abc"]


def test_listing_is_read_again_only_after_a_change(store: Store) -> None:
    _fill(store)
    listing = svc.dataset_listing(store, M)
    assert listing is not None
    assert svc.dataset_listing(store, M, unless=listing.seen) is None
    # Another view, or another model, is read even though nothing changed.
    gone = svc.dataset_listing(store, M, deleted=True, unless=listing.seen)
    assert gone is not None and gone.heads == []
    store.create(definition("late"))
    fresh = svc.dataset_listing(store, M, unless=listing.seen)
    assert fresh is not None
    assert "late" in fresh.names and "late" not in listing.names
    store.delete(M, "late")
    deleted = svc.dataset_listing(store, M, deleted=True, unless=gone.seen)
    assert deleted is not None and deleted.names == ["late"]
    assert deleted.select(search="LAT").names == ["late"]

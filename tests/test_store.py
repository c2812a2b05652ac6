"""The store's rules: history, names, delete/undelete/purge, listing, caches."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from dataset_tui.domain import clock
from dataset_tui.store import (
    ActiveDatasetError,
    ConflictError,
    InvalidNameError,
    NameTakenError,
    NotFoundError,
    Store,
    StoreError,
)
from dataset_tui.store.diff import changes
from store_support import definition, definition_dict

M = "default"


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store") as opened:
        yield opened


# -- history ------------------------------------------------------------------


def test_versions_are_numbered_and_never_change(store: Store) -> None:
    v1 = store.create(definition(percent=80), note="first", author="alice")
    v2 = store.update(definition(percent=70), base_revision=1, author="bob")
    v3 = store.update(definition(percent=60), base_revision=2)
    assert (v1.number, v2.number, v3.number) == (1, 2, 3)  # type: ignore[union-attr]
    versions = store.versions(M, "purchases_6m")
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.definition.split.train_percent for v in versions] == [80, 70, 60]  # type: ignore[union-attr]
    assert [v.author for v in versions[:2]] == ["alice", "bob"]
    assert versions[0].note == "first"
    assert all(v.definition.content_hash() == v.definition_hash for v in versions)
    head = store.get(M, "purchases_6m")
    assert (head.revision, head.versions, head.status, head.badge) == (3, 3, "draft", "draft")
    # Later saves, an activation and a note leave earlier definitions as they were.
    store.activate(M, "purchases_6m", 2)
    store.set_note(M, "purchases_6m", 1, "the original")
    again = store.versions(M, "purchases_6m")
    assert [v.definition for v in again] == [v.definition for v in versions]
    assert [v.definition_hash for v in again] == [v.definition_hash for v in versions]
    assert again[0].note == "the original"


def test_an_unchanged_save_adds_no_version(store: Store) -> None:
    store.create(definition())
    assert store.update(definition(), base_revision=1) is None
    assert store.update(definition(), base_revision=None) is None
    assert store.get(M, "purchases_6m").versions == 1


def test_a_description_edit_is_a_new_version_with_the_same_hash(store: Store) -> None:
    first = store.create(definition(description="old words"))
    second = store.update(definition(description="new words"), base_revision=1)
    assert second is not None and second.number == 2
    assert second.definition_hash == first.definition_hash
    assert store.get(M, "purchases_6m").description == "new words"


def test_restore_appends_a_copy_of_the_old_version(store: Store) -> None:
    store.create(definition(percent=80))
    store.update(definition(percent=70), base_revision=1)
    restored = store.restore(M, "purchases_6m", 1)
    assert restored.number == 3
    assert restored.note == "restored from v1"
    versions = store.versions(M, "purchases_6m")
    assert versions[2].definition == versions[0].definition
    assert versions[1].definition.split.train_percent == 70  # type: ignore[union-attr]
    # Restoring what is already the latest adds nothing.
    assert store.restore(M, "purchases_6m", 1).number == 3
    assert store.get(M, "purchases_6m").versions == 3


def test_update_from_a_stale_revision_is_a_conflict(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as one, Store.open(tmp_path / "s") as two:
        one.create(definition(percent=80))
        base = two.get(M, "purchases_6m").revision
        assert one.update(definition(percent=70), base_revision=base) is not None
        with pytest.raises(ConflictError) as caught:
            two.update(definition(percent=60), base_revision=base)
        assert caught.value.current_revision == 2
        assert "Nothing was saved" in str(caught.value)
        assert [v.number for v in two.versions(M, "purchases_6m")] == [1, 2]
        # Saved on top of the latest instead, it goes through.
        assert two.update(definition(percent=60), base_revision=2).number == 3  # type: ignore[union-attr]


def test_activating_v3_then_saving_v4_keeps_v3_active(store: Store) -> None:
    for i, percent in enumerate((80, 70, 60)):
        if i == 0:
            store.create(definition(percent=percent))
        else:
            store.update(definition(percent=percent), base_revision=None)
    head = store.activate(M, "purchases_6m")  # default: the latest, v3
    assert (head.active_version, head.status, head.badge) == (3, "active", "active v3")
    store.update(definition(percent=50), base_revision=3)
    head = store.get(M, "purchases_6m")
    assert (head.revision, head.active_version, head.definition_version) == (4, 3, 3)
    assert head.badge == "active v3 · draft v4"
    assert head.definition_hash == store.version(M, "purchases_6m", 3).definition_hash
    head = store.activate(M, "purchases_6m", 4)
    assert head.badge == "active v4"
    with pytest.raises(NotFoundError, match="no version 9; its versions are 1 to 4"):
        store.activate(M, "purchases_6m", 9)


# -- diff -----------------------------------------------------------------------


def _apply(old: Any, found: list[Any]) -> Any:
    """Apply changes by path to a copy of `old` (independent of diff.py's walk)."""
    data = copy.deepcopy(old)
    removals = []
    for change in found:
        parts = [p for p in re.split(r"\.|\[(\d+)\]", change.path) if p]
        keys = [int(p) if p.isdigit() else p for p in parts]
        parent = data
        for key in keys[:-1]:
            parent = parent[key]
        if change.kind == "removed":
            removals.append((parent, keys[-1]))
        elif isinstance(parent, list) and keys[-1] == len(parent):
            parent.append(change.new)
        else:
            parent[keys[-1]] = change.new
    # Remove list items from the end so earlier indexes stay right.
    for parent, key in sorted(removals, key=lambda r: r[1] if isinstance(r[1], int) else -1, reverse=True):
        del parent[key]
    return data


def test_diff_lists_exactly_what_changed(store: Store) -> None:
    store.create(definition(percent=80))
    changed = definition_dict(percent=70, description="now with a description")
    changed["columns"] = changed["columns"][:4]
    changed["columns"][0]["alias"] = "user"
    del changed["filters"]["min_transactions"]
    store.update(definition_from(changed), base_revision=1)
    result = store.diff(M, "purchases_6m", 1)
    assert result.new_version == 2 and result.hash_changed
    assert [(c.path, c.kind, c.old, c.new) for c in result.changes] == [
        ("description", "changed", "", "now with a description"),
        ("columns[0].alias", "added", None, "user"),
        ("columns[4]", "removed", definition_dict()["columns"][4], None),
        ("filters.min_transactions", "removed", 2, None),
        ("split.train_percent", "changed", 80, 70),
    ]
    assert '-    "train_percent": 80' in result.text and '+    "train_percent": 70' in result.text
    assert result.text.startswith("--- purchases_6m v1\n+++ purchases_6m v2\n")
    same = store.diff(M, "purchases_6m", 2, 2)
    assert same.unchanged and same.text == ""


def definition_from(data: dict[str, Any]):
    from dataset_tui.domain.definition import parse_definition

    return parse_definition(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abcd"), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcd"), json_values, max_size=4),
    st.dictionaries(st.sampled_from("abcd"), json_values, max_size=4),
)
def test_applying_the_changes_to_the_old_gives_the_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    found = changes(old, new)
    assert _apply(old, found) == new
    assert (found == []) == (json.dumps(old) == json.dumps(new))


# -- names ----------------------------------------------------------------------


def test_names_are_unique_ignoring_case(store: Store) -> None:
    store.create(definition("Sales"))
    assert not store.name_available(M, "sales")
    with pytest.raises(NameTakenError, match="'Sales' already exists"):
        store.create(definition("SALES"))
    assert store.get(M, "sales").name == "Sales"
    assert store.name_available("other_model", "sales")
    assert not store.name_available(M, "bad name")
    assert not store.name_available(M, "trailing\n")


def test_clone_copies_a_version_under_a_new_name(store: Store) -> None:
    store.create(definition(percent=80))
    store.update(definition(percent=70), base_revision=1)
    made = store.clone(M, "purchases_6m", "copy", version=1)
    assert (made.number, made.definition.name, made.note) == (1, "copy", "cloned from purchases_6m v1")
    assert store.version(M, "copy", 1).definition.split.train_percent == 80  # type: ignore[union-attr]
    with pytest.raises(NameTakenError, match="'copy'"):
        store.clone(M, "purchases_6m", "Copy")
    with pytest.raises(InvalidNameError):
        store.clone(M, "purchases_6m", "no spaces")
    assert store.count(M) == 2


def test_rename_keeps_history_and_refuses_a_taken_name(store: Store) -> None:
    store.create(definition("a", percent=80))
    store.update(definition("a", percent=70), base_revision=1)
    store.create(definition("b"))
    with pytest.raises(NameTakenError):
        store.rename(M, "a", "B")
    head = store.rename(M, "a", "renamed")
    assert head.name == "renamed" and head.versions == 2
    # Versions read back under the current name.
    assert [v.definition.name for v in store.versions(M, "renamed")] == ["renamed", "renamed"]
    with pytest.raises(NotFoundError):
        store.get(M, "a")
    assert store.rename(M, "renamed", "Renamed").name == "Renamed"  # case only
    assert store.update(definition("renamed", percent=60), base_revision=2).number == 3  # type: ignore[union-attr]


# -- delete, undelete, purge ---------------------------------------------------


def test_deleting_an_active_dataset_needs_force(store: Store) -> None:
    store.create(definition())
    store.activate(M, "purchases_6m")
    with pytest.raises(ActiveDatasetError, match=r"is active .* --force"):
        store.delete(M, "purchases_6m")
    assert store.count(M) == 1
    store.delete(M, "purchases_6m", force=True)
    assert store.count(M) == 0


def test_deleted_datasets_keep_versions_and_come_back(store: Store) -> None:
    store.create(definition(percent=80))
    store.update(definition(percent=70), base_revision=1)
    store.delete(M, "purchases_6m")
    assert store.list(M) == []
    with pytest.raises(NotFoundError, match=r"was deleted .* undelete purchases_6m"):
        store.get(M, "purchases_6m")
    [gone] = store.deleted(M)
    assert gone.name == "purchases_6m" and gone.versions == 2 and gone.deleted_at is not None
    # The name is free again; once taken, undelete needs another name.
    assert store.name_available(M, "purchases_6m")
    store.create(definition(percent=10))
    with pytest.raises(NameTakenError, match="--as NEW"):
        store.undelete(M, "purchases_6m")
    back = store.undelete(M, "purchases_6m", as_name="purchases_old")
    assert back.name == "purchases_old" and back.deleted_at is None
    assert [v.definition.split.train_percent for v in store.versions(M, "purchases_old")] == [80, 70]  # type: ignore[union-attr]
    assert store.deleted(M) == []


def test_purge_removes_only_deleted_datasets(store: Store) -> None:
    store.create(definition("keep"))
    store.create(definition("drop"))
    with pytest.raises(StoreError, match="not deleted"):
        store.purge(M, "drop")
    head = store.get(M, "drop")
    files = list((store.folder / "datasets").glob(f"{head.id}.json*"))
    assert files
    store.delete(M, "drop")
    store.purge(M, "drop")
    assert store.deleted(M) == []
    assert not any(f.exists() for f in files)
    with pytest.raises(NotFoundError):
        store.undelete(M, "drop")
    assert [h.name for h in store.list(M)] == ["keep"]


def test_undelete_takes_the_most_recently_deleted_of_a_name(store: Store) -> None:
    with clock.fixed(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        store.create(definition("x", percent=10))
        store.delete(M, "x")
    with clock.fixed(dt.datetime(2025, 1, 2, tzinfo=dt.UTC)):
        store.create(definition("x", percent=20))
        store.delete(M, "x")
    assert [h.deleted_at.day for h in store.deleted(M)] == [2, 1]  # type: ignore[union-attr]
    store.undelete(M, "x")
    assert store.version(M, "x", 1).definition.split.train_percent == 20  # type: ignore[union-attr]


# -- listing ---------------------------------------------------------------------


def test_list_filters_sorts_and_pages(store: Store) -> None:
    for i, name in enumerate(["delta", "Alpha", "charlie", "bravo"]):
        with clock.fixed(dt.datetime(2025, 1, 1 + i, tzinfo=dt.UTC)):
            store.create(definition(name, description="weekly churn" if name == "charlie" else ""))
    store.activate(M, "bravo")
    store.create(definition("elsewhere", model="other"))
    assert [h.name for h in store.list(M)] == ["Alpha", "bravo", "charlie", "delta"]
    assert [h.name for h in store.list(M, sort="-created")] == ["bravo", "charlie", "Alpha", "delta"]
    assert [h.name for h in store.list(M, status="active")] == ["bravo"]
    assert store.count(M, status="draft") == 3
    assert [h.name for h in store.list(M, search="CHURN")] == ["charlie"]
    assert [h.name for h in store.list(M, search="al")] == ["Alpha"]
    assert [h.name for h in store.list(M, offset=1, limit=2)] == ["bravo", "charlie"]
    assert store.models() == [M, "other"]
    with pytest.raises(StoreError, match="cannot sort by"):
        store.list(M, sort="size")
    with pytest.raises(StoreError, match="unknown status"):
        store.list(M, status="archived")


def test_another_store_instance_sees_changes_at_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as reader, Store.open(tmp_path / "s") as writer:
        assert reader.list(M) == []
        writer.create(definition("a"))
        assert [h.name for h in reader.list(M)] == ["a"]
        writer.update(definition("a", percent=10), base_revision=1)
        assert reader.get(M, "a").revision == 2
        writer.delete(M, "a")
        assert reader.list(M) == []


# -- caches and export records -----------------------------------------------------


def test_cached_analysis_is_stale_once_the_definition_in_use_changes(store: Store) -> None:
    v1 = store.create(definition(percent=80))
    assert store.cached_analysis(M, "purchases_6m") is None
    store.save_analysis(M, "purchases_6m", v1.definition_hash, {"rows": 1200, "as_of": dt.date(2025, 1, 1)})
    cached = store.cached_analysis(M, "purchases_6m")
    assert cached is not None and not cached.stale
    assert cached.result == {"rows": 1200, "as_of": "2025-01-01"}
    assert store.get(M, "purchases_6m").last_analysis_rows == 1200
    v2 = store.update(definition(percent=70), base_revision=1)
    cached = store.cached_analysis(M, "purchases_6m")
    assert cached is not None and cached.stale and cached.definition_hash == v1.definition_hash
    # Activating v1 makes the v1 analysis current again: export/sql would use v1.
    store.activate(M, "purchases_6m", 1)
    assert not store.cached_analysis(M, "purchases_6m").stale  # type: ignore[union-attr]
    store.activate(M, "purchases_6m", 2)
    store.save_analysis(M, "purchases_6m", v2.definition_hash, {"rows": 900})  # type: ignore[union-attr]
    cached = store.cached_analysis(M, "purchases_6m")
    assert cached is not None and not cached.stale and cached.result["rows"] == 900


def test_cached_stats_follow_the_table_key(store: Store) -> None:
    assert store.cached_stats("raw_data", "transactions") is None
    store.save_stats("raw_data", "transactions", "2025-01-01T00:00:00", {"row_count": 10})
    store.save_stats("raw_data", "products", 55, {"row_count": 55})
    store.save_stats("raw_data", "transactions", "2025-02-01T00:00:00", {"row_count": 12})
    cached = store.cached_stats("raw_data", "transactions")
    assert cached is not None and cached.result == {"row_count": 12}
    assert not cached.stale_for("2025-02-01T00:00:00")
    assert cached.stale_for("2025-03-01T00:00:00")
    assert store.cached_stats("raw_data", "products").table_key == 55  # type: ignore[union-attr]
    # A modified time as the warehouse gives it (a datetime) compares as itself.
    modified = dt.datetime(2025, 5, 1, 8, 30, tzinfo=dt.UTC)
    store.save_stats("raw_data", "customers", modified, {"row_count": 3})
    cached = store.cached_stats("raw_data", "customers")
    assert cached is not None and not cached.stale_for(modified)
    assert cached.stale_for(modified + dt.timedelta(seconds=1))


def test_exports_are_recorded(store: Store) -> None:
    store.create(definition())
    store.record_export(M, "purchases_6m", 1, ["/tmp/a.sql", "/tmp/b.sql"], dt.date(2025, 3, 1))
    store.record_export(M, "purchases_6m", 1, ["-"], None)
    records = store.exports(M, "purchases_6m")
    assert [(r.version, r.paths, r.as_of) for r in records] == [
        (1, ["/tmp/a.sql", "/tmp/b.sql"], dt.date(2025, 3, 1)),
        (1, ["-"], None),
    ]

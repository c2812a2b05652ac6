"""The store's files: corruption, backups, format versions, unwritable folders."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dataset_tui.store import (
    Store,
    StoreCorruptError,
    StoreError,
    StoreFormatError,
    StoreUnwritableError,
    layout,
    migrations,
)
from store_support import definition

M = "default"


def _store_with_history(folder: Path) -> tuple[Path, Path]:
    """Two datasets, one with two versions; returns (its head bucket file, its dataset file)."""
    with Store.open(folder) as store:
        store.create(definition("a", percent=80))
        store.update(definition("a", percent=70), base_revision=1)
        store.create(definition("b"))
        head = store.get(M, "a")
    return layout.heads_path(folder, layout.head_bucket(head.id)), layout.dataset_path(folder, head.id)


CORRUPTIONS = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "garbage": lambda raw: b"\x00\xff\xfe not json at all",
    "wrong shape": lambda raw: json.dumps({"heads": {"1": {"name": "only a name"}}, "versions": {"1": {}}}).encode(),
}


@pytest.mark.parametrize("kind", CORRUPTIONS)
@pytest.mark.parametrize("which", ["heads", "dataset"])
def test_a_corrupt_file_is_named_left_as_is_and_its_backup_restores(tmp_path: Path, kind: str, which: str) -> None:
    folder = tmp_path / "store"
    heads_file, dataset_file = _store_with_history(folder)
    target = heads_file if which == "heads" else dataset_file
    broken = CORRUPTIONS[kind](target.read_bytes())
    target.write_bytes(broken)

    with Store.open(folder) as store:
        with pytest.raises(StoreCorruptError) as caught:
            store.versions(M, "a") if which == "dataset" else store.list(M)
        message = str(caught.value)
        assert str(target) in message and "left as it is" in message
        assert f"cp '{target}.bak' '{target}'" in message
        # A write must not replace the unreadable file either.
        with pytest.raises(StoreCorruptError):
            store.update(definition("a", percent=10), base_revision=None)
    assert target.read_bytes() == broken

    shutil.copy(f"{target}.bak", target)  # what the message says to do
    with Store.open(folder) as store:
        # The backup is the file before its last write: one change back.
        if which == "dataset":
            assert [v.number for v in store.versions(M, "a")] == [1]
        else:
            assert {h.name for h in store.list(M)} <= {"a", "b"}
            assert store.list(M)
        # And the store works again from there; the head catches up with its versions.
        made = store.update(definition("a", percent=10), base_revision=None)
        assert made is not None
        assert store.get(M, "a").revision == made.number == len(store.versions(M, "a"))


def test_no_usable_backup_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    heads_file, _ = _store_with_history(folder)
    Path(f"{heads_file}.bak").write_bytes(b"{broken")
    heads_file.write_bytes(b"{also broken")
    with Store.open(folder) as store, pytest.raises(StoreCorruptError, match="no usable backup"):
        store.list(M)


def test_a_store_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store_with_history(folder)
    meta = folder / layout.META_FILE
    data = json.loads(meta.read_text())
    data["store"]["version"] = layout.STORE_VERSION + 1
    meta.write_text(json.dumps(data))
    before = meta.read_bytes()
    with pytest.raises(StoreFormatError) as caught:
        Store.open(folder)
    assert str(meta) in str(caught.value) and "upgrade dataset-tui" in str(caught.value)
    assert meta.read_bytes() == before


def test_a_corrupt_meta_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store_with_history(folder)
    (folder / layout.META_FILE).write_text('{"something": "else"}')
    with pytest.raises(StoreCorruptError, match=r"meta\.json"):
        Store.open(folder)


def test_migrations_run_once_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "store"
    _store_with_history(folder)
    ran: list[Path] = []

    def to_v2(path: Path) -> None:
        ran.append(path)
        (path / "migrated-to-2").touch()

    monkeypatch.setattr(layout, "STORE_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, to_v2)
    with Store.open(folder) as store:
        assert [h.name for h in store.list(M)] == ["a", "b"]
    assert ran == [folder]
    assert json.loads((folder / layout.META_FILE).read_text())["store"]["version"] == 2
    Store.open(folder).close()
    assert ran == [folder]  # not again

    monkeypatch.setattr(layout, "STORE_VERSION", 3)  # and no step from 2
    with pytest.raises(StoreFormatError, match="cannot upgrade it"):
        Store.open(folder)


def test_a_store_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnwritableError, match=r"cannot create the store folder .* --db DIR"):
        Store.open(blocker / "store")


def test_a_folder_holding_other_things_is_not_taken_over(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a dataset-tui store and is not empty"):
        Store.open(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_failed_write_changes_nothing_and_the_store_recovers(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    heads_file, dataset_file = _store_with_history(folder)
    # Something in the way of the temporary file: the write fails half-way
    # through a save, after the store has read and changed its data.
    obstacle = dataset_file.with_name(dataset_file.name + ".tmp")
    obstacle.mkdir()
    before = (heads_file.read_bytes(), dataset_file.read_bytes())
    with Store.open(folder) as store:
        with pytest.raises(StoreUnwritableError, match="Nothing was changed"):
            store.update(definition("a", percent=10), base_revision=2)
        assert (heads_file.read_bytes(), dataset_file.read_bytes()) == before
        assert [v.number for v in store.versions(M, "a")] == [1, 2]  # the cache forgot the change
        assert store.get(M, "a").revision == 2
        obstacle.rmdir()
        assert store.update(definition("a", percent=10), base_revision=2).number == 3  # type: ignore[union-attr]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_store_reads_but_refuses_to_save(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    _store_with_history(folder)
    (folder / ".lock").unlink()
    folder.chmod(0o555)
    try:
        with Store.open(folder) as store:
            assert store.read_only
            assert [h.name for h in store.list(M)] == ["a", "b"]
            with pytest.raises(StoreUnwritableError, match="not writable"):
                store.create(definition("c"))
    finally:
        folder.chmod(0o755)


def test_writes_replace_files_and_keep_the_previous_content(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with Store.open(folder) as store:
        store.create(definition("a", percent=80))
        dataset_file = layout.dataset_path(folder, store.get(M, "a").id)
        first = dataset_file.read_bytes()
        inode = dataset_file.stat().st_ino
        store.update(definition("a", percent=70), base_revision=1)
    assert dataset_file.stat().st_ino != inode  # replaced, not rewritten in place
    assert Path(f"{dataset_file}.bak").read_bytes() == first
    assert not list(folder.rglob("*.tmp"))


def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    import fcntl

    from dataset_tui.store import StoreLockedError

    folder = tmp_path / "store"
    _store_with_history(folder)
    with Store.open(folder, lock_timeout_s=0.2) as store:
        # Another holder of the lock (a stuck process, here a second descriptor).
        fd = os.open(folder / ".lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with pytest.raises(StoreLockedError, match="held by another process"):
                store.list(M)
        finally:
            os.close(fd)
        assert [h.name for h in store.list(M)] == ["a", "b"]

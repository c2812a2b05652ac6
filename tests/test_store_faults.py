"""Faults injected into the store: disk full between the two writes of a save,
lost and damaged heads, recovery from a backup, special files where store
files belong, read-only folders, damaged caches, a clock set back.

Each case runs as the user runs it (the CLI in-process, so an escaping
exception fails the test) or on the Store API where the CLI adds nothing.
The special-file matrix prints how many cases it tried and how many held.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cli_support import Cli, quiet_environment  # noqa: F401 - fixtures
from dataset_tui.domain import clock
from dataset_tui.store import Store, StoreError, layout, storage as storage_module
from store_support import definition, definition_dict, small_warehouse

M = "default"


pytestmark = pytest.mark.usefixtures("quiet_environment")


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys, tmp_path / "db", small_warehouse(tmp_path / "w.duckdb"))


def write_definition(path: Path, name: str = "ds", **kwargs: Any) -> str:
    path.write_text(json.dumps(definition_dict(name, **kwargs)))
    return str(path)


def dataset_files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((db / layout.DATASETS_DIR).glob("*.json"))}


def versions_in_files(db: Path) -> dict[str, list[str]]:
    return {name: sorted(json.loads(raw)["versions"]) for name, raw in dataset_files(db).items()}


@contextmanager
def disk_full_on(part: str, *, after: str | None = None) -> Iterator[list[Path]]:
    """Atomic writes to a path containing `part` fail with ENOSPC, as on a full disk.

    With `after`, only once a write to a path containing `after` succeeded:
    the disk fills up between the two writes of one save.
    """
    real = storage_module.atomic_write_bytes
    hit: list[Path] = []
    armed = [after is None]

    def failing(path: Path, content: bytes, **kwargs: Any) -> None:
        if part in str(path) and armed[0]:
            hit.append(path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, content, **kwargs)
        if after is not None and after in str(path):
            armed[0] = True

    storage_module.atomic_write_bytes = failing  # type: ignore[assignment]
    try:
        yield hit
    finally:
        storage_module.atomic_write_bytes = real


HEADS, DATASETS = f"{os.sep}heads{os.sep}", f"{os.sep}datasets{os.sep}"


# -- 13.4: disk full between the two writes of a save -------------------------


def test_disk_full_on_the_head_write_of_an_update_changes_nothing_and_says_so(cli: Cli, tmp_path: Path) -> None:
    cli.ok("definition", "import", write_definition(tmp_path / "a.json", description="one"))
    before = dataset_files(cli.db)
    with disk_full_on(HEADS, after=DATASETS) as hit:
        code, _, err = cli("definition", "import", write_definition(tmp_path / "b.json", description="two"))
    assert hit, "the head write was reached"
    assert code == 1
    assert "No space left on device" in err
    # The statement holds: the dataset file is as it was, so nothing was changed.
    assert dataset_files(cli.db) == before
    assert "v2 was not saved" in err
    assert [v["version"] for v in json.loads(cli.ok("versions", "ds", "--json"))] == [1]
    assert "Nothing was changed" in err  # true here, so it may be said
    assert cli("store", "check")[0] == 0


def test_disk_full_on_the_head_write_of_a_create_leaves_no_orphan(cli: Cli, tmp_path: Path) -> None:
    with disk_full_on(HEADS, after=DATASETS) as hit:
        code, _, err = cli("definition", "import", write_definition(tmp_path / "a.json"))
    assert hit and code == 1
    assert dataset_files(cli.db) == {}
    assert "was not saved" in err
    assert cli("store", "check")[0] == 0
    cli.ok("definition", "import", str(tmp_path / "a.json"))  # works once there is space
    assert "ds" in cli.ok("list")


def test_when_even_the_undo_fails_the_error_says_the_version_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "db"
    with Store.open(folder) as store:
        store.create(definition("ds", description="one"))
        real_replace = os.replace

        def no_undo(src: Any, dst: Any) -> None:
            if str(src).endswith(".json.bak"):
                raise OSError(errno.EIO, "I/O error")
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", no_undo)
        with disk_full_on(HEADS, after=DATASETS), pytest.raises(StoreError) as caught:
            store.update(definition("ds", description="two"), base_revision=1)
        monkeypatch.undo()
        message = str(caught.value)
        assert "Nothing was changed" not in message and "not saved" not in message
        assert "v2 was written" in message and "store repair" in message
        # Reads count the version the head missed; check names it; repair stores it.
        assert store.get(M, "ds").revision == 2
        assert [v.number for v in store.versions(M, "ds")] == [1, 2]
        assert [p.kind for p in store.check().problems] == ["head-behind"]
        store.repair()
        assert store.check().ok
        assert store.list(M)[0].revision == 2


# -- 13.5: a lost heads file --------------------------------------------------


def test_a_missing_heads_file_is_an_error_and_repair_brings_the_datasets_back(cli: Cli, tmp_path: Path) -> None:
    for description in ("one", "two", "three"):
        cli.ok("definition", "import", write_definition(tmp_path / "ds.json", description=description))
    bucket = next(p for p in (cli.db / layout.HEADS_DIR).glob("*.json") if '"ds"' in p.read_text())
    bucket.unlink()
    Path(f"{bucket}.bak").unlink()

    code, _, err = cli("list")
    assert code == 1 and str(bucket) in err and "store repair" in err
    # Importing the same name must not start a new v1 beside the old versions.
    files_before = dataset_files(cli.db)
    code, _, err = cli("definition", "import", str(tmp_path / "ds.json"))
    assert code == 1 and str(bucket) in err
    assert dataset_files(cli.db) == files_before

    code, out, _ = cli("store", "check", "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert sorted(p["kind"] for p in report["problems"]) == ["missing-heads", "orphan"]
    out = cli.ok("store", "repair")
    assert "re-attached 1 dataset(s)" in out and "ds" in out
    rows = json.loads(cli.ok("list", "--json"))
    assert [(r["name"], r["versions"]) for r in rows] == [("ds", 3)]
    assert json.loads(cli.ok("store", "check", "--json"))["ok"]


def test_repair_re_attaches_an_orphan_under_a_free_name_when_its_name_was_taken(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    with Store.open(folder) as store:
        store.create(definition("ds", description="old"))
        old_id = store.get(M, "ds").id
    # The old dataset's head is lost; a new "ds" is created meanwhile.
    bucket = layout.heads_path(folder, layout.head_bucket(old_id))
    data = json.loads(bucket.read_text())
    data["heads"] = {k: v for k, v in data["heads"].items() if v["id"] != old_id}
    bucket.write_text(json.dumps(data))
    with Store.open(folder) as store:
        store.create(definition("ds", description="new"))
        report = store.repair()
        assert [h.name for h in report.reattached] == ["ds-recovered"]
        assert sorted(h.name for h in store.list(M)) == ["ds", "ds-recovered"]
        assert store.versions(M, "ds-recovered")[0].definition.description == "old"


def test_repair_rebuilds_a_damaged_heads_file_from_its_backup_and_keeps_the_damaged_one(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    with Store.open(folder) as store:
        store.create(definition("ds"))
        store.update(definition("ds", percent=70), base_revision=1)
        store.activate(M, "ds", 2)
        dataset_id = store.get(M, "ds").id
    bucket = layout.heads_path(folder, layout.head_bucket(dataset_id))
    bucket.write_bytes(b"{not json")
    with Store.open(folder) as store:
        with pytest.raises(StoreError, match="cannot be read"):
            store.list(M)
        assert [p.kind for p in store.check().problems] == ["damaged-heads"]
        store.repair()
        head = store.get(M, "ds")
        # The backup held the head before activation: names survive, counts come from the file.
        assert (head.name, head.revision, head.versions) == ("ds", 2, 2)
        assert store.check().ok
    assert Path(f"{bucket}.damaged").read_bytes() == b"{not json"


# -- 13.6: the recovery advice works end to end --------------------------------


@pytest.mark.parametrize("active", [False, True])
def test_the_printed_recovery_command_leaves_the_dataset_usable(cli: Cli, tmp_path: Path, active: bool) -> None:
    for percent in (80, 70, 60):
        cli.ok("definition", "import", write_definition(tmp_path / "ds.json", percent=percent))
    if active:
        cli.ok("activate", "ds", "--version", "3")
    (dataset_file,) = (cli.db / layout.DATASETS_DIR).glob("*.json")
    dataset_file.write_bytes(b'{"versions": {"1": ')  # damaged: a write cut short by hand

    code, _, err = cli("show", "ds")
    assert code == 1
    advice = err.strip().splitlines()[-1].strip()
    assert advice.startswith("cp ")
    subprocess.run(shlex.split(advice), check=True, cwd=tmp_path)

    shown = json.loads(cli.ok("show", "ds", "--json"))
    assert shown["definition_version"] == 2 and shown["version"] == 2
    assert shown["active_version"] is None  # v3 is gone with the damaged file
    cli.ok("export", "ds", "-o", str(tmp_path / "out"), "--definition")
    assert (tmp_path / "out" / "ds_v2.json").exists()
    code, out, err = cli("activate", "ds")
    assert code == 0, err
    assert "v2 is active" in out
    assert cli("store", "check")[0] == 0


# -- 13.7 / 13.11: special files where store files belong ----------------------


def _place(path: Path, kind: str) -> None:
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    if kind == "directory":
        path.mkdir()
        (path / "x").write_text("x")
    elif kind == "garbage":
        path.write_bytes(b"\x00\xff garbage \xfe")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "file":
        path.write_text("not a folder")


TARGETS = {
    "heads file": lambda db, ds_id: layout.heads_path(db, layout.head_bucket(ds_id)),
    "dataset file": lambda db, ds_id: layout.dataset_path(db, ds_id),
    "stats cache": lambda db, ds_id: db / layout.STATS_FILE,
    "meta file": lambda db, ds_id: db / layout.META_FILE,
    "lock file": lambda db, ds_id: db / ".lock",
}
FOLDERS = {"heads folder": layout.HEADS_DIR, "datasets folder": layout.DATASETS_DIR}
COMMANDS = [("list",), ("show", "ds"), ("versions", "ds"), ("store", "check"), ("stats", "transactions"), ("import",)]


def test_special_files_in_the_store_give_one_clear_line_never_a_traceback(
    cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [(t, k) for t in TARGETS for k in ("directory", "garbage", "empty", "fifo")]
    cases += [(f, "file") for f in FOLDERS]
    tried = held = 0
    failures = []
    for target, kind in cases:
        for command in COMMANDS:
            db = tmp_path / f"db-{len(failures)}-{tried}"
            cli.db = db
            cli.ok("definition", "import", write_definition(tmp_path / "ds.json"))
            if target == "stats cache":
                cli.ok("stats", "transactions")  # so stats.json exists
            ds_id = next((db / layout.DATASETS_DIR).glob("*.json")).stem
            path = db / FOLDERS[target] if target in FOLDERS else TARGETS[target](db, ds_id)
            _place(path, kind)
            args = ["definition", "import", str(tmp_path / "ds.json")] if command == ("import",) else list(command)
            tried += 1
            try:
                code, out, err = cli(*args)
            except Exception as exc:
                failures.append((target, kind, command, f"raised {type(exc).__name__}: {exc}"))
                continue
            lines = [line for line in err.splitlines() if line.startswith("dataset-tui: error:")]
            if command == ("store", "check") and code == 1 and not lines:
                lines = [out]  # check reports problems on stdout, exit 1
                err = out
            if target == "stats cache" and command != ("store", "check"):
                # A cache never blocks: the command works (the cache is rebuilt when next written).
                good = code == 0
            elif code == 0:
                good = "Traceback" not in err  # the command does not read that file (list reads heads only)
            else:
                named = str(path) in err or path.name in err or target in ("heads folder", "datasets folder")
                good = bool(lines) and named and "Traceback" not in err
            if good:
                held += 1
            else:
                failures.append((target, kind, command, f"exit {code}: {err.strip()[:300]}"))
    with capsys.disabled():
        print(f"\nspecial files in the store: tried {tried}, held {held}")
    assert failures == []


def test_a_lock_folder_is_named_as_such(cli: Cli, tmp_path: Path) -> None:
    cli.ok("definition", "import", write_definition(tmp_path / "ds.json"))
    (cli.db / ".lock").unlink()
    (cli.db / ".lock").mkdir()
    code, _, err = cli("list")
    assert code == 1
    assert f"{cli.db / '.lock'} should be a file of the store but is a folder" in err
    assert "rmdir" in err and "not writable" not in err


# -- 13.7: lone surrogates -------------------------------------------------------


def test_a_lone_surrogate_in_a_description_is_refused_with_where_it_is(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(definition_dict("ds", description="caf\udce9")))  # json escapes it: \\udce9
    code, _, err = cli("definition", "import", str(path))
    assert code == 1
    assert "U+DCE9" in err and "description" in err and "Nothing was saved" in err
    assert dataset_files(cli.db) == {}


def test_a_lone_surrogate_in_a_note_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.ok("definition", "import", write_definition(tmp_path / "ds.json"))
    before = dataset_files(cli.db)
    code, _, err = cli("definition", "import", write_definition(tmp_path / "b.json", percent=70), "--note", "x\udc80")
    assert code == 1 and "U+DC80" in err and "note" in err
    assert dataset_files(cli.db) == before
    cli.ok("definition", "import", str(tmp_path / "b.json"))
    code, _, err = cli("restore", "ds", "1", "--note", "\udcff")
    assert code == 1 and "U+DCFF" in err


# -- 13.11: read-only store, damaged caches, clock set back, --base-version ----


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """The folder behaves as on a read-only mount: any open for writing fails with EROFS.

    (Tests run as root, for whom permission bits do not stop writes.)
    """
    real_open = os.open
    root = str(folder.resolve())

    def guarded(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC)
        if writing and os.path.abspath(os.fsdecode(path)).startswith(root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    os.open = guarded  # type: ignore[assignment]
    try:
        yield
    finally:
        os.open = real_open


def test_a_read_only_store_does_the_work_and_warns_what_it_could_not_keep(cli: Cli, tmp_path: Path) -> None:
    cli.ok("definition", "import", write_definition(tmp_path / "ds.json"))
    before = dataset_files(cli.db)
    with read_only(cli.db):
        code, out, err = cli("export", "ds", "-o", str(tmp_path / "out"))
        assert code == 0, err
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(Path(p).name for p in out.split())
        assert "warning: the record of this export of ds could not be kept" in err and "not writable" in err

        code, out, err = cli("stats", "transactions", "--json")
        assert code == 0, err
        assert json.loads(out)["columns"]
        assert "warning: the statistics of raw_data.transactions could not be kept" in err

        code, out, err = cli("analyze", "ds", "--json")
        assert code == 0, err
        assert "rows" in json.loads(out)
        assert "warning: the analysis of ds could not be kept" in err

        # A save is the work itself: refused before anything, saying why.
        code, _, err = cli("definition", "import", write_definition(tmp_path / "b.json", percent=70))
        assert code == 1 and "not writable" in err and "nothing can be saved" in err
    assert dataset_files(cli.db) == before
    assert not (cli.db / layout.STATS_FILE).exists()


def test_a_damaged_stats_cache_is_dropped_and_rebuilt(cli: Cli) -> None:
    first = json.loads(cli.ok("stats", "transactions", "--json"))
    (cli.db / layout.STATS_FILE).write_bytes(b"{ half a fi")
    again = json.loads(cli.ok("stats", "transactions", "--json"))
    assert again["cached"] is False and again["columns"] == first["columns"]
    rebuilt = json.loads((cli.db / layout.STATS_FILE).read_text())
    assert len(rebuilt["stats"]) == 1
    assert json.loads(cli.ok("stats", "transactions", "--json"))["cached"] is True


def test_a_damaged_analysis_entry_is_dropped_not_blocking(cli: Cli, tmp_path: Path) -> None:
    cli.ok("definition", "import", write_definition(tmp_path / "ds.json"))
    cli.ok("analyze", "ds")
    (dataset_file,) = (cli.db / layout.DATASETS_DIR).glob("*.json")
    data = json.loads(dataset_file.read_text())
    for doc in data["analysis"].values():
        del doc["computed_at"]
    dataset_file.write_text(json.dumps(data))
    assert json.loads(cli.ok("show", "ds", "--json"))["analysis"] is None
    cli.ok("analyze", "ds")
    assert json.loads(cli.ok("show", "ds", "--json"))["analysis"] is not None


def test_undelete_takes_the_latest_deletion_even_with_the_clock_set_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "db") as store:
        with clock.fixed(dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)):
            store.create(definition("ds", description="first"))
            store.delete(M, "ds")
        with clock.fixed(dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)):  # set back a month
            store.create(definition("ds", description="second"))
            store.delete(M, "ds")
            assert [h.description for h in store.deleted(M)] == ["second", "first"]
            assert store.undelete(M, "ds").description == "second"


def test_base_version_on_an_unknown_name_is_an_error_not_a_new_dataset(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("definition", "import", write_definition(tmp_path / "new.json", "fresh"), "--base-version", "5")
    assert code == 1
    assert "no dataset named 'fresh'" in err and "--base-version" in err
    assert json.loads(cli.ok("list", "--json")) == []

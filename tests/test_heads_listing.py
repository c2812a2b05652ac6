"""The listing index (store/heads_listing.py): `list` reads columns, prints what reading heads printed.

Every comparison runs the CLI twice on the same store: as it runs, and with
the columns refused (`list_columns` returning None), which is the head-by-head
listing `list` always had.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_support import Cli, quiet_environment  # noqa: F401 - fixtures
from dataset_tui.domain import clock
from dataset_tui.store import Store, heads_listing, layout
from dataset_tui.store.listing import ListingStore
from dataset_tui.store.storage import SafeJSONStorage
from store_support import definition

pytestmark = pytest.mark.usefixtures("quiet_environment")

# Texts JSON writers disagree on when they can: quotes, backslashes, control characters, non-ASCII.
DESCRIPTIONS = ["", 'say "hi" \\ back', "tab\there\nnew line \x01\x1f \x7f", "é ü 日本 😀 \u2028", "plain"]
LISTINGS = [
    (),
    ("--sort=-name",),
    ("--sort=updated",),
    ("--sort=-updated",),
    ("--sort=created",),
    ("--sort=-created",),
    ("--sort=versions",),
    ("--sort=-versions",),
    ("--status", "active"),
    ("--status", "draft", "--sort=-updated"),
    ("--search", "HI"),
    ("--search", "日本", "--sort=versions"),
    ("--search", "nothing matches this"),
    ("--model", "other"),
    ("--model", "nobody"),
]


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys, tmp_path / "db", tmp_path / "warehouse.duckdb")


@pytest.fixture
def varied(cli: Cli) -> Iterator[Cli]:
    """Datasets of two models: drafts, active ones with newer drafts, analyzed, deleted; times that tie."""
    start = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    with Store.open(cli.db) as store:
        for i in range(60):
            # Every third save shares its time with the one before; some times have microseconds.
            moment = start + dt.timedelta(minutes=i - i % 3, microseconds=(i % 2) * 250_000)
            with clock.fixed(moment):
                model = "other" if i % 7 == 0 else "default"
                name = f"{'Beta' if i % 2 else 'alpha'}_{i:02d}"
                made = store.create(definition(name, description=DESCRIPTIONS[i % 5], model=model))
                for _ in range(i % 4):
                    defn = definition(name, description=DESCRIPTIONS[(i + 1) % 5], model=model, percent=70 + i % 20)
                    store.update(defn, base_revision=store.get(model, name).revision)
                if i % 3 == 0:
                    store.activate(model, name, made.number)
                if i % 5 == 1:
                    head = store.get(model, name)
                    store.save_analysis(model, name, head.definition_hash, {"rows": 1000 + i})
                if i % 11 == 4:
                    store.delete(model, name, force=True)
    yield cli


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ListingStore, "list_columns", lambda self, *a, **k: None)


def _both(cli: Cli, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[str, str]:
    """(stdout as it runs, stdout listing head by head)."""
    fast = cli.ok(*args)
    with monkeypatch.context() as patched:
        _slow(patched)
        slow = cli.ok(*args)
    return fast, slow


def _indexed(db: Path) -> list[Path]:
    return sorted((db / layout.HEADS_DIR).glob("*" + heads_listing.SUFFIX))


def test_list_and_list_json_print_byte_for_byte_what_reading_heads_printed(
    varied: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in LISTINGS:
        model = args[:2] if args[:1] == ("--model",) else ()  # a global option: before the command
        for shape in (("--json",), ()):
            fast, slow = _both(varied, monkeypatch, *model, "list", *args[len(model) :], *shape)
            assert fast == slow, (args, shape)
    rows = json.loads(varied.ok("list", "--json"))
    assert {r["badge"] for r in rows} >= {"draft", "active v1", "active v1 · draft v2"}
    assert any(r["last_analysis_rows"] for r in rows) and any("日本" in r["description"] for r in rows)
    assert len(_indexed(varied.db)) == len({layout.head_bucket(i) for i in _ids(varied.db)})
    with Store.open(varied.db) as store:  # the columns were read: not the head-by-head listing
        assert store.list_columns("default") is not None


def _ids(db: Path) -> list[str]:
    return [p.stem for p in (db / layout.DATASETS_DIR).glob("*.json")]


def test_store_list_count_and_sorts_agree_with_the_head_by_head_listing(
    varied: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = [
        {"sort": sort, "status": status, "search": search, "offset": offset, "limit": limit}
        for sort in ("name", "-name", "updated", "-created", "versions", "status", "-status")
        for status, search in ((None, None), ("active", None), ("draft", "a_"))
        for offset, limit in ((0, None), (3, 5))
    ]
    with Store.open(varied.db) as store:
        fast = [store.list(model, **kw) for model in ("default", "other") for kw in asked]
        counts = [store.count("default", status=s) for s in (None, "draft", "active")]
    _slow(monkeypatch)
    with Store.open(varied.db) as store:
        assert fast == [store.list(model, **kw) for model in ("default", "other") for kw in asked]
        assert counts == [store.count("default", status=s) for s in (None, "draft", "active")]


def test_a_heads_file_changed_in_place_behind_the_index_is_read_again(
    varied: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = json.loads(varied.ok("list", "--json"))
    target = before[0]
    running = Store.open(varied.db)  # a process that listed before the change, as the app does
    dataset_id = running.get("default", target["name"]).id
    assert running.list("default")[0].name == target["name"]
    path = layout.heads_path(varied.db, layout.head_bucket(dataset_id))
    raw = path.read_bytes()
    stat = os.stat(path)
    old = json.dumps(target["name"]).encode()
    new = json.dumps(target["name"].swapcase()).encode()  # same length, so the same size
    assert raw.count(b'"name":' + old) == 1
    with open(path, "r+b") as handle:  # in place: the same inode
        handle.write(raw.replace(b'"name":' + old, b'"name":' + new))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time
    now = os.stat(path)
    assert (now.st_ino, now.st_size, now.st_mtime_ns) == (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    try:  # it lists the file as it is now, and the index it writes says so
        assert target["name"].swapcase() in [h.name for h in running.list("default")]
    finally:
        running.close()
    fast, slow = _both(varied, monkeypatch, "list", "--json")
    assert fast == slow
    assert target["name"].swapcase() in [r["name"] for r in json.loads(fast)]


def test_a_later_listing_parses_no_heads_file(varied: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    varied.ok("list", "--json")  # builds the indexes
    parsed: list[str] = []
    original = SafeJSONStorage._parse

    def counting(self: SafeJSONStorage, raw: bytes) -> Any:
        if self.path.parent.name == layout.HEADS_DIR:
            parsed.append(self.path.name)
        return original(self, raw)

    monkeypatch.setattr(SafeJSONStorage, "_parse", counting)
    varied.ok("list", "--json")
    assert parsed == []
    with Store.open(varied.db) as store:  # a save rewrites one heads file: only that one is parsed again
        store.create(definition("zeta_new"))
    parsed.clear()
    assert "zeta_new" in varied.ok("list")
    assert len(parsed) == 1, parsed


def test_a_damaged_index_is_reported_dropped_by_repair_and_never_believed(
    varied: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = varied.ok("list", "--json")
    index = _indexed(varied.db)[0]
    raw = bytearray(index.read_bytes())
    at = raw.index(b'"', raw.index(b"\n") + 20) + 1  # inside the first text of the columns
    raw[at] = ord("Z") if raw[at] != ord("Z") else ord("Y")
    index.write_bytes(bytes(raw))
    assert heads_listing.damage(index) is not None
    report = json.loads(varied.run("store", "check", "--json")[1])
    assert [(p["kind"], p["path"]) for p in report["problems"]] == [("damaged-index", str(index))]
    fast, slow = _both(varied, monkeypatch, "list", "--json")
    assert fast == slow == expected  # and the listing rebuilt it
    assert heads_listing.damage(index) is None
    index.write_text("not an index")
    varied.ok("store", "repair")
    assert not index.exists()
    assert varied.ok("list", "--json") == expected and index.exists()


def _edit_head(db: Path, target: str, **fields: Any) -> None:
    with Store.open(db) as store:
        dataset_id = store.get("default", target).id
    path = layout.heads_path(db, layout.head_bucket(dataset_id))
    data = json.loads(path.read_text())
    for doc in data["heads"].values():
        if doc["id"] == dataset_id:
            doc.update(fields)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    "fields",
    [
        {"updated_at": "2025-03-01T11:30:00+02:00"},  # not UTC: printed by another path
        {"created_at": "2025-03-01T09:30:00Z"},  # UTC, but not as isoformat writes it
        {"tables": True},
        {"description": "lone \ud800 surrogate"},
        {"name": "ALPHA_02"},  # a second live alpha_02 (ignoring case): only a hand can do it
    ],
)
def test_heads_the_index_does_not_keep_are_listed_head_by_head(
    varied: Cli, monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any]
) -> None:
    target = "alpha_06" if "name" in fields else "alpha_02"
    _edit_head(varied.db, target, **fields)
    with Store.open(varied.db) as store:
        assert store.list_columns("default") is None
    for args in (("--json",), ("--json", "--sort=-updated"), ("--sort=-created",)):
        fast = varied("list", *args)
        with monkeypatch.context() as patched:
            _slow(patched)
            slow = varied("list", *args)
        assert fast == slow  # exit code, output and error (a lone surrogate cannot be printed either way)


def test_a_read_only_store_lists_without_writing_an_index(varied: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in _indexed(varied.db):
        index.unlink()
    from dataset_tui.store.lock import StoreLock

    opened = StoreLock.__init__

    def read_only(self: StoreLock, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self.writable = False

    monkeypatch.setattr(StoreLock, "__init__", read_only)
    fast, slow = _both(varied, monkeypatch, "list", "--json")
    assert fast == slow and not _indexed(varied.db)

"""Many datasets: what the CLI loads for a save or a list, `list --json`'s
output, bulk import in one process, and the TUI home list at 20,000 datasets.

Speed itself is measured in bench/scale.py and bench/startup.py; these tests
check the behaviour that makes it possible (what a command imports, that the
fast JSON writer writes exactly what the plain one does) and that the big
cases give the right results.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.cli.common import _default, _flat_rows_json, print_json
from example_definition import example_dict

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("STRING", "STRING", "TIMESTAMP", "NUMERIC", "STRING")  # the example's columns in the demo


def _python(code: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "DATASET_TUI_CONFIG": str(env_dir / "config.toml"),
        "HOME": str(env_dir),
    }
    (env_dir / "config.toml").write_text("")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


# -- what a command loads ------------------------------------------------------


def test_listing_the_store_loads_no_definition_models(tmp_path: Path) -> None:
    """`list` reads heads only: the pydantic definition models stay unloaded."""
    code = f"""
import sys
from dataset_tui.services import definitions as dataset_queries  # the services entry point
from dataset_tui.store import Store
with Store.open({str(tmp_path / "store")!r}) as store:
    assert dataset_queries.list_datasets(store, "default") == []
    assert dataset_queries.count_datasets(store, "default") == 0
loaded = sorted(m for m in sys.modules if m == "dataset_tui.domain.definition" or m.startswith("pydantic"))
print(loaded)
"""
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_cli_save_loads_only_what_a_save_uses(tmp_path: Path) -> None:
    """One `definition import`: no other command's module, no store check, no reading use cases, no plugin search."""
    data = example_dict()
    for column, kind in zip(data["columns"], TYPES, strict=True):
        column["type"] = kind
    one = tmp_path / "one.json"
    one.write_text(json.dumps(data))
    code = f"""
import sys
from dataset_tui.cli import main
assert main(["--db", {str(tmp_path / "store")!r}, "definition", "import", {str(one)!r}]) == 0
unused = ("dataset_tui.cli.", "dataset_tui.store.consistency_report", "dataset_tui.store.report_records",
    "dataset_tui.services.dataset_queries")
print(sorted(m for m in sys.modules if m.startswith(unused) and m != "dataset_tui.cli.common"))
import pydantic.plugin._loader as loader
print("plugins searched:", loader._plugins is not None)
"""
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["['dataset_tui.cli.definitions']", "plugins searched: False"]


def test_a_typed_file_is_saved_without_opening_the_warehouse(tmp_path: Path, demo_file: Path) -> None:
    """Types already in the file: no DuckDB import even with a local warehouse at hand."""
    data = example_dict()
    for column, kind in zip(data["columns"], TYPES, strict=True):
        column["type"] = kind
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(data))
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({**example_dict(), "name": "bare_one"}))
    code = f"""
import sys
from dataset_tui.cli import main
args = ["--db", {str(tmp_path / "store")!r}, "--warehouse", {str(demo_file)!r}, "definition", "import"]
assert main([*args, {str(typed)!r}]) == 0
print("duckdb loaded:", "duckdb" in sys.modules)
assert main([*args, {str(bare)!r}]) == 0
print("duckdb loaded:", "duckdb" in sys.modules)
"""
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    loaded = [line for line in done.stdout.splitlines() if line.startswith("duckdb loaded:")]
    # The untyped file still gets its types from the warehouse (and only it opens DuckDB).
    assert loaded == ["duckdb loaded: False", "duckdb loaded: True"], done.stdout


# -- list --json -----------------------------------------------------------------

_PIECES = ["a", '"', "\\", "},", "\x00", ',"', "{", "}", "\n", "é", "\x1f", "[", "]", ": ", "\u2028", "𝄞"]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 8)))


def _value(rng: random.Random) -> Any:
    return rng.choice(
        [
            _text(rng),
            rng.randint(-5, 10**20),
            1.5,
            float("nan"),
            True,
            False,
            None,
            dt.datetime(2025, 1, 2, 3, 4, 5),
            dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
            dt.date(2024, 2, 3),
            decimal.Decimal("1.10"),
            b"\x01",
        ]
    )


def test_rows_are_written_exactly_as_the_indenting_encoder_writes_them(capsys: pytest.CaptureFixture[str]) -> None:
    """The fast writer of flat rows gives the same bytes, whatever the strings hold."""
    rng = random.Random(14)
    for _ in range(400):
        rows = [{_text(rng) or "k": _value(rng) for _ in range(rng.randint(1, 5))} for _ in range(rng.randint(1, 5))]
        print_json(rows)
        assert capsys.readouterr().out == json.dumps(rows, indent=2, default=_default, ensure_ascii=False) + "\n"
    # Shapes the fast path leaves to the plain encoder: nested values, empty rows, not a list.
    for data in ([{"a": [1, {"b": 2}]}], [{}], [], {"a": 1}, [1, 2], [{"a": 1}, "x"]):
        print_json(data)
        assert capsys.readouterr().out == json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n"


def _listing_value(rng: random.Random) -> Any:
    """What a `list` row holds: text, integers, booleans, nulls and times (UTC, naive, or another zone)."""
    return rng.choice(
        [
            _text(rng),
            rng.choice(["\ud800", "a\udfff"]),  # a lone surrogate: only the C encoder writes it
            rng.randint(-(10**20), 10**20),
            True,
            None,
            dt.datetime(2025, 1, 2, 3, 4, 5, rng.choice([0, 1, 120_000, 999_999]), tzinfo=dt.UTC),
            dt.datetime(rng.randint(1, 9999), 12, 31, 23, 59, 59, tzinfo=dt.UTC),
            dt.datetime(2025, 1, 2, 3, 4, 5),
            dt.datetime(2025, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ]
    )


def _small_row_value(rng: random.Random) -> Any:
    return rng.choice([_text(rng), rng.randint(0, 9), None, dt.datetime.now(dt.UTC)])


def test_listing_rows_are_written_exactly_whichever_writer_takes_them() -> None:
    """Rows of a listing's value kinds (the Rust writer's, unless a naive or non-UTC time or a lone
    surrogate sends them to the C encoder) give the same text as the indenting encoder."""
    rng = random.Random(15)
    for _ in range(400):
        pick = rng.choice([_listing_value, _small_row_value])
        rows = [{_text(rng) or "k": pick(rng) for _ in range(rng.randint(1, 6))} for _ in range(rng.randint(1, 6))]
        assert _flat_rows_json(rows) == json.dumps(rows, indent=2, default=_default, ensure_ascii=False)


# -- bulk import and a big store ---------------------------------------------------


def test_bulk_import_is_one_process_saving_every_file(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dataset_tui.cli import main

    files = []
    for i in range(60):
        path = isolated_env / f"d{i}.json"
        path.write_text(json.dumps({**example_dict(), "name": f"bulk_{i:02d}"}))
        files.append(str(path))
    db = str(isolated_env / "store")
    none = str(isolated_env / "none.duckdb")
    assert main(["--db", db, "--warehouse", none, "definition", "import", "--json", *files]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in rows] == ["created"] * 60
    assert main(["--db", db, "--warehouse", none, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in listed] == [f"bulk_{i:02d}" for i in range(60)]


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.store import build_ours

    folder = tmp_path_factory.mktemp("big") / "store"
    build_ours(folder, 20_000)
    return folder


def test_list_json_of_20000_datasets(big_store: Path, isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dataset_tui.cli import main

    assert main(["--db", str(big_store), "list", "--json", "--search", "dataset_1999"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in found] == [f"dataset_{i}" for i in range(19990, 20000)]
    assert main(["--db", str(big_store), "list", "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert len(every) == 20_000 and every[0]["name"] == "dataset_00000" and every[-1]["name"] == "dataset_19999"
    assert every[0]["version"] == every[0]["versions"] > 0


async def test_home_list_opens_and_searches_20000_datasets(
    big_store: Path, isolated_env: Path, demo_file: Path
) -> None:
    """Open the app on 20,000 datasets, search in bursts as a user types, clear the search."""
    from dataset_tui.services.context import AppContext
    from dataset_tui.tui.app import DatasetTuiApp
    from dataset_tui.tui.widgets.dataset_list import DatasetList

    ctx = AppContext.open(db=big_store, warehouse=demo_file)
    app = DatasetTuiApp(ctx)
    try:
        async with app.run_test(size=(120, 40)) as pilot:

            async def settle() -> list[str]:
                await pilot.pause(0.05)
                await app.workers.wait_for_complete()
                await pilot.pause()
                return [row.name for row in app.screen.query_one("#datasets", DatasetList).rows]

            shown = await settle()
            assert len(shown) == 20_000 and shown[0] == "dataset_00000"
            await pilot.press("slash", *"dataset_19")
            await pilot.press(*"99")
            assert await settle() == [f"dataset_{i}" for i in range(19990, 20000)]
            assert "10 of 20,000" in str(app.screen.query_one("#count").render())
            await pilot.press("escape")
            assert len(await settle()) == 20_000
    finally:
        ctx.close()


# -- the keys cache: a save parses its own heads file only ------------------------


def _store_of(tmp_path: Path, count: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from bench.store import build_ours

    folder = tmp_path / "store"
    build_ours(folder, count)
    return folder


def _typed(name: str) -> Any:
    from dataset_tui.domain.definition import parse_definition

    data = example_dict(name=name)
    for column, kind in zip(data["columns"], TYPES, strict=True):
        column["type"] = kind
    return parse_definition(data)


def _heads_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from dataset_tui.store.storage import SafeJSONStorage

    parsed: list[str] = []
    original = SafeJSONStorage._parse

    def counting(self: SafeJSONStorage, raw: bytes) -> Any:
        if self.path.parent.name == "heads":
            parsed.append(self.path.name)
        return original(self, raw)

    monkeypatch.setattr(SafeJSONStorage, "_parse", counting)
    return parsed


def test_a_save_in_a_new_process_parses_only_its_own_heads_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.store import NameTakenError, Store

    folder = _store_of(tmp_path, 2_000)
    with Store.open(folder) as store:  # the first save reads every heads file and keeps their keys
        assert definitions.save(store, _typed("first_save")).created
    parsed = _heads_parsed(monkeypatch)
    with Store.open(folder) as store:  # a later process, as the next CLI save
        made = definitions.save(store, _typed("fresh_one"))
        assert made.created and parsed and len(set(parsed)) == 1, parsed
        # Names taken in buckets it did not parse are still seen, ignoring case.
        assert not store.name_available("default", "DATASET_01234")
        with pytest.raises(NameTakenError):
            definitions.save(store, _typed("Dataset_01234"), mode="create")
        updated = definitions.save(store, _typed("DATASET_00042"))  # upsert: a new version of dataset_00042
        assert not updated.created and updated.head.name == "dataset_00042"
        assert len(set(parsed)) <= 3, parsed
    monkeypatch.undo()
    with Store.open(folder) as store:  # and everything reads as saved
        names = [h.name for h in definitions.list_datasets(store, "default")]
        assert len(names) == 2_002 and "fresh_one" in names
        assert definitions.get_dataset(store, "default", "dataset_00042").revision == updated.head.revision


def test_names_known_from_the_keys_cache_answer_as_parsed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.store import Store

    folder = _store_of(tmp_path, 300)
    with Store.open(folder) as store:
        definitions.delete(store, "default", "dataset_00007", force=True)
        definitions.save(store, {**_typed("other_model").to_dict(), "model": "second"})
    parsed = _heads_parsed(monkeypatch)
    with Store.open(folder) as store:  # every bucket from the keys cache
        assert store.name_available("default", "Dataset_00007")  # deleted: its name is free
        assert not store.name_available("default", "DATASET_00008")
        assert store.name_available("second", "dataset_00008")  # names are per model
        assert not store.name_available("second", "OTHER_MODEL")
        assert store.models() == ["default", "second"]
        assert parsed == []
        assert definitions.get_dataset(store, "default", "DATASET_00123").name == "dataset_00123"
        assert len(parsed) == 1  # the bucket of the dataset asked for
        definitions.undelete(store, "default", "dataset_00007")
        assert not store.name_available("default", "dataset_00007")


def test_a_stale_or_damaged_keys_cache_is_not_believed(tmp_path: Path) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.store import Store

    folder = _store_of(tmp_path, 300)
    heads = folder / "heads"
    (heads / "keys.cache").write_bytes(b"{}")  # the one-file cache of an older release
    with Store.open(folder) as store:
        definitions.save(store, _typed("first_save"))
    assert not (heads / "keys.cache").exists()
    caches = sorted(heads.glob("*.keys"))
    assert len(caches) == 32  # one per heads file
    old = {path: path.read_bytes() for path in caches}
    with Store.open(folder) as store:
        definitions.save(store, _typed("after_the_cache"))
        definitions.delete(store, "default", "dataset_00007", force=True)
    assert sum(path.read_bytes() != data for path, data in old.items()) <= 2  # only the changed buckets' keys
    for path, data in old.items():  # the keys as they were before the save and the delete
        path.write_bytes(data)
    with Store.open(folder) as store:
        assert not store.name_available("default", "after_the_cache")
        assert store.name_available("default", "dataset_00007")
        assert definitions.get_dataset(store, "default", "after_the_cache").versions == 1
    damages = (
        b"",
        b"\x00garbage",
        b'{"format": 2, "stamp": [1, 2, 3], "count": 2, "ids": "x", "doc_ids": [1], "models": 1}',
    )
    for damage in damages:
        for path in caches:
            path.write_bytes(damage)
        with Store.open(folder) as store:
            assert definitions.count_datasets(store, "default") == 301
            assert not store.name_available("default", "dataset_00100")

"""The dataset and definition commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_support import Cli, quiet_environment  # noqa: F401 - fixtures
from dataset_tui.cli import main
from example_definition import example_dict
from store_support import definition_dict, small_warehouse

pytestmark = pytest.mark.usefixtures("quiet_environment")


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys, tmp_path / "db", tmp_path / "warehouse.duckdb")


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_import_saves_good_files_and_lists_every_problem_of_bad_ones(cli: Cli, tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", definition_dict("good"))
    bad_data = definition_dict("bad name", surprise=True)
    bad_data["split"]["train_percent"] = 0
    bad = write(tmp_path / "bad.json", bad_data)
    code, out, err = cli("definition", "import", good, bad, "--note", "first import")
    assert code == 1
    assert out == f"{good}: created good v1 (default)\n"
    assert f"error: {bad}: invalid definition (3 problem(s))" in err
    for path in ("name:", "surprise:", "split.train_percent:"):
        assert f"  {path}" in err
    assert "1 of 2 file(s) not saved" in err
    assert "Traceback" not in err
    assert [row["name"] for row in cli.json("list")] == ["good"]
    assert cli.json("versions", "good")[0]["note"] == "first import"


def test_list_show_versions_and_diff_json_shapes(cli: Cli, tmp_path: Path) -> None:
    cli("definition", "import", write(tmp_path / "a.json", definition_dict(percent=80)))
    cli("definition", "import", write(tmp_path / "b.json", definition_dict(percent=70)), "--note", "seventy")
    [row] = cli.json("list")
    assert {"name", "status", "version", "tables", "columns", "updated_at"} <= set(row)
    assert (row["name"], row["status"], row["version"], row["tables"], row["columns"]) == (
        "purchases_6m",
        "draft",
        2,
        2,
        5,
    )
    assert row["updated_at"].endswith("Z")
    versions = cli.json("versions", "purchases_6m")
    assert [set(v) >= {"version", "created_at", "status", "definition_hash", "note"} for v in versions] == [True, True]
    assert [(v["version"], v["status"], v["note"]) for v in versions] == [(2, "draft", "seventy"), (1, "draft", None)]
    shown = cli.json("show", "purchases_6m")
    assert shown["definition"]["split"]["train_percent"] == 70 and shown["analysis"] is None
    changes = cli.json("diff", "purchases_6m", "1")["changes"]
    assert changes == [{"path": "split.train_percent", "kind": "changed", "old": 80, "new": 70}]
    code, out, _ = cli("diff", "purchases_6m", "1", "2")
    assert code == 0 and '-    "train_percent": 80\n+    "train_percent": 70\n' in out
    code, out, _ = cli("list", "--status", "active")
    assert code == 0 and "match" in out
    code, out, _ = cli("list")
    assert "purchases_6m" in out and "draft" in out


def test_activate_checks_the_version_against_the_warehouse(cli: Cli, tmp_path: Path) -> None:
    small_warehouse(cli.warehouse)
    wrong = definition_dict()
    wrong["columns"][4]["name"] = "colour"
    cli("definition", "import", write(tmp_path / "d.json", wrong))
    code, _, err = cli("activate", "purchases_6m")
    assert code == 1 and "v1 was not activated" in err and "colour" in err
    assert cli.json("list")[0]["status"] == "draft"


def test_activate_then_save_keeps_exporting_the_active_version(cli: Cli, tmp_path: Path) -> None:
    small_warehouse(cli.warehouse)
    for percent in (80, 70, 60):
        cli("definition", "import", write(tmp_path / "d.json", definition_dict(percent=percent)))
    code, out, _ = cli("activate", "purchases_6m")
    assert code == 0 and "v3 is active" in out
    cli("definition", "import", write(tmp_path / "d.json", definition_dict(percent=50)))
    code, out, _ = cli("list")
    assert "active v3 · draft v4" in out
    code, out, err = cli("export", "purchases_6m", "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "purchases_6m_v3_eval.sql",
        "purchases_6m_v3_full.sql",
        "purchases_6m_v3_train.sql",
    ]
    assert "train bucket < 60" in (tmp_path / "out" / "purchases_6m_v3_train.sql").read_text()
    code, out, _ = cli("export", "purchases_6m", "--split", "train", "-o", "-", "--version", "4")
    assert code == 0 and out.startswith("-- dataset-tui: dataset purchases_6m") and "train bucket < 50" in out
    code, out, _ = cli("definition", "export", "purchases_6m")
    assert json.loads(out)["split"]["train_percent"] == 60
    # Existing files: refused without a terminal to ask, replaced with --yes.
    code, _, err = cli("export", "purchases_6m", "-o", str(tmp_path / "out"))
    assert code == 1 and "already exist" in err and "--yes" in err
    code, _, err = cli("export", "purchases_6m", "-o", str(tmp_path / "out"), "--yes")
    assert code == 0, err


def test_conflicting_import_prints_what_to_do(cli: Cli, tmp_path: Path) -> None:
    cli("definition", "import", write(tmp_path / "a.json", definition_dict(percent=80)))
    cli("definition", "import", write(tmp_path / "b.json", definition_dict(percent=70)))
    code, _, err = cli(
        "definition", "import", write(tmp_path / "c.json", definition_dict(percent=60)), "--base-version", "1"
    )
    assert code == 1
    assert "you started from v1" in err and "Nothing was saved" in err
    assert "definition export NAME" in err
    assert cli.json("list")[0]["version"] == 2


def test_clone_rename_delete_undelete_purge(cli: Cli, tmp_path: Path) -> None:
    small_warehouse(cli.warehouse)
    cli("definition", "import", write(tmp_path / "a.json", definition_dict("a")))
    cli("definition", "import", write(tmp_path / "b.json", definition_dict("b")))
    code, _, err = cli("clone", "a", "b")
    assert code == 1 and "'b' already exists" in err
    assert cli("clone", "a", "c")[0] == 0
    assert cli("rename", "c", "d")[0] == 0
    cli("activate", "a")
    code, _, err = cli("delete", "a")
    assert code == 1 and "is active" in err and "--force" in err
    assert cli("delete", "a", "--force")[0] == 0
    assert cli("delete", "d")[0] == 0
    assert [r["name"] for r in cli.json("deleted")] == ["d", "a"]
    cli("definition", "import", write(tmp_path / "a2.json", definition_dict("a")))
    code, _, err = cli("undelete", "a")
    assert code == 1 and "--as NEW" in err
    code, out, _ = cli("undelete", "a", "--as", "a_old")
    assert code == 0 and "a_old" in out
    assert cli("purge", "d")[0] == 0
    assert cli.json("deleted") == []
    assert sorted(r["name"] for r in cli.json("list")) == ["a", "a_old", "b"]
    code, _, err = cli("show", "d")
    assert code == 1 and "no dataset named 'd'" in err
    code, out, _ = cli("restore", "b", "1")
    assert code == 0 and "equals the latest" in out


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("diff", "x", "one")[0] == 2
    assert cli("export", "x", "--split", "weird")[0] == 2
    assert cli("export", "x", "--as-of", "2025-13-01")[0] == 2
    assert cli("definition")[0] == 2


def test_store_problems_are_clear_errors(cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("")
    code = main(["--db", str(tmp_path / "a-file" / "db"), "list"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot create the store folder" in err and "Traceback" not in err

    cli("definition", "import", write(tmp_path / "a.json", definition_dict("a")))
    cli("definition", "import", write(tmp_path / "a.json", definition_dict("a", percent=5)))
    [bucket] = (cli.db / "heads").glob("*.json")
    bucket.write_text('{"heads": ')
    code, _, err = cli("list")
    assert code == 1 and str(bucket) in err and f"cp '{bucket}.bak' '{bucket}'" in err


def test_schema_is_json_schema(cli: Cli) -> None:
    code, out, _ = cli("definition", "schema")
    schema = json.loads(out)
    assert code == 0 and "dataset-tui/1" in schema["title"] and "columns" in schema["properties"]


def test_the_installed_command(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("DATASET_TUI_DB", None)
    run = [sys.executable, "-m", "dataset_tui", "--db", str(tmp_path / "db")]
    listed = subprocess.run([*run, "list", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert (listed.returncode, json.loads(listed.stdout)) == (0, [])
    missing = subprocess.run([*run, "versions", "nope"], capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 1 and missing.stderr.startswith("dataset-tui: error: no dataset named 'nope'")


def test_the_store_folder_comes_from_the_environment_without_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATASET_TUI_DB", str(tmp_path / "from-env"))
    assert main(["definition", "import", write(tmp_path / "a.json", definition_dict("a"))]) == 0
    assert (tmp_path / "from-env" / "meta.json").exists()
    monkeypatch.delenv("DATASET_TUI_DB")
    # Else the user data dir (XDG_DATA_HOME here): a different, empty store.
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert (tmp_path / "data" / "dataset-tui" / "store" / "meta.json").exists()


def test_import_fills_column_types_from_a_local_warehouse(
    tmp_path: Path, demo_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a warehouse at hand the file gains its types, so the TFX export works at once."""
    example = example_dict()
    assert all("type" not in c for c in example["columns"])
    typed, bare = Cli(capsys, tmp_path / "db1", demo_file), Cli(capsys, tmp_path / "db2", tmp_path / "none.duckdb")
    path = write(tmp_path / "purchases.json", example)
    for cli in (typed, bare):
        code, _, err = cli("definition", "import", path)
        assert code == 0, err
    shown = typed.json("show", "purchases_6m")
    assert [c.get("type") for c in shown["definition"]["columns"]] == [
        "STRING",
        "STRING",
        "TIMESTAMP",
        "NUMERIC",
        "STRING",
    ]
    code, out, err = typed("export", "purchases_6m", "--tfx", "-o", "-")
    assert code == 0, err
    assert "UNIX_SECONDS" in out
    # No warehouse: the file is saved as it is, and TFX says what is missing.
    assert all("type" not in c for c in bare.json("show", "purchases_6m")["definition"]["columns"])
    code, _, err = bare("export", "purchases_6m", "--tfx", "-o", "-")
    assert code == 1 and "type" in err

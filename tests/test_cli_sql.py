"""`dataset-tui sql FILE.json`: SQL on stdout, every problem with its field path on stderr."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from dataset_tui.cli import main
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import SqlContext, generate_sql
from dataset_tui.domain.tfx import tfx_input_config
from example_definition import example_dict

GOOD: dict[str, Any] = example_dict(typed=True)


def write(tmp_path: Path, data: Any, name: str = "purchases.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sql", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_full_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, str(write(tmp_path, GOOD)))
    assert (code, err) == (0, "")
    assert out == generate_sql(parse_definition(GOOD), label="file purchases.json")
    assert len(sqlglot.parse(out, read="bigquery")) == 1
    assert "-- version: file purchases.json" in out and "CURRENT_DATE()" in out


def test_split_as_of_and_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write(tmp_path, GOOD))
    code, out, _ = cli(capsys, path, "--split", "eval", "--as-of", "2026-11-27", "--project", "my-project")
    assert code == 0
    assert "CURRENT_DATE" not in out and "DATE '2026-11-27'" in out
    assert "`my-project.raw_data.transactions`" in out
    assert "ABS(MOD(FARM_FINGERPRINT(CAST(`user_id` AS STRING)), 100)) >= 80" in out


def test_tfx_prints_the_input_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(write(tmp_path, GOOD)), "--tfx", "--as-of", "2026-11-27")
    assert code == 0
    config = json.loads(out)
    import datetime as dt

    assert config == tfx_input_config(
        parse_definition(GOOD), SqlContext(as_of=dt.date(2026, 11, 27), label="file purchases.json")
    )


def test_tfx_with_a_split_prints_that_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(write(tmp_path, GOOD)), "--tfx", "--split", "train")
    assert code == 0
    assert "UNIX_SECONDS(`timestamp`) AS `timestamp`" in out
    assert out == generate_sql(parse_definition(GOOD), "train", tfx=True, label="file purchases.json")


def test_snippet_is_python(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, str(write(tmp_path, GOOD)), "--snippet")
    assert code == 0
    compile(out, "snippet.py", "exec")
    assert "BigQueryExampleGen(" in out and "TRAIN_QUERY" in out and "EVAL_QUERY" in out


def test_dash_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(GOOD).encode())))
    code, out, _ = cli(capsys, "-", "--split", "train")
    assert code == 0
    assert out == generate_sql(parse_definition(GOOD), "train", label="file <stdin>")


def bad(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


@pytest.mark.parametrize(
    "data,expected",
    [
        ("{not json", ["not valid JSON (line 1"]),
        (bad(format="dataset-tui/2"), ["format: must be 'dataset-tui/1'"]),
        (
            bad(source__colour="red", columns__0__extra=1),
            ["source.colour: unknown key", "columns[0].extra: unknown key"],
        ),
        (
            bad(columns=[{"table": "transactions", "name": "ts"}]),
            ["filters.date_range:", "filters.top_products_percent:", "filters.min_transactions:", "split.key:"],
        ),
        (bad(columns__4__alias="USER_ID"), ["columns[4].alias: output name 'USER_ID' is already used by columns[0]"]),
        (
            bad(filters__top_products_percent=100, split__train_percent=0),
            ["filters.top_products_percent:", "split.train_percent:"],
        ),
        (
            bad(filters__date_range={"type": "fixed", "start": "2026-05-01", "end": "2026-04-01"}),
            ["filters.date_range.start: start 2026-05-01 is after end 2026-04-01"],
        ),
    ],
    ids=["malformed", "format", "unknown-keys", "missing-roles", "duplicate-names", "out-of-range", "start-after-end"],
)
def test_bad_files_exit_1_listing_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, expected: list[str]
) -> None:
    code, out, err = cli(capsys, str(write(tmp_path, data)))
    assert code == 1 and out == ""
    assert "purchases.json" in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "data,args,expected",
    [
        (bad(split=None), ["--split", "train"], 'no "split"'),
        (bad(split=None), ["--tfx"], 'no "split"'),
        (bad(columns__4__type=None), ["--tfx"], "columns[4] (products.category as product_category)"),
        (bad(columns__4__type="ARRAY<STRING>"), ["--snippet"], "BigQueryExampleGen cannot read"),
        (GOOD, ["--project", "Not_A_Project"], "project 'Not_A_Project'"),
    ],
)
def test_sql_errors_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, args: list[str], expected: str
) -> None:
    if data.get("split") is None:
        data = {k: v for k, v in data.items() if k != "split"}
    if any(c.get("type", "") is None for c in data["columns"]):
        data["columns"] = [{k: v for k, v in c.items() if v is not None} for c in data["columns"]]
    code, out, err = cli(capsys, str(write(tmp_path, data)), *args)
    assert code == 1 and out == ""
    assert expected in err


def test_missing_file_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, str(tmp_path / "nope.json"))
    assert code == 1 and "no such file" in err
    code, _, err = cli(capsys, str(tmp_path))
    assert code == 1 and "is a folder" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write(tmp_path, GOOD))
    with pytest.raises(SystemExit) as caught:
        main(["sql", path, "--as-of", "2026-02-30"])
    assert caught.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = cli(capsys, path, "--snippet", "--split", "train")
    assert code == 2 and "leave out --split" in err


def test_installed_command_end_to_end(tmp_path: Path) -> None:
    path = write(tmp_path, bad(name="bad name", filters__min_transactions=0), "bad.json")
    script = Path(sys.executable).parent / "dataset-tui"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dataset_tui"]
    result = subprocess.run([*command, "sql", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert "name: name 'bad name' is not allowed" in result.stderr
    assert "filters.min_transactions:" in result.stderr
    assert "Traceback" not in result.stderr


# -- `sql NAME`: a stored dataset, through the services ------------------------


@pytest.fixture
def stored(isolated_env: Path) -> Path:
    """A store with purchases_6m: v1 active, v2 a newer draft (min_transactions 5)."""
    from dataset_tui.services import definitions
    from dataset_tui.services.context import AppContext

    db = isolated_env / "store"
    ctx = AppContext.open(db=db)
    definitions.save(ctx, parse_definition(GOOD))
    definitions.activate(ctx.store, ctx.model, "purchases_6m", checks=None)
    newer = json.loads(json.dumps(GOOD))
    newer["filters"]["min_transactions"] = 5
    definitions.save(ctx, parse_definition(newer), base_revision=1)
    ctx.close()
    return db


def sql_of(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "sql", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_name_uses_the_active_version_and_version_picks_another(
    stored: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = sql_of(stored, capsys, "purchases_6m", "--split", "train", "--as-of", "2025-06-01")
    assert (code, err) == (0, "")
    assert "-- version: purchases_6m v1" in out
    # the same text `export` writes for the version in use
    assert main(["--db", str(stored), "export", "purchases_6m", "--split", "train", "--as-of", "2025-06-01"]) == 0
    capsys.readouterr()
    assert out == (tmp_path / "purchases_6m_v1_train.sql").read_text()
    v2_train = ("--version", "2", "--split", "train", "--as-of", "2025-06-01")
    code, out2, _ = sql_of(stored, capsys, "purchases_6m", *v2_train)
    assert code == 0 and "-- version: purchases_6m v2" in out2
    assert main(["--db", str(stored), "export", "purchases_6m", *v2_train]) == 0
    capsys.readouterr()
    assert out2 == (tmp_path / "purchases_6m_v2_train.sql").read_text() != out


def test_name_without_an_active_version_uses_the_latest(isolated_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dataset_tui.services import definitions
    from dataset_tui.services.context import AppContext

    ctx = AppContext.open(db=isolated_env / "store")
    definitions.save(ctx, parse_definition(GOOD))
    newer = json.loads(json.dumps(GOOD))
    newer["filters"]["min_transactions"] = 5
    definitions.save(ctx, parse_definition(newer), base_revision=1)
    ctx.close()
    code, out, _ = sql_of(isolated_env / "store", capsys, "purchases_6m")
    assert code == 0 and "-- version: purchases_6m v2" in out


def test_unknown_name_and_bad_version_say_what_to_do(stored: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = sql_of(stored, capsys, "nothing_here")
    assert code == 1 and "no such file, and no dataset nothing_here" in err and "dataset-tui list" in err
    code, _, err = sql_of(stored, capsys, "purchases_6m", "--version", "9")
    assert code == 1 and "9" in err and "Traceback" not in err


def test_a_path_still_works_and_a_clash_says_which(
    stored: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, GOOD)
    code, out, err = sql_of(stored, capsys, str(path))
    assert (code, err) == (0, "") and "-- version: file purchases.json" in out
    code, _, err = sql_of(stored, capsys, str(path), "--version", "2")
    assert code == 2 and "is a file" in err
    # a file in this folder called like the dataset: the file, and stderr says so
    monkeypatch.chdir(tmp_path)
    write(tmp_path, GOOD, "purchases_6m")
    code, out, err = sql_of(stored, capsys, "purchases_6m")
    assert code == 0 and "-- version: file purchases_6m" in out
    assert "is a file here and a dataset" in err

"""Issue 13's guarded paths, each reproduced through the CLI: writes only where asked, clear errors
for hostile input, one line (and a log file) for the unexpected, terminal-safe output."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "purchases_6m.json"


class Run:
    def __init__(self, capsys: pytest.CaptureFixture[str], env: Path) -> None:
        self.capsys, self.env = capsys, env

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main(["--db", str(self.env / "store"), "--warehouse", str(self.env / "none.duckdb"), *args])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out
        return code, out, err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("DATASET_TUI_LOG_DIR", str(isolated_env / "logs"))
    return Run(capsys, isolated_env)


def definition(**changes: Any) -> dict[str, Any]:
    data = json.loads(EXAMPLE.read_text())
    data.update(changes)
    return data


def saved(run: Run, tmp_path: Path, **changes: Any) -> str:
    file = tmp_path / "def.json"
    file.write_text(json.dumps(definition(**changes)))
    code, _, err = run("definition", "import", str(file))
    assert code == 0, err
    return str(definition(**changes)["name"])


# -- 13.1: definition export -o PATH ----------------------------------------------------


def test_definition_export_refuses_special_files_and_existing_files(run: Run, tmp_path: Path) -> None:
    name = saved(run, tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run("definition", "export", name, "-o", str(fifo), "--yes")
    assert code == 1 and "FIFO" in err and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    code, _, err = run("definition", "export", name, "-o", "/")
    assert code == 1 and "error:" in err
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run("definition", "export", name, "-o", str(folder), "--yes")
    assert code == 1 and "directory" in err and list(folder.iterdir()) == []
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    code, _, err = run("definition", "export", name, "-o", str(link))
    assert code == 1 and "already exist" in err and link.is_symlink()  # not replaced without --yes
    existing = tmp_path / "mine.json"
    existing.write_text("keep me")
    code, _, err = run("definition", "export", name, "-o", str(existing))
    assert code == 1 and "--yes" in err and existing.read_text() == "keep me"
    code, _, err = run("definition", "export", name, "-o", str(existing), "--yes")
    assert code == 0, err
    assert json.loads(existing.read_text())["name"] == name
    code, _, _ = run("definition", "export", name, "-o", str(tmp_path / "new.json"))
    assert code == 0 and json.loads((tmp_path / "new.json").read_text())["name"] == name


def test_export_refuses_a_fifo_in_the_folder_even_with_yes(run: Run, tmp_path: Path) -> None:
    name = saved(run, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / f"{name}_v1_full.sql")
    code, _, err = run("export", name, "-o", str(out), "--split", "full", "--yes")
    assert code == 1 and "FIFO" in err
    assert sorted(p.name for p in out.iterdir()) == [f"{name}_v1_full.sql"]  # nothing else written


def test_export_json_to_stdout_is_json(run: Run, tmp_path: Path) -> None:
    name = saved(run, tmp_path)
    code, out, err = run("export", name, "--split", "full", "-o", "-", "--json")
    assert code == 0, err
    item = json.loads(out)
    assert item["kind"] == "full" and item["content"].lstrip().upper().startswith(("--", "WITH", "SELECT"))


# -- 13.7 / 13.8: limits and clear errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "dataset-tui/1", "name": "a", "n": ' + "9" * 5000 + "}", "digits"),
        ("[" * 50_000 + "]" * 50_000, "nested"),
        ('{"format": "dataset-tui/1", "name": "a", "name": "b"}', "'name' appears twice"),
    ],
    ids=["huge-integer", "deep-nesting", "duplicate-key"],
)
def test_hostile_definition_files_get_clear_errors(run: Run, tmp_path: Path, text: str, expected: str) -> None:
    file = tmp_path / "bad.json"
    file.write_text(text)
    for args in (("definition", "import", str(file)), ("sql", str(file))):
        code, _, err = run(*args)
        assert code == 1 and expected in err, err
        assert "unexpected" not in err


def test_too_many_columns_and_a_huge_description_are_refused_before_work(run: Run, tmp_path: Path) -> None:
    columns = definition()["columns"] + [{"table": "transactions", "name": f"c{i}"} for i in range(1500)]
    file = tmp_path / "wide.json"
    file.write_text(json.dumps(definition(columns=columns)))
    code, _, err = run("sql", str(file))
    assert code == 1 and "at most 1,000" in err and "Maximum number of tokens" not in err
    big = tmp_path / "big.json"
    big.write_text(json.dumps(definition(description="x" * 50_000_000)))
    started = time.perf_counter()
    code, _, err = run("definition", "import", str(big))
    assert code == 1 and "bytes; a definition file is at most" in err
    assert time.perf_counter() - started < 5  # refused from its size, not parsed
    medium = tmp_path / "medium.json"
    medium.write_text(json.dumps(definition(description="y" * 20_000)))
    code, _, err = run("definition", "import", str(medium))
    assert code == 1 and "description" in err and "10,000" in err


def test_limit_bounds_are_usage_errors(run: Run) -> None:
    for value in ("99999999999999999999", "0", "-5", "1e3"):
        with pytest.raises(SystemExit) as caught:
            run("preview", "x", "--limit", value)
        assert caught.value.code == 2


def test_toml_hostile_values_are_clear_errors(run: Run, isolated_env: Path) -> None:
    config = Path(os.environ["DATASET_TUI_CONFIG"])
    config.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = run("list")
    assert code == 1 and "nested too deeply" in err
    config.write_text('[profiles.x]\nbackend = "bigquery"\nproject = "p"\nmax_bytes_billed = ' + "9" * 400 + "\n")
    code, _, err = run("list")
    assert code == 1 and "max_bytes_billed" in err
    config.write_text('[profiles.x]\nbackend = "bigquery"\nproject = "p"\nmax_bytes_billed = "' + "9" * 400 + ' GB"\n')
    code, _, err = run("list")
    assert code == 1 and "too large" in err


def test_an_unexpected_error_is_one_line_and_a_log_file(
    run: Run, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataset_tui.services import definitions

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(definitions, "schema_text", broken)
    code, out, err = run("definition", "schema")
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "unexpected KeyError" in lines[0]
    log = isolated_env / "logs" / "errors.log"
    assert str(log) in lines[0]
    assert "Traceback" in log.read_text() and "a bug" in log.read_text()


class _FullStdout:
    """A stdout on a full device."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def fileno(self) -> int:
        return os.open(os.devnull, os.O_WRONLY)

    def isatty(self) -> bool:
        return False


def test_stdout_on_a_full_device_is_one_line(
    run: Run, isolated_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout", _FullStdout())
    code = main(["--db", str(isolated_env / "store"), "definition", "schema"])
    err = capsys.readouterr().err
    assert code == 1 and "no space left" in err and "Traceback" not in err


# -- 13.10: terminal-safe output ------------------------------------------------------------


HOSTILE = "clear\x1b[2J title\x1b]0;pwned\x07 clip\x1b]52;c;ZXZpbA==\x07 rtl\u202egnp.exe csi\x9b31m"


def test_show_escapes_terminal_controls_in_the_description(run: Run, tmp_path: Path) -> None:
    name = saved(run, tmp_path, description=HOSTILE)
    code, out, err = run("show", name)
    assert code == 0, err
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in out
    assert "\\x1b[2J" in out and "\\u202e" in out
    code, out, _ = run("show", name, "--json")
    assert json.loads(out)["description"] == HOSTILE  # JSON keeps the data exact


def test_errors_quoting_user_text_are_sanitised(run: Run) -> None:
    code, _, err = run("show", "x\x1b]0;t\x07")
    assert code == 1 and "\x1b" not in err and "\x07" not in err


def test_the_sanitiser() -> None:
    from dataset_tui.text_safety import is_safe, safe

    assert safe("a\tb\nc") == "a\tb\nc"
    assert safe("a\nb", one_line=True) == "a\\x0ab"
    assert safe("\x00\x7f\x85\u2066\u200f\ud800") == "\\x00\\x7f\\x85\\u2066\\u200f\\ud800"
    assert is_safe(safe(HOSTILE)) and safe("日本語 ok") == "日本語 ok"


# -- 13.11: smaller ones ------------------------------------------------------------------


def test_a_table_name_with_a_trailing_newline_is_refused(run: Run, tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n")
    code, _, err = run("--warehouse", str(tmp_path / "w.duckdb"), "warehouse", "import", str(csv), "--table", "evil\n")
    assert code == 1 and "not allowed" in err
    assert not (tmp_path / "w.duckdb").exists()


def test_a_mistyped_warehouse_path_is_an_error_not_a_demo(run: Run, tmp_path: Path) -> None:
    typo = tmp_path / "wherehouse.duckdb"
    for args in (("tables",), ("schema", "transactions"), ("stats", "transactions")):
        code, out, err = run("--warehouse", str(typo), *args)
        assert code == 1 and f"no warehouse at {typo}" in err and "warehouse demo" in err, err
        assert out == "" and not typo.exists()


def test_a_device_is_never_read_as_a_definition_or_written_as_a_warehouse(run: Run, tmp_path: Path) -> None:
    """`/dev/zero` as a definition file used to be read until memory ran out."""
    for args in (("sql", "/dev/zero"), ("definition", "import", "/dev/zero")):
        code, _, err = run(*args)
        assert code == 1 and "not a regular file" in err, err
    csv = tmp_path / "t.csv"
    csv.write_text("a\n1\n")
    link = tmp_path / "null.duckdb"
    link.symlink_to("/dev/null")
    code, _, err = run("--warehouse", str(link), "warehouse", "import", str(csv), "--table", "t")
    assert code == 1 and "not a regular file" in err
    code, _, err = run("--warehouse", str(link), "warehouse", "demo", "--force", "--rows", "10")
    assert code == 1 and "not a regular file" in err
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)

"""Hypothesis over the CLI's argument space and over definition files: whatever comes in, no
traceback reaches stderr, the exit status is 0, 1 or 2, and what a terminal would get is safe.

In-process through `main()` for speed, plus a few real subprocess runs (the console entry,
real stdout/stderr)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dataset_tui.cli import main

SRC = Path(__file__).resolve().parent.parent / "src"
EXAMPLE = json.loads((Path(__file__).resolve().parent.parent / "examples" / "purchases_6m.json").read_text())

COMMANDS = [
    ["list"], ["show"], ["versions"], ["diff"], ["clone"], ["activate"], ["delete"], ["deleted"], ["undelete"],
    ["purge"], ["export"], ["sql"], ["definition", "import"], ["definition", "export"], ["definition", "schema"],
    ["profiles"], ["tables"], ["schema"], ["samples"], ["joins"], ["suggest"], ["validate"], ["preview"],
    ["analyze"], ["compare"], ["stats"], ["warehouse", "import"],
]
NASTY = st.sampled_from(
    [
        "", "-", "--", "/", ".", "..", "/dev/null", "/dev/zero", "/proc/self/mem", "x" * 5000, "9" * 5000,
        "-1", "0", "99999999999999999999", "1e9", "nan", "\x1b[2J", "\u202e", "a\nb", "é", "--yes", "--json",
        "--force", "-o", "--limit", "--version", "--split", "all", "full", "--table", "evil\n", "--as-of",
        "2026-02-30", "purchases_6m", "transactions", "raw_data.transactions", "{}", "[", "--rows", "0",
    ]
)
TEXT_ARG = st.one_of(NASTY, st.text(min_size=0, max_size=30).filter(lambda s: "\x00" not in s))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, demo_file: Path) -> Any:
    home = tmp_path_factory.mktemp("hyp")
    names = ("DATASET_TUI_CONFIG", "DATASET_TUI_LOG_DIR", "DATASET_TUI_WAREHOUSE", "DATASET_TUI_DB")
    saved = {k: os.environ.get(k) for k in names}
    cwd = os.getcwd()
    config = home / "config.toml"
    config.write_text("")
    definition = home / "def.json"
    definition.write_text(json.dumps(EXAMPLE))
    yield {"home": home, "config": config, "definition": definition, "warehouse": demo_file}
    os.chdir(cwd)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def run_main(env: dict[str, Path], args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    os.environ["DATASET_TUI_CONFIG"] = str(env["config"])
    os.environ["DATASET_TUI_LOG_DIR"] = str(env["home"] / "logs")
    os.environ.pop("DATASET_TUI_WAREHOUSE", None)
    os.environ.pop("DATASET_TUI_DB", None)
    os.chdir(env["home"])  # `export` with no -o writes into the current folder
    code: Any
    try:
        code = main(["--db", str(env["home"] / "store"), "--warehouse", str(env["warehouse"]), *args])
    except SystemExit as exc:  # argparse: usage errors and --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(command=st.sampled_from(COMMANDS), rest=st.lists(TEXT_ARG, max_size=5))
def test_any_arguments_never_give_a_traceback(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str], command: list[str], rest: list[str]
) -> None:
    # Never let a generated run touch the shared demo file or read a terminal: keep to reads.
    if command[0] in ("delete", "purge", "undelete", "activate", "clone") or "--force" in rest:
        rest = [r for r in rest if r not in ("--yes", "--force")]
    args = [*command, *rest]
    if command == ["warehouse", "import"] or "-o" in rest:
        args = [a for a in args if a != "-o"]
        if command == ["warehouse", "import"]:
            return  # writing into the shared demo file is covered by its own tests
    code, out, err = run_main(env, args, capsys)
    assert "Traceback" not in err and "Traceback" not in out
    assert code in (0, 1, 2, None), (args, code, err)
    assert "\x1b" not in err  # stderr is always sanitised


JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


def _mutate(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(data))
    target = copy
    parts = key.split(".")
    for part in parts[:-1]:
        target = target[part] if isinstance(target, dict) else target[int(part)]
    if isinstance(target, dict):
        target[parts[-1]] = value
    else:
        target[int(parts[-1])] = value
    return copy


FIELDS = [
    "name", "model", "description", "source", "source.primary", "source.joins", "columns", "columns.0",
    "columns.0.name", "columns.0.role", "columns.0.type", "filters", "filters.date_range", "filters.date_range.months",
    "filters.top_products_percent", "filters.min_transactions", "split", "split.train_percent", "split.type", "format",
]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(FIELDS), value=JSON_VALUE, raw=st.booleans(), junk=st.text(max_size=40))
def test_any_definition_file_never_gives_a_traceback(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str], field: str, value: Any, raw: bool, junk: str
) -> None:
    file = env["home"] / "fuzz.json"
    if raw:
        text = json.dumps(EXAMPLE)
        cut = len(junk) % len(text)
        file.write_text(text[:cut] + junk + text[cut:], encoding="utf-8", errors="surrogatepass")
    else:
        file.write_text(json.dumps(_mutate(EXAMPLE, field, value)), encoding="utf-8", errors="surrogatepass")
    for args in (["sql", str(file)], ["sql", str(file), "--tfx"], ["definition", "import", str(file), "--json"]):
        code, out, err = run_main(env, args, capsys)
        assert "Traceback" not in err and "Traceback" not in out
        assert "unexpected" not in err, (args, err)  # every bad file gets a worded error, not the boundary
        assert code in (0, 1), (args, code, err)


@pytest.mark.parametrize(
    "args",
    [
        ["definition", "export", "nope", "-o", "/"],
        ["preview", "x", "--limit", "99999999999999999999"],
        ["show", "\x1b]0;title\x07"],
        ["sql", "/dev/null"],
        ["definition", "import", "/"],
    ],
)
def test_real_processes_never_print_a_traceback(env: dict[str, Path], args: list[str]) -> None:
    environ = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DATASET_TUI_CONFIG": str(env["config"]),
        "DATASET_TUI_LOG_DIR": str(env["home"] / "logs"),
    }
    code = "import sys; from dataset_tui.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(env["home"] / "store"), *args],
        env=environ, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith(("dataset-tui", "usage:"))
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr


def test_a_closed_stdout_pipe_is_quiet(env: dict[str, Path]) -> None:
    environ = {**os.environ, "PYTHONPATH": str(SRC), "DATASET_TUI_CONFIG": str(env["config"])}
    code = "import sys; from dataset_tui.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--db", str(env["home"] / "store"), "definition", "schema"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.read(10)
    proc.stdout.close()  # the reader leaves (`| head -c 10`)
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and proc.returncode == 0

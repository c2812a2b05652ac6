"""`dataset-tui` with global options only opens the app without registering the subcommands."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dataset_tui.cli import build_parser, opens_the_app


@pytest.mark.parametrize(
    ("argv", "app"),
    [
        ([], True),
        (["--db", "d"], True),
        (["--db=d", "--model", "m", "--warehouse", "w.duckdb", "--profile=p"], True),
        (["--db"], False),  # a missing value: the full parser says so
        (["--help"], False),
        (["-h"], False),
        (["list"], False),
        (["--db", "d", "list"], False),
        (["--mod", "m"], False),  # an abbreviation: argparse's to judge
        (["sql", "x", "--db", "d"], False),
    ],
)
def test_which_command_lines_open_the_app(argv: list[str], app: bool) -> None:
    assert opens_the_app(argv) is app


def test_the_app_parser_reads_the_global_options_as_the_full_one() -> None:
    argv = ["--db", "d", "--model=m", "--warehouse", "w.duckdb", "--profile", "p"]
    short, full = build_parser(commands=False).parse_args(argv), build_parser().parse_args(argv)
    assert (
        vars(short)
        == vars(full)
        == {
            "db": "d",
            "model": "m",
            "warehouse": "w.duckdb",
            "profile": "p",
            "command": None,
        }
    )


def test_opening_the_app_imports_no_subcommand_module() -> None:
    code = (
        "import sys; from dataset_tui.cli import build_parser, opens_the_app;"
        "build_parser(commands=not opens_the_app([])).parse_args([]);"
        "print(sorted(m for m in sys.modules if m.startswith('dataset_tui.cli.') and m != 'dataset_tui.cli.common'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

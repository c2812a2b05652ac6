"""`dataset-tui` with global options only opens the app without registering the subcommands."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dataset_tui.cli import build_parser, named_command, opens_the_app


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


def test_each_command_is_registered_by_the_module_the_table_names() -> None:
    import argparse
    import importlib

    from dataset_tui.cli import COMMAND_MODULES

    registered: dict[str, str] = {}
    for module in dict.fromkeys(COMMAND_MODULES.values()):
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"dataset_tui.cli.{module}").register(sub)
        registered.update(dict.fromkeys(sub.choices, module))
    assert registered == COMMAND_MODULES
    full = build_parser()
    choices = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert list(choices) == list(COMMAND_MODULES)  # --help lists every command, in this order


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["definition", "import", "x.json"], "definition"),
        (["--db", "d", "--model=m", "list", "--json"], "list"),
        (["--help"], None),
        (["--db", "d"], None),
        (["bogus"], None),  # the full parser lists the commands in its error
        (["--mod", "m", "list"], None),  # an abbreviation: the full parser
        (["--db", "list"], None),  # "list" is --db's value
    ],
)
def test_which_command_a_command_line_names(argv: list[str], command: str | None) -> None:
    assert named_command(argv) == command


def test_a_command_parses_alike_with_its_module_alone() -> None:
    argv = ["--db", "d", "definition", "import", "a.json", "b.json", "--note", "n", "--json"]
    alone, full = build_parser(only="definition").parse_args(argv), build_parser().parse_args(argv)
    assert vars(alone) == vars(full)


def test_a_command_registers_only_its_own_module() -> None:
    code = (
        "import sys; from dataset_tui.cli import build_parser, named_command;"
        "argv = ['definition', 'import', 'x.json'];"
        "build_parser(only=named_command(argv)).parse_args(argv);"
        "print(sorted(m for m in sys.modules if m.startswith('dataset_tui.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['dataset_tui.cli.common', 'dataset_tui.cli.definitions']"


@pytest.mark.parametrize(("preset", "searched"), [(None, False), ("some_plugin", True)])
def test_the_cli_skips_pydantics_plugin_search_unless_told_otherwise(preset: str | None, searched: bool) -> None:
    import os

    code = (
        "import contextlib, io\n"
        "from dataset_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['definition', 'schema'])\n"
        "import pydantic.plugin._loader as loader\n"
        "print(code, loader._plugins is not None)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if preset is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = preset  # names plugins to leave out: the search still runs
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["0", str(searched)]

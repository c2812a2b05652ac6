"""The `dataset-tui` command: no subcommand opens the TUI; subcommands are headless.

Each module in this package registers its subcommands on the shared parser
and calls the services (never the store or a warehouse directly), so the CLI
and the TUI are two faces of the same code. Errors go to stderr: exit 1 for
a failure, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence

from dataset_tui.cli.common import CliError, Invocation, fail

# The global options, each followed by its value: a command line of these alone opens the app.
GLOBAL_OPTIONS = ("--db", "--warehouse", "--profile", "--model")

# The module of this package that registers each command, in the order `--help`
# lists them (tests/test_cli_start.py checks it against what the modules register).
COMMAND_MODULES = {
    "sql": "sql",
    "definition": "definitions",
    **dict.fromkeys(
        [
            *("list", "show", "versions", "diff", "restore", "clone", "rename", "activate"),
            *("delete", "deleted", "undelete", "purge", "export"),
        ],
        "datasets",
    ),
    "warehouse": "warehouse",
    **dict.fromkeys(("tables", "schema", "stats", "samples", "joins", "suggest"), "catalog"),
    **dict.fromkeys(("validate", "analyze", "preview", "compare"), "runs"),
    "store": "store",
    "profiles": "profiles",
    **dict.fromkeys(("materialize", "verify"), "materialize"),
}


def _command_index(argv: Sequence[str]) -> int:
    """Where the command would be: the index after the leading global options and their values."""
    i = 0
    while i < len(argv):
        option, has_value, _ = argv[i].partition("=")
        if option not in GLOBAL_OPTIONS:
            break
        i += 1 if has_value else 2
    return i


def opens_the_app(argv: Sequence[str]) -> bool:
    """Whether `argv` is global options only (no command, no --help): the TUI starts.

    Then the subcommands are not registered: their modules (and what they
    import) would cost the app's start-up ~0.1 s for a parser it does not use.
    Anything else (a command, --help, an abbreviated option) takes the full parser.
    """
    return _command_index(argv) == len(argv)


def named_command(argv: Sequence[str]) -> str | None:
    """The command `argv` names after its global options, when it is one of ours; else None.

    Only that command's module need be registered: a save does not import the
    catalog's, the warehouse's and the runs' modules (and what they import)
    for a parser of one command. Anything else (--help, an unknown word, an
    abbreviated option) takes the full parser, which lists every command or
    says what is wrong as it always did.
    """
    i = _command_index(argv)
    if i < len(argv) and argv[i] in COMMAND_MODULES:
        return argv[i]
    return None


def build_parser(*, commands: bool = True, only: str | None = None) -> argparse.ArgumentParser:
    """The parser; `commands=False` registers no command, `only` just the module of that command."""
    parser = argparse.ArgumentParser(
        prog="dataset-tui",
        description="Define ML training datasets on BigQuery from a terminal. "
        "With no command, opens the full-screen app.",
    )
    parser.add_argument("--db", metavar="DIR", help="store folder (default: $DATASET_TUI_DB or the user data dir)")
    parser.add_argument(
        "--warehouse", metavar="PATH", help="DuckDB warehouse file (default: $DATASET_TUI_WAREHOUSE or the demo)"
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="profile from dataset-tui.toml (default: its default_profile)"
    )
    parser.add_argument("--model", metavar="NAME", default="default", help="model namespace (default: default)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if commands:
        import importlib

        names = [COMMAND_MODULES[only]] if only is not None else list(dict.fromkeys(COMMAND_MODULES.values()))
        for name in names:
            importlib.import_module(f"dataset_tui.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The error boundary: no traceback ever reaches the terminal.

    Expected failures print their message; anything else prints one line and
    the path of the log file holding the traceback (services/crash_log.py).
    Output to a terminal goes through the text sanitiser (text_safety.py).
    """
    # The first pydantic model a process builds makes pydantic look for plugins:
    # it reads the entry points of every installed distribution (pydantic/plugin/
    # _loader.py), 10-40 ms of each command that reads a definition. dataset-tui
    # uses no pydantic plugin; with this variable pydantic skips the search and
    # uses none. Set before any model is built; a value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    restore = _guard_streams()
    try:
        return _main(argv, restore)
    finally:
        restore()


def _main(argv: Sequence[str] | None, restore_streams: Callable[[], None]) -> int:
    inv: Invocation | None = None
    try:
        argv = sys.argv[1:] if argv is None else argv
        parser = build_parser(commands=not opens_the_app(argv), only=named_command(argv))
        args = parser.parse_args(argv)
        inv = Invocation(args)
        inv.setup()
        if args.command is None:
            from dataset_tui.tui.app import run_app

            restore_streams()  # the app draws with escape sequences of its own
            return run_app(inv.context())
        code = int(args.handler(inv) or 0)
        inv.print_notices()
        sys.stdout.flush()
        return code
    except CliError as exc:
        return fail(str(exc), exc.code)
    except BrokenPipeError:
        # `dataset-tui list --json | head`: the reader left; that is not an error.
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:
        from dataset_tui.services.errors import user_message

        try:
            message = user_message(exc)
        except Exception:
            message = None
        if message is None:
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC and _is_stdout_error():
                _silence_stdout()
                return fail("cannot write the output: no space left on the device")
            from dataset_tui.services.crash_log import unexpected

            command = " ".join(str(a) for a in (argv if argv is not None else sys.argv[1:]))[:200]
            return fail(unexpected(exc, f"dataset-tui {command}"))
        return fail(message)
    finally:
        if inv is not None:
            try:
                inv.close()
            except Exception as exc:  # closing must not turn success into a traceback
                from dataset_tui.services.crash_log import write_traceback

                write_traceback(exc, "closing")


def _is_stdout_error() -> bool:
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def _guard_streams() -> Callable[[], None]:
    """Sanitise what goes to a terminal (not pipes: JSON and SQL stay byte-exact)."""
    from dataset_tui.text_safety import SafeStream

    saved = (sys.stdout, sys.stderr)
    if _isatty(sys.stdout):
        sys.stdout = SafeStream(sys.stdout)
    # stderr is for people whatever it is connected to (errors, progress).
    sys.stderr = SafeStream(sys.stderr, keep_cr=True)

    def restore() -> None:
        sys.stdout, sys.stderr = saved

    return restore


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())

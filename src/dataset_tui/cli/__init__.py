"""The `dataset-tui` command: no subcommand opens the TUI; subcommands are headless.

Each module in this package registers its subcommands on the shared parser
and calls the services (never the store or a warehouse directly), so the CLI
and the TUI are two faces of the same code. Errors go to stderr: exit 1 for
a failure, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dataset_tui.cli.common import CliError, Invocation, fail


def build_parser() -> argparse.ArgumentParser:
    from dataset_tui.cli import datasets, definitions, profiles, sql, store, warehouse

    parser = argparse.ArgumentParser(
        prog="dataset-tui",
        description="Define ML training datasets on BigQuery from a terminal. "
        "With no command, opens the full-screen app.",
    )
    parser.add_argument("--db", metavar="DIR", help="store folder (default: $DATASET_TUI_DB or the user data dir)")
    parser.add_argument(
        "--warehouse", metavar="PATH", help="DuckDB warehouse file (default: $DATASET_TUI_WAREHOUSE or the demo)"
    )
    parser.add_argument("--profile", metavar="NAME", help="profile from dataset-tui.toml (default: its default_profile)")
    parser.add_argument("--model", metavar="NAME", default="default", help="model namespace (default: default)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (sql, definitions, datasets, warehouse, store, profiles):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    inv = Invocation(args)
    try:
        inv.setup()
        if args.command is None:
            from dataset_tui.tui.app import run_app

            return run_app(inv.context())
        code = int(args.handler(inv) or 0)
        inv.print_notices()
        return code
    except CliError as exc:
        return fail(str(exc), exc.code)
    except BrokenPipeError:
        # `dataset-tui list --json | head`: the reader left; that is not an error.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from dataset_tui.services.errors import user_message

        message = user_message(exc)
        if message is None:
            raise
        return fail(message)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    finally:
        inv.close()


if __name__ == "__main__":
    sys.exit(main())

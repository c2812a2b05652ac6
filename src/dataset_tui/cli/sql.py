"""CLI: `dataset-tui sql FILE.json|NAME` prints the BigQuery SQL of a definition.

Of a file it needs no store and no warehouse: the file is the whole input, so
the command works on any machine and in CI. Of a dataset NAME it reads the
store (through services): the active version, else the latest, or
`--version N`. A name never contains `.` or `/`, so `x.json` is always a file;
a bare word that is both a file here and a dataset is read as the file, and
stderr says so. Output goes to stdout (pipe it to a file); every problem goes
to stderr with its field path, and the exit code is 1.

    dataset-tui sql purchases.json                       full query, live (CURRENT_DATE())
    dataset-tui sql purchases_6m --version 2             a stored dataset's version 2
    dataset-tui sql purchases.json --split train --as-of 2026-11-27
    dataset-tui sql purchases.json --tfx                 TFX input_config JSON (train + eval)
    dataset-tui sql purchases.json --tfx --split eval    the eval query of the TFX variant
    dataset-tui sql purchases.json --snippet             Python building BigQueryExampleGen
    cat purchases.json | dataset-tui sql -
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dataset_tui.cli.common import CliError, Invocation, parse_date
from dataset_tui.domain.split_names import SPLIT_NAMES

if TYPE_CHECKING:
    from dataset_tui.domain.definition import Definition

EPILOG = """\
without --split the full query is printed. --tfx prints the TFX input_config
JSON, {"splits": [{"name": "train", "pattern": SQL}, {"name": "eval", "pattern": SQL}]},
which needs a split in the definition and a "type" on every column; with
--split it prints that one query of the TFX variant instead. --snippet prints a
ready-to-paste Python snippet that builds BigQueryExampleGen from the same
queries. --as-of writes that date instead of CURRENT_DATE(), so the SQL returns
the same rows on any later day. Without --project, tables are written
`dataset.table` and BigQuery resolves them in the project the job runs in.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    parser = sub.add_parser(
        "sql",
        help="print the BigQuery SQL of a definition file or a stored dataset",
        description="Print the BigQuery SQL (full, train, eval or TFX) of a definition file, or of a stored "
        "dataset NAME (its active version, else the latest; --version N picks another).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        metavar="FILE.json|NAME",
        help="definition file (format dataset-tui/1), - for stdin, or a dataset's name",
    )
    parser.add_argument("--version", type=int, metavar="N", help="with a NAME: this version instead of the one in use")
    parser.add_argument("--split", choices=SPLIT_NAMES, help="which rows (default: full)")
    parser.add_argument(
        "--tfx", action="store_true", help="the TFX variant: input_config JSON, or one query with --split"
    )
    parser.add_argument("--snippet", action="store_true", help="print Python that builds BigQueryExampleGen")
    parser.add_argument("--project", metavar="P", help="Google Cloud project to qualify table names with")
    parser.add_argument(
        "--as-of", type=parse_date, metavar="YYYY-MM-DD", help="pin today to this date (reproducible SQL)"
    )
    parser.set_defaults(handler=run_sql)


def read_definition_text(file: str) -> tuple[bytes, str]:
    """The file's bytes and the label the SQL header names it by (a bounded read: never a device)."""
    from dataset_tui.domain.definition import DefinitionError
    from dataset_tui.services.definitions import read_limited
    from dataset_tui.services.errors import ServiceError

    label = "file <stdin>" if file == "-" else f"file {Path(file).name}"
    if file != "-" and not Path(file).exists() and not Path(file).is_symlink():
        raise CliError(f"{file}: no such file")
    try:
        return read_limited(file), label
    except (ServiceError, DefinitionError) as exc:
        raise CliError(str(exc)) from None


def _is_name(text: str) -> bool:
    from dataset_tui.domain.definition import NAME_RE

    return bool(NAME_RE.fullmatch(text))


def _stored(inv: Invocation, name: str, version: int | None) -> tuple[Definition, str, str | None]:
    """A stored dataset's definition, the SQL header's label, and the project to qualify tables with."""
    from dataset_tui.services import definitions

    ctx = inv.context()
    if definitions.find_dataset(ctx, name) is None:
        raise CliError(
            f"{name}: no such file, and no dataset {name} in model {ctx.model} (`dataset-tui list` shows the datasets)"
        )
    head, chosen = definitions.resolve(ctx, name, version)  # an unknown version: the store's error says which exist
    return chosen.definition, f"{head.name} v{chosen.number}", ctx.warehouse_project()


def _dataset_exists(inv: Invocation, name: str) -> bool:
    from dataset_tui.services import definitions

    return definitions.find_dataset(inv.context(), name) is not None


def run_sql(inv: Invocation) -> int:
    from dataset_tui.domain.definition import DefinitionError, parse_definition_json
    from dataset_tui.domain.sqlgen import SqlContext, SqlGenError, generate_sql
    from dataset_tui.domain.tfx import tfx_input_config, tfx_snippet

    args = inv.args
    if args.snippet and args.split:
        raise CliError("--snippet prints both the train and the eval query; leave out --split", 2)
    source = "<stdin>" if args.file == "-" else args.file
    is_file = args.file == "-" or Path(args.file).exists() or not _is_name(args.file)
    try:
        if is_file:
            if args.version is not None:
                raise CliError(f"--version picks a stored dataset's version; {source} is a file", 2)
            if args.file != "-" and _is_name(args.file) and _dataset_exists(inv, args.file):
                print(
                    f"note: {args.file} is a file here and a dataset in the store; printing the file's SQL "
                    f"(run from another folder for the dataset's)",
                    file=sys.stderr,
                )
            text, label = read_definition_text(args.file)
            definition = parse_definition_json(text, source=source)
            project = args.project
        else:
            definition, label, project = _stored(inv, args.file, args.version)
            project = args.project or project
        context = SqlContext(project=project, as_of=args.as_of, label=label)
        if args.snippet:
            out = tfx_snippet(definition, context)
        elif args.tfx and not args.split:
            out = json.dumps(tfx_input_config(definition, context), indent=2, ensure_ascii=False) + "\n"
        else:
            out = generate_sql(definition, args.split or "full", context, tfx=args.tfx)
    except DefinitionError as exc:
        raise CliError(str(exc)) from None
    except SqlGenError as exc:
        raise CliError(f"{source}: {exc}") from None
    sys.stdout.write(out)
    return 0

"""CLI: `definition import|export|schema`: definition files in and out of the store."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from dataset_tui.cli.common import CliError, Invocation, add_json, print_json
from dataset_tui.text_safety import safe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    parser = sub.add_parser(
        "definition",
        help="import, export or describe definition files",
        description="Definition files (format dataset-tui/1) in and out of the store.",
    )
    inner = parser.add_subparsers(dest="definition_command", metavar="ACTION", required=True)

    imp = inner.add_parser(
        "import",
        help="save definition files (create, or a new version on top of the latest)",
        description="Save each FILE: a new dataset, or a new version of the dataset the file names "
        "(in the file's model), on top of its latest version. Each file is all-or-nothing: an invalid "
        "file writes nothing and lists every problem. No warehouse is needed.",
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="definition files (.json)")
    imp.add_argument("--note", metavar="TEXT", help="note stored with each new version")
    imp.add_argument(
        "--base-version",
        type=int,
        metavar="N",
        help="refuse to save unless the dataset's latest version is N (guards against overwriting "
        "someone else's save)",
    )
    add_json(imp)
    imp.set_defaults(handler=_import)

    exp = inner.add_parser(
        "export",
        help="print or write a dataset's definition file",
        description="Print the definition file of a version (default: the active version, else the latest), "
        "or write it to FILE.",
    )
    exp.add_argument("name", metavar="NAME")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    exp.add_argument("--version", type=int, metavar="N", help="export version N")
    exp.add_argument("--yes", "-y", action="store_true", help="replace an existing FILE without asking")
    exp.set_defaults(handler=_export)

    schema = inner.add_parser(
        "schema",
        help="print the JSON Schema of the definition file format",
        description="Print the JSON Schema of format dataset-tui/1 (for editors that validate JSON).",
    )
    schema.set_defaults(handler=_schema)


def _import(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx = inv.context()
    outcomes = definitions.import_files(
        ctx,
        inv.args.files,
        note=inv.args.note,
        base_revision=inv.args.base_version,
        prepare=_types_from_local_warehouse(ctx),
    )
    failed = [o for o in outcomes if not o.ok]
    if inv.args.json:
        print_json([_outcome_row(o) for o in outcomes])
    else:
        for outcome in outcomes:
            if outcome.ok:
                assert outcome.outcome is not None
                print(f"{outcome.path}: {outcome.outcome.describe()}")
                head = outcome.outcome.head
                if head.model != ctx.model:
                    # The file names its own model; `list` and `show` look in the current one.
                    print(
                        f"  into model {head.model!r}, not the current model {ctx.model!r}: see it with "
                        f"`dataset-tui --model {head.model} show {head.name}`"
                    )
    for outcome in failed:
        print(f"dataset-tui: error: {outcome.path}: {outcome.error}", file=sys.stderr)
        if outcome.conflict:
            print(
                "  export the latest version (`dataset-tui definition export NAME`), apply your change to it "
                "and import that file; or import without --base-version to save the file on top anyway",
                file=sys.stderr,
            )
    if failed:
        saved = len(outcomes) - len(failed)
        print(f"dataset-tui: {len(failed)} of {len(outcomes)} file(s) not saved ({saved} saved)", file=sys.stderr)
        return 1
    return 0


def _types_from_local_warehouse(ctx: Any) -> Any:
    """Fill `columns[].type` from the warehouse when one is at hand (DESIGN §3).

    Only a local DuckDB file counts: import must work offline and never wait
    on a network, so a BigQuery profile leaves types as the file has them.
    A column the warehouse does not know keeps its type (activation checks it).
    A file whose columns all carry a type is saved as written: opening the
    warehouse (importing DuckDB and numpy, 100 ms and more) is paid only by a
    save that has a type to fill in.
    """
    if ctx.profile.backend != "duckdb" or not ctx.warehouse_exists():
        return None

    def fill(definition: Any) -> Any:
        if all(column.type for column in definition.columns):
            return definition
        from dataset_tui.services import checks

        return checks.fill_column_types(ctx, definition)

    return fill


def _outcome_row(outcome: Any) -> dict[str, Any]:
    if not outcome.ok:
        return {"file": outcome.path, "status": "failed", "error": outcome.error}
    result = outcome.outcome
    status = "created" if result.created else "unchanged" if result.unchanged else "saved"
    return {
        "file": outcome.path,
        "status": status,
        "name": result.head.name,
        "model": result.head.model,
        "version": result.version.number if result.version else result.head.revision,
    }


def _export(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx = inv.context()
    output = inv.args.output
    if output in (None, "-"):
        _, _, text = definitions.definition_text(ctx, inv.args.name, inv.args.version)
        sys.stdout.write(text)
        return 0
    from pathlib import Path

    from dataset_tui.cli.common import ask_overwrite
    from dataset_tui.services import safe_write

    path = Path(output)
    overwrite = False
    if os.path.lexists(path):
        safe_write.check_target(path, overwrite=True)  # a device, FIFO or folder is refused before asking
        overwrite = ask_overwrite([path], yes=inv.args.yes)
        if not overwrite:
            raise CliError(f"not written: {path} already exists")
    version, _ = definitions.export_definition(
        ctx, inv.args.name, version=inv.args.version, output=path, overwrite=overwrite
    )
    print(f"wrote {safe(str(output))} ({version.definition.name} v{version.number})")
    return 0


def _schema(inv: Invocation) -> int:
    from dataset_tui.services.definitions import schema_text

    sys.stdout.write(schema_text())
    return 0


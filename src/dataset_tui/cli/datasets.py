"""CLI: the datasets of a model and their history.

list, show, versions, diff, restore, clone, rename, activate, delete,
deleted, undelete, purge and export (DESIGN §8). NAME is looked up in the
model chosen with the global --model (default: "default").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from dataset_tui.cli.common import (
    Invocation,
    add_json,
    parse_date,
    print_json,
    table,
)
from dataset_tui.text_safety import safe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    p = sub.add_parser("list", help="list the model's datasets", description="List the datasets of the model.")
    p.add_argument("--status", choices=("draft", "active"), help="only drafts or only active datasets")
    p.add_argument("--search", metavar="TEXT", help="only names or descriptions containing TEXT (any case)")
    p.add_argument(
        "--sort",
        default="name",
        choices=("name", "-name", "updated", "-updated", "created", "-created", "versions", "-versions"),
        help="order (a leading - reverses; default: name)",
    )
    add_json(p)
    p.set_defaults(handler=_list)

    p = sub.add_parser(
        "show",
        help="a dataset: definition, versions, cached analysis",
        description="Show a dataset: the definition in use (the active version, else the latest), its "
        "versions, the cached analysis (marked stale when computed for another definition) and its exports.",
    )
    p.add_argument("name", metavar="NAME")
    add_json(p)
    p.set_defaults(handler=_show)

    p = sub.add_parser("versions", help="a dataset's versions", description="List a dataset's versions, newest first.")
    p.add_argument("name", metavar="NAME")
    add_json(p)
    p.set_defaults(handler=_versions)

    p = sub.add_parser(
        "diff",
        help="what changed between two versions",
        description="Print a unified diff of two versions' definition files (V2 defaults to the latest); "
        "--json gives the changes by field path.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("v1", type=int, metavar="V1")
    p.add_argument("v2", type=int, metavar="V2", nargs="?")
    add_json(p)
    p.set_defaults(handler=_diff)

    p = sub.add_parser(
        "restore",
        help="save an old version again as the newest",
        description="Append a copy of VERSION as a new version (history is never rewritten).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("version", type=int, metavar="VERSION")
    p.add_argument("--note", metavar="TEXT", help="note for the new version (default: restored from vN)")
    p.set_defaults(handler=_restore)

    p = sub.add_parser(
        "clone", help="copy a dataset under a new name", description="Create NEW from NAME's latest version."
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("new_name", metavar="NEW")
    p.add_argument("--version", type=int, metavar="N", help="clone version N instead of the latest")
    p.set_defaults(handler=_clone)

    p = sub.add_parser("rename", help="rename a dataset", description="Rename a dataset (its versions stay).")
    p.add_argument("name", metavar="NAME")
    p.add_argument("new_name", metavar="NEW")
    p.set_defaults(handler=_rename)

    p = sub.add_parser(
        "activate",
        help="make a version the one pipelines use",
        description="Check a version (default: the latest) and make it the active one: `export` and `sql` "
        "of NAME use it, and later saves do not move it.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--version", type=int, metavar="N", help="activate version N")
    p.set_defaults(handler=_activate)

    p = sub.add_parser(
        "delete",
        help="delete a dataset (recoverable until purged)",
        description="Move a dataset to the deleted list; `undelete` brings it back, `purge` removes it for good. "
        "An active dataset needs --force.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--force", action="store_true", help="delete even if it is active")
    p.set_defaults(handler=_delete)

    p = sub.add_parser("deleted", help="list deleted datasets", description="List the model's deleted datasets.")
    add_json(p)
    p.set_defaults(handler=_deleted)

    p = sub.add_parser(
        "undelete",
        help="bring back a deleted dataset",
        description="Bring back a deleted dataset (the most recently deleted one of that name).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--as", dest="as_name", metavar="NEW", help="under a new name (needed if NAME was taken since)")
    p.set_defaults(handler=_undelete)

    p = sub.add_parser(
        "purge", help="remove a deleted dataset for good", description="Remove a deleted dataset and all its versions."
    )
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_purge)

    p = sub.add_parser(
        "export",
        help="write SQL, TFX config and definition files of a dataset",
        description="Write the files of a version (default: the active one, else the latest): "
        "<name>_v<N>_<split>.sql, <name>_v<N>_tfx.json and _tfx.py, <name>_v<N>.json. With no choice, "
        "every SQL split. Existing files are replaced only after confirmation (or --yes).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--split", choices=("full", "train", "eval", "all"), help="SQL for this split (all: every one)")
    p.add_argument("--tfx", action="store_true", help="the TFX BigQueryExampleGen input_config and a Python snippet")
    p.add_argument("--definition", action="store_true", help="the definition file")
    p.add_argument(
        "--from-materialized",
        action="store_true",
        help="with --tfx: read the version's materialized tables (see `materialize`), not the raw data",
    )
    p.add_argument("--version", type=int, metavar="N", help="export version N")
    p.add_argument(
        "--as-of",
        type=parse_date,
        metavar="DATE",
        help="write this date (YYYY-MM-DD) instead of CURRENT_DATE(): the query returns the same rows forever",
    )
    p.add_argument(
        "-o", "--output", default=".", metavar="DIR|-", help="folder to write into (default: .); - prints one item"
    )
    p.add_argument("--yes", "-y", action="store_true", help="replace existing files without asking")
    add_json(p)
    p.set_defaults(handler=_export)


# -- helpers --------------------------------------------------------------


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _model(inv: Invocation) -> tuple[Any, str]:
    """The services context and its model (use cases take the context, never the store)."""
    ctx = inv.context()
    return ctx, ctx.model


# -- handlers -------------------------------------------------------------


def _list(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import head_rows, head_rows_json
    from dataset_tui.services.definitions import list_dataset_columns, list_datasets

    ctx, model = _model(inv)
    chosen = {"status": inv.args.status, "search": inv.args.search, "sort": inv.args.sort}
    if inv.args.json:
        # Column by column when the store can (no head built); head by head otherwise, the same text.
        found = list_dataset_columns(ctx, **chosen)
        if found is not None:
            sys.stdout.write(head_rows_json(found))
            sys.stdout.write("\n")
        else:
            print_json(head_rows(list_datasets(ctx, **chosen)))
        return 0
    heads = list_datasets(ctx, **chosen)
    if not heads:
        if inv.args.status or inv.args.search:
            print(f"no datasets in model {model!r} match")
        else:
            print(
                f"no datasets in model {model!r} yet: import a definition file "
                "(`dataset-tui definition import FILE`) or create one in the app (`dataset-tui`)"
            )
        return 0
    rows = [
        [h.name, h.badge, h.tables, h.columns, h.versions, h.last_analysis_rows, _when(h.updated_at)] for h in heads
    ]
    print(table(rows, ["NAME", "STATUS", "TABLES", "COLUMNS", "VERSIONS", "ROWS", "UPDATED (UTC)"]))
    return 0


def _show(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import details_json
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    data = details_json(definitions.details(ctx, inv.args.name))
    if inv.args.json:
        print_json(data)
        return 0
    print(f"{data['name']}  ({data['badge']}; model {data['model']})")
    if data["description"]:
        print(f"  {safe(data['description'])}")
    print(f"  updated {_when(data['updated_at'])} UTC, created {_when(data['created_at'])} UTC")
    print()
    print(f"definition (v{data['definition_version']}, sha256 {data['definition_hash'][:12]}):")
    print(safe(json.dumps(data["definition"], indent=2, ensure_ascii=False)))
    print()
    print(_versions_table(data["versions"]))
    print()
    analysis = data["analysis"]
    if analysis is None:
        print("analysis: none cached (`dataset-tui analyze NAME` computes it)")
    else:
        flag = " (STALE: computed for another definition)" if analysis["stale"] else ""
        rows = analysis["result"].get("rows") if isinstance(analysis["result"], dict) else None
        count = rows if rows is not None else "?"
        print(f"analysis: {count} rows, computed {_when(analysis['computed_at'])} UTC{flag}")
    if data["exports"]:
        last = data["exports"][-1]
        print(f"last export: v{last['version']} on {_when(last['exported_at'])} UTC to {', '.join(last['paths'])}")
    return 0


def _versions_table(rows: list[dict[str, Any]]) -> str:
    return table(
        [
            [
                f"v{r['version']}",
                r["status"] + (" (latest)" if r["latest"] and r["status"] != "active" else ""),
                _when(r["created_at"]),
                r["author"],
                r["definition_hash"][:12],
                r["note"] or "",
            ]
            for r in rows
        ],
        ["VERSION", "STATUS", "CREATED (UTC)", "AUTHOR", "HASH", "NOTE"],
    )


def _versions(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import version_rows
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    head = definitions.get_dataset(ctx, inv.args.name)
    rows = version_rows(head, definitions.list_versions(ctx, head.name))
    if inv.args.json:
        print_json(rows)
    else:
        print(_versions_table(rows))
    return 0


def _diff(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    result = definitions.diff(ctx, inv.args.name, inv.args.v1, inv.args.v2)
    if inv.args.json:
        from dataset_tui.cli.json_shapes import diff_json

        print_json(diff_json(result))
    elif result.unchanged:
        print(f"{result.name}: v{result.old_version} and v{result.new_version} are the same")
    else:
        sys.stdout.write(result.text)
    return 0


def _restore(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    before = definitions.get_dataset(ctx, inv.args.name)
    made = definitions.restore(ctx, inv.args.name, inv.args.version, note=inv.args.note)
    if made.number == before.revision:
        print(f"{before.name} v{inv.args.version} equals the latest version (v{made.number}); nothing added")
    else:
        print(f"restored {before.name} v{inv.args.version} as v{made.number}")
    return 0


def _clone(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    made = definitions.clone(ctx, inv.args.name, inv.args.new_name, version=inv.args.version)
    print(f"cloned {inv.args.name} to {made.definition.name} (v1: {made.note})")
    return 0


def _rename(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    head = definitions.rename(ctx, inv.args.name, inv.args.new_name)
    print(f"renamed {inv.args.name} to {head.name}")
    return 0


def _activate(inv: Invocation) -> int:
    from dataset_tui.services import definitions
    from dataset_tui.services.checks import activation_checks

    ctx, _ = _model(inv)
    # The warehouse's checks (tables, columns, role and key types, a dry run) gate activation.
    head = definitions.activate(ctx, inv.args.name, inv.args.version, checks=activation_checks(ctx))
    print(f"{head.name} v{head.active_version} is active: `export` and `sql` of {head.name} use it ({head.badge})")
    return 0


def _delete(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    head = definitions.delete(ctx, inv.args.name, force=inv.args.force)
    print(f"deleted {head.name} ({head.versions} version(s) kept; `dataset-tui undelete {head.name}` brings it back)")
    return 0


def _deleted(inv: Invocation) -> int:
    from dataset_tui.services.definitions import deleted_datasets

    ctx, model = _model(inv)
    heads = deleted_datasets(ctx)
    if inv.args.json:
        from dataset_tui.cli.json_shapes import head_row

        print_json([{**head_row(h), "deleted_at": h.deleted_at} for h in heads])
        return 0
    if not heads:
        print(f"no deleted datasets in model {model!r}")
        return 0
    rows = [[h.name, _when(h.deleted_at), h.badge, h.versions] for h in heads]
    print(table(rows, ["NAME", "DELETED (UTC)", "STATUS", "VERSIONS"]))
    return 0


def _undelete(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    head = definitions.undelete(ctx, inv.args.name, as_name=inv.args.as_name)
    print(f"brought back {head.name} ({head.badge}, {head.versions} version(s))")
    return 0


def _purge(inv: Invocation) -> int:
    from dataset_tui.services import definitions

    ctx, _ = _model(inv)
    definitions.purge(ctx, inv.args.name)
    print(f"purged {inv.args.name}: it and its versions are gone for good")
    return 0


def _export(inv: Invocation) -> int:
    from dataset_tui.services import exports

    args = inv.args
    ctx = inv.context()
    common = {
        "split": args.split,
        "tfx": args.tfx,
        "definition_file": args.definition,
        "version": args.version,
        "as_of": args.as_of,
        "project": ctx.warehouse_project(),
        "from_materialized": args.from_materialized,
    }
    if args.output == exports.STDOUT:
        item = exports.export_one(ctx, args.name, **common)
        if args.json:  # --json promises JSON on stdout: the item travels inside it
            print_json({"file": item.filename, "kind": item.kind, "content": item.content})
        else:
            sys.stdout.write(item.content)
        return 0

    def confirm(existing: list[Path]) -> bool:
        from dataset_tui.cli.common import ask_overwrite

        return ask_overwrite(existing, yes=args.yes, where=str(Path(args.output)))

    result = exports.export_dataset(ctx, args.name, folder=args.output, confirm_overwrite=confirm, **common)
    if args.json:
        print_json({"name": result.head.name, "version": result.version, "paths": [str(p) for p in result.paths]})
    else:
        for path in result.paths:
            print(path)
        print(f"exported {result.head.name} v{result.version} ({len(result.paths)} file(s))", file=sys.stderr)
    return 0

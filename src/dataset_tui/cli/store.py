"""CLI: `store check` and `store repair`: the store's own consistency (DESIGN §5).

`check` reports every disagreement between the heads (the index `list`
reads) and the dataset files (the truth), without writing: exit 0 when
there is none, 1 otherwise. `repair` rebuilds heads from the files and lists
the datasets it re-attached.
"""

from __future__ import annotations

import argparse
from typing import Any

from dataset_tui.cli.common import Invocation, add_json, print_json, table

ADVICE = {
    "missing-heads": "`dataset-tui store repair` rebuilds it from the dataset files",
    "damaged-heads": "`dataset-tui store repair` rebuilds it (from its backup where usable, and the dataset files)",
    "missing-dataset": "restore the file from its .bak if there is one; `store repair` drops the head otherwise",
    "damaged-dataset": "copy its .bak over it (the error above names both); repair leaves it alone",
    "head-behind": "`dataset-tui store repair` (or the next save of that dataset) counts the versions",
    "missing-active": "`dataset-tui store repair` makes it a draft; activate a version that exists",
    "orphan": "`dataset-tui store repair` lists it again under its saved name",
    "damaged-cache": "nothing to lose: it is a cache; `dataset-tui store repair` drops it",
    "damaged-index": "nothing to lose: `list` reads the heads file instead; `dataset-tui store repair` drops it",
}


def register(sub: Any) -> None:
    group = sub.add_parser(
        "store",
        help="check or repair the store itself",
        description="Check the store's consistency, or rebuild its heads from the dataset files.",
    )
    commands = group.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="report inconsistencies (nothing is written)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_json(check)
    check.set_defaults(handler=_check)
    repair = commands.add_parser("repair", help="rebuild heads from the dataset files; re-attach orphans")
    add_json(repair)
    repair.set_defaults(handler=_repair)


def _problem_row(problem: Any) -> dict[str, Any]:
    return {
        "kind": problem.kind,
        "path": problem.path,
        "dataset": problem.dataset,
        "detail": problem.detail,
        "advice": ADVICE.get(problem.kind, ""),
    }


def _check(inv: Invocation) -> int:
    from dataset_tui.services.store_health import check_store

    result = check_store(inv.context())
    if inv.args.json:
        print_json(
            {
                "folder": result.folder,
                "dataset_files": result.datasets,
                "ok": result.ok,
                "problems": [_problem_row(p) for p in result.problems],
            }
        )
        return 0 if result.ok else 1
    if result.ok:
        print(f"store {result.folder}: {result.datasets} dataset file(s), no problems found")
        return 0
    print(f"store {result.folder}: {len(result.problems)} problem(s) in {result.datasets} dataset file(s)")
    for problem in result.problems:
        who = f" [{problem.dataset}]" if problem.dataset else ""
        print(f"- {problem.kind}{who}: {problem.path}\n    {problem.detail}\n    fix: {ADVICE.get(problem.kind, '')}")
    return 1


def _repair(inv: Invocation) -> int:
    from dataset_tui.services.store_health import repair_store

    result = repair_store(inv.context())
    if inv.args.json:
        print_json(
            {
                "folder": result.folder,
                "fixed": result.fixed,
                "reattached": [{"model": h.model, "name": h.name, "versions": h.versions} for h in result.reattached],
                "remaining": [_problem_row(p) for p in result.remaining],
            }
        )
        return 0 if not result.remaining else 1
    if not result.fixed and not result.reattached:
        print(f"store {result.folder}: nothing to repair")
    for line in result.fixed:
        print(f"fixed: {line}")
    if result.reattached:
        rows = [[h.model, h.name, h.versions] for h in result.reattached]
        print(f"re-attached {len(result.reattached)} dataset(s) no head pointed at:")
        print(table(rows, ["MODEL", "NAME", "VERSIONS"]))
    for problem in result.remaining:
        print(f"not repaired: {problem.path}\n    {problem.detail}\n    fix: {ADVICE.get(problem.kind, '')}")
    return 0 if not result.remaining else 1

"""CLI: runs of a saved dataset (DESIGN §8): `validate`, `analyze`, `preview`, `compare`.

Each is a thin face over services/ (runs, compare): parse, call, print
(text, or `--json` in the shapes of DESIGN §8).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from dataset_tui.cli.common import CliError, Invocation, add_json, add_yes, bounded_int, parse_date, print_json, table
from dataset_tui.cli.formatting import number_text
from dataset_tui.cli.warehouse import scan_confirm, warehouse_context
from dataset_tui.domain.split_names import SPLIT_NAMES

if TYPE_CHECKING:
    from dataset_tui.services.compare import ComparedAnalysis


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    validate = sub.add_parser(
        "validate",
        help="check a dataset against the warehouse and dry-run it (bytes, cost)",
        description="Check that the dataset's tables and columns exist with fitting types, and dry-run "
        "its SQL: bytes scanned and cost. Nothing runs. Exit status 1 when there are problems.",
    )
    validate.add_argument("name", metavar="NAME")
    validate.add_argument("--version", type=int, metavar="N", help="this version (default: active, else latest)")
    _add_as_of(validate)
    add_json(validate)
    validate.set_defaults(handler=_validate)

    analyze = sub.add_parser(
        "analyze", help="rows, users, products, dates, split sizes and quality of a dataset (cached)"
    )
    analyze.add_argument("name", metavar="NAME")
    analyze.add_argument("--version", type=int, metavar="N", help="this version (default: active, else latest)")
    _add_as_of(analyze)
    add_json(analyze)
    add_yes(analyze)
    analyze.set_defaults(handler=_analyze)

    preview = sub.add_parser("preview", help="the first rows of a dataset")
    preview.add_argument("name", metavar="NAME")
    preview.add_argument(
        "--limit", type=bounded_int(1, 100_000), default=20, metavar="N", help="rows to show (default 20)"
    )
    preview.add_argument("--version", type=int, metavar="N", help="this version (default: active, else latest)")
    preview.add_argument("--split", choices=SPLIT_NAMES, default="full")
    _add_as_of(preview)
    add_json(preview)
    add_yes(preview)
    preview.set_defaults(handler=_preview)

    compare = sub.add_parser("compare", help="2 to 5 datasets side by side (differences marked)")
    compare.add_argument("names", nargs="+", metavar="NAME")
    compare.add_argument(
        "--as-of", type=parse_date, metavar="YYYY-MM-DD", help="show only analyses counted as of this day"
    )
    add_json(compare)
    compare.set_defaults(handler=_compare)


def _add_as_of(parser: Any) -> None:
    parser.add_argument(
        "--as-of",
        type=parse_date,
        metavar="YYYY-MM-DD",
        help="as on this day: no row dated after it, rolling windows end there (default: today)",
    )


def _validate(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import validation_json
    from dataset_tui.services.runs import validate

    result = validate(warehouse_context(inv), inv.args.name, version=inv.args.version, as_of=inv.args.as_of)
    if inv.args.json:
        print_json(validation_json(result))
        return 0 if result.valid else 1
    if result.cost is not None:
        print(f"{result.name} v{result.version}: valid; the full query scans {result.cost.summary}")
        if result.cost.refused or result.cost.needs_confirmation:
            print(result.cost.message)
        return 0
    print(f"{result.name} v{result.version}: {len(result.problems)} problem(s)")
    for p in result.problems:
        print(f"  {p.path + ': ' if p.path else ''}{p.message}")
    return 1


def _analyze(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import analysis_json
    from dataset_tui.services.runs import analyze

    ctx = warehouse_context(inv)
    run = analyze(ctx, inv.args.name, version=inv.args.version, confirm=scan_confirm(inv), as_of=inv.args.as_of)
    data = analysis_json(run)
    if inv.args.json:
        print_json(data)
        return 0
    print(f"{data['name']} v{data['version']} (as of {data['as_of']})")
    lines = [
        ("rows", number_text(data["rows"])),
        ("users", number_text(data["users"])),
        ("products", number_text(data["products"])),
        ("dates", f"{data['date_min'] or '-'} to {data['date_max'] or '-'}"),
    ]
    split = data["split"]
    if split is not None:
        lines += [
            ("train rows", number_text(split["train_rows"])),
            ("eval rows", number_text(split["eval_rows"])),
            ("no split key", number_text(split["null_key_rows"])),
        ]
    quality = data["quality"]
    lines.append(("quality", f"{quality['score']:.2f}"))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"  {key:<{width}}  {value}")
    for issue in quality["issues"]:
        print(f"  [{issue['severity']}] {issue['message']}")
    return 0


def _preview(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import preview_json
    from dataset_tui.services.runs import preview
    from dataset_tui.services.values import plain

    result = preview(
        warehouse_context(inv),
        inv.args.name,
        limit=inv.args.limit,
        version=inv.args.version,
        split=inv.args.split,
        confirm=scan_confirm(inv),
        as_of=inv.args.as_of,
    )
    if inv.args.json:
        print_json(preview_json(result))
        return 0
    headers = [f"{c.name} ({c.role})" if c.role else c.name for c in result.columns]
    print(table([[plain(v) for v in row] for row in result.rows], headers))
    if result.truncated:
        print(f"(first {len(result.rows)} rows; --limit N shows more)")
    return 0


def _compare(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import comparison_json
    from dataset_tui.services.compare import compare
    from dataset_tui.services.errors import ServiceError

    try:
        result = compare(warehouse_context(inv, warehouse=False), inv.args.names, as_of=inv.args.as_of)
    except ServiceError as exc:
        raise CliError(str(exc), 2 if "compare takes" in str(exc) else 1) from None
    if inv.args.json:
        print_json(comparison_json(result))
        return 0
    datasets = result.datasets
    differs = set(result.differs)
    rows = []
    for field in result.fields:
        rows.append(["*" if field in differs else "", field] + [_cell(d.fields.value(field)) for d in datasets])
    for field in result.analysis_fields:
        mark = "*" if f"analysis.{field}" in differs else ""
        rows.append([mark, f"analysis.{field}"] + [_cell(d.analysis_value(field)) for d in datasets])
    rows.append(["", "analysis"] + [_analysis_state(d.analysis) for d in datasets])
    print(table(rows, ["", "FIELD"] + [f"{d.name} v{d.version}" for d in datasets]))
    for d in datasets:
        if d.note:
            print(f"{d.name}: {d.note}")
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return number_text(value)


def _analysis_state(analysis: ComparedAnalysis | None) -> str:
    if analysis is None:
        return "never run"
    return "stale" if analysis.stale else "current"

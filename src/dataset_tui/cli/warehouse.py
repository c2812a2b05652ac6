"""CLI: the warehouse commands (DESIGN §8).

`warehouse demo`, `warehouse import`, `tables`, `schema`, `stats`, `samples`,
`joins`, `suggest`, `validate`, `analyze`, `preview` and `compare`. Each is a
thin face over a use case in services/: parse, call, print (text, or
`--json` in the shapes of DESIGN §8). On first use of the default DuckDB
warehouse the demo is built, with a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from dataset_tui.cli.common import (
    CliError,
    Invocation,
    add_json,
    add_yes,
    bounded_int,
    parse_date,
    print_json,
    table,
)
from dataset_tui.domain.split_names import SPLIT_NAMES

SPARK = "▁▂▃▄▅▆▇█"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
    group = sub.add_parser(
        "warehouse",
        help="build the demo warehouse or import a CSV/Parquet file into it",
        description="Manage the embedded DuckDB warehouse.",
    )
    actions = group.add_subparsers(dest="warehouse_command", metavar="ACTION", required=True)

    demo = actions.add_parser(
        "demo",
        help="(re)build the deterministic demo raw_data",
        description="Build the demo raw_data (transactions, customers, products, returns) in the DuckDB "
        "warehouse file, replacing the file. The same --rows, --seed and date give the same data. "
        "A file holding other tables (imports) is replaced only with --force.",
    )
    demo.add_argument(
        "--rows", type=bounded_int(1, 20_000_000), default=1_000_000, help="transactions to generate (default 1000000)"
    )
    demo.add_argument("--seed", type=bounded_int(0, 2**63 - 1), default=42, help="random seed (default 42)")
    demo.add_argument(
        "--force", action="store_true", help="replace the file even if it holds other tables or cannot be read"
    )
    add_json(demo)
    demo.set_defaults(handler=_demo)

    load = actions.add_parser(
        "import",
        help="load a CSV or Parquet file as a table",
        description="Load a CSV or Parquet file into the warehouse's dataset (raw_data) with types inferred. "
        "A failed import changes nothing.",
    )
    load.add_argument("file", metavar="FILE", help="a .csv/.tsv or .parquet file")
    load.add_argument("--table", required=True, metavar="NAME", help="the table to create")
    load.add_argument("--replace", action="store_true", help="replace the table if it exists")
    add_json(load)
    load.set_defaults(handler=_import)

    tables = sub.add_parser("tables", help="list the dataset's tables (rows, size, columns)")
    add_json(tables)
    tables.set_defaults(handler=_tables)

    schema = sub.add_parser("schema", help="a table's columns with suggested ML roles and join keys")
    schema.add_argument("table", metavar="TABLE")
    add_json(schema)
    schema.set_defaults(handler=_schema)

    stats = sub.add_parser(
        "stats",
        help="column statistics of a table (one query; cached while the table is unchanged)",
        description="Column statistics in one query: nulls, distinct, min, max, mean, stddev, "
        "range in days, and a distribution. Served from the cache while the table is unchanged.",
    )
    stats.add_argument("table", metavar="TABLE")
    stats.add_argument("--column", action="append", metavar="C", help="only this column (repeatable)")
    stats.add_argument("--refresh", action="store_true", help="compute again even if cached")
    add_json(stats)
    add_yes(stats)
    stats.set_defaults(handler=_stats)

    samples = sub.add_parser("samples", help="distinct values of a column, most frequent first")
    samples.add_argument("table", metavar="TABLE")
    samples.add_argument("column", metavar="COLUMN")
    samples.add_argument("--limit", type=bounded_int(1, 10_000), default=20, metavar="N", help="how many (default 20)")
    add_json(samples)
    add_yes(samples)
    samples.set_defaults(handler=_samples)

    joins = sub.add_parser("joins", help="joins detected between tables")
    joins.add_argument("tables", nargs="+", metavar="TABLE")
    add_json(joins)
    joins.set_defaults(handler=_joins)

    suggest = sub.add_parser("suggest", help="a full ML role mapping across tables, with joins")
    suggest.add_argument("tables", nargs="+", metavar="TABLE")
    suggest.add_argument("--primary", metavar="TABLE", help="the primary table (default: the fact table)")
    add_json(suggest)
    suggest.set_defaults(handler=_suggest)

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


# -- shared ------------------------------------------------------------------------


def progress_bar(stream: Any = None) -> Any:
    """A progress callback drawing a bar on stderr (one line per step when not a terminal)."""
    out = stream if stream is not None else sys.stderr
    tty = hasattr(out, "isatty") and out.isatty()
    last: dict[str, str | None] = {"message": None}

    def report(fraction: float, message: str) -> None:
        if tty:
            filled = round(fraction * 30)
            out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {message:<30}")
            if fraction >= 1:
                out.write("\n")
        elif message != last["message"]:
            out.write(f"{fraction:4.0%} {message}\n")
        last["message"] = message
        out.flush()

    return report


def _context(inv: Invocation, *, warehouse: bool = True) -> Any:
    """The services context; builds the demo first if the warehouse file does not exist yet."""
    ctx = inv.context()
    if warehouse and ctx.profile.backend == "bigquery":
        # Retries and batches are said on stderr as they happen (stdout stays the result).
        ctx.listen_to_warehouse(lambda message: print(message, file=sys.stderr, flush=True))
    if warehouse:
        from dataset_tui.config import data_dir
        from dataset_tui.services.local_warehouse import ensure_demo

        first_run = ctx.warehouse_file == data_dir() / "demo.duckdb"  # not a path the user chose
        if ctx.profile.backend == "duckdb" and not ctx.warehouse_exists() and first_run:
            print(f"Building the demo warehouse at {ctx.warehouse_file} (first run)...", file=sys.stderr)
        ensure_demo(ctx, progress_bar())
    return ctx


def _confirm(inv: Invocation) -> Any:
    from dataset_tui.services.cost import cli_confirm

    return cli_confirm(bool(getattr(inv.args, "yes", False)), pricing=inv.context().profile.pricing)


def _size(count: int | None) -> str:
    from dataset_tui.services.cost import format_bytes

    return "" if count is None else format_bytes(count)


def _num(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def sparkline(counts: list[int]) -> str:
    top = max(counts, default=0)
    if top <= 0:
        return ""
    return "".join(SPARK[min(len(SPARK) - 1, int(c / top * (len(SPARK) - 1) + 0.5))] if c else " " for c in counts)


# -- warehouse demo / import ----------------------------------------------------------------


def _demo(inv: Invocation) -> int:
    from dataset_tui.services.catalog import table_row
    from dataset_tui.services.local_warehouse import rebuild_demo

    ctx = inv.context()
    infos = rebuild_demo(ctx, rows=inv.args.rows, seed=inv.args.seed, progress=progress_bar(), force=inv.args.force)
    if inv.args.json:
        print_json({"path": str(ctx.warehouse_file), "tables": [table_row(i) for i in infos]})
        return 0
    print(f"Demo raw_data built at {ctx.warehouse_file} (seed {inv.args.seed}):")
    print(
        table([[i.name, _num(i.rows), _size(i.bytes), i.columns] for i in infos], ["TABLE", "ROWS", "SIZE", "COLUMNS"])
    )
    return 0


def _import(inv: Invocation) -> int:
    from dataset_tui.services.catalog import table_row
    from dataset_tui.services.local_warehouse import import_file

    ctx = inv.context()
    info = import_file(ctx, inv.args.file, inv.args.table, replace=inv.args.replace, progress=progress_bar())
    if inv.args.json:
        print_json(table_row(info))
        return 0
    print(
        f"Imported {inv.args.file} as {ctx.profile.dataset}.{info.name}: {_num(info.rows)} rows, {info.columns} columns"
    )
    return 0


# -- tables, schema, stats, samples -------------------------------------------------------------


def _tables(inv: Invocation) -> int:
    from dataset_tui.services.catalog import badges, table_listing, table_row

    listing = table_listing(_context(inv))
    rows = [table_row(info, entry) for entry, info in listing]
    if inv.args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No tables yet: import one with `dataset-tui warehouse import FILE --table NAME`.")
        return 0
    print(
        table(
            [
                [r["name"], _num(r["rows"]), _size(r["bytes"]), r["columns"], r["modified"] or "", kinds]
                for r, kinds in zip(rows, (", ".join(badges(i, e)) for e, i in listing), strict=True)
            ],
            ["TABLE", "ROWS", "SIZE", "COLUMNS", "MODIFIED", "KIND"],
        )
    )
    return 0


def _schema(inv: Invocation) -> int:
    from dataset_tui.services.schemas import table_schema

    schema = table_schema(_context(inv), inv.args.table)
    if inv.args.json:
        print_json(
            {
                "table": schema.table,
                "dataset": schema.dataset,
                "columns": [dataclasses.asdict(c) for c in schema.columns],
            }
        )
        return 0
    print(
        table(
            [[c.name, c.type, c.mode, c.suggested_role or "", "yes" if c.join_key else ""] for c in schema.columns],
            ["COLUMN", "TYPE", "MODE", "SUGGESTED ROLE", "JOIN KEY"],
        )
    )
    return 0


def _stats(inv: Invocation) -> int:
    from dataset_tui.services.table_stats import table_stats

    data = table_stats(_context(inv), inv.args.table, inv.args.column, refresh=inv.args.refresh, confirm=_confirm(inv))
    if inv.args.json:
        print_json(data)
        return 0
    origin = f"cached {data['computed_at']}" if data["cached"] else "just computed"
    print(f"{data['table']}: {_num(data['row_count'])} rows ({origin})")
    print(
        table(
            [
                [
                    c["name"],
                    c["type"],
                    _num(c["null_count"]),
                    _num(c["distinct_count"]),
                    _num(c["min"]),
                    _num(c["max"]),
                    _num(c["mean"]),
                    _num(c["stddev"]),
                    _num(c["range_days"]),
                    sparkline([b["count"] for b in c["histogram"]]),
                ]
                for c in data["columns"]
            ],
            ["COLUMN", "TYPE", "NULLS", "DISTINCT", "MIN", "MAX", "MEAN", "STDDEV", "DAYS", "DISTRIBUTION"],
        )
    )
    return 0


def _samples(inv: Invocation) -> int:
    from dataset_tui.services.table_stats import samples
    from dataset_tui.services.values import plain

    values = [
        plain(v) for v in samples(_context(inv), inv.args.table, inv.args.column, inv.args.limit, confirm=_confirm(inv))
    ]
    if inv.args.json:
        print_json({"table": inv.args.table, "column": inv.args.column, "values": values})
        return 0
    for value in values:
        print(value)
    return 0


# -- joins and suggestions -------------------------------------------------------------------


def _joins(inv: Invocation) -> int:
    from dataset_tui.services.errors import ServiceError
    from dataset_tui.services.schemas import joins

    if len(set(inv.args.tables)) < 2:
        raise CliError("joins needs at least two different tables", 2)
    try:
        found = joins(_context(inv), inv.args.tables)
    except ServiceError as exc:
        raise CliError(str(exc)) from None
    if inv.args.json:
        print_json({"joins": [j.to_dict() for j in found]})
        return 0
    if not found:
        print("No joins detected between these tables.")
        return 0
    print(
        table(
            [
                [
                    f"{j.left_table}.{j.left_column}",
                    f"{j.right_table}.{j.right_column}",
                    f"{j.score:.2f}",
                    j.confidence,
                    j.reason,
                ]
                for j in found
            ],
            ["LEFT", "RIGHT", "SCORE", "CONFIDENCE", "WHY"],
        )
    )
    return 0


def _suggest(inv: Invocation) -> int:
    from dataset_tui.services.schemas import suggest

    data = suggest(_context(inv), inv.args.tables, inv.args.primary).to_dict()
    if inv.args.json:
        print_json(data)
        return 0
    print(f"Primary table: {data['primary']}")
    roles = data["roles"]
    print(
        table(
            [[role, f"{r['table']}.{r['column']}", f"{r['confidence']:.2f}", r["reason"]] for role, r in roles.items()],
            ["ROLE", "COLUMN", "CONFIDENCE", "WHY"],
        )
    )
    for j in data["joins"]:
        print(
            f"join: {j['left_table']}.{j['left_column']} = {j['right_table']}.{j['right_column']} ({j['confidence']})"
        )
    for warning in data.get("warnings", []):
        print(f"note: {warning}")
    return 0


# -- datasets: validate, analyze, preview, compare ---------------------------------------------


def _add_as_of(parser: Any) -> None:
    parser.add_argument(
        "--as-of",
        type=parse_date,
        metavar="YYYY-MM-DD",
        help="as on this day: no row dated after it, rolling windows end there (default: today)",
    )


def _validate(inv: Invocation) -> int:
    from dataset_tui.services.runs import validate

    data = validate(_context(inv), inv.args.name, version=inv.args.version, as_of=inv.args.as_of)
    if inv.args.json:
        print_json(data)
        return 0 if data["valid"] else 1
    if data["valid"]:
        print(f"{data['name']} v{data['version']}: valid; the full query scans {data['summary']}")
        if data.get("refused") or data.get("needs_confirmation"):
            print(data.get("message", ""))
        return 0
    print(f"{data['name']} v{data['version']}: {len(data['problems'])} problem(s)")
    for p in data["problems"]:
        print(f"  {p['path'] + ': ' if p['path'] else ''}{p['message']}")
    return 1


def _analyze(inv: Invocation) -> int:
    from dataset_tui.services.runs import analyze

    data = analyze(_context(inv), inv.args.name, version=inv.args.version, confirm=_confirm(inv), as_of=inv.args.as_of)
    if inv.args.json:
        print_json(data)
        return 0
    print(f"{data['name']} v{data['version']} (as of {data['as_of']})")
    lines = [
        ("rows", _num(data["rows"])),
        ("users", _num(data["users"])),
        ("products", _num(data["products"])),
        ("dates", f"{data['date_min'] or '-'} to {data['date_max'] or '-'}"),
    ]
    split = data["split"]
    if split is not None:
        lines += [
            ("train rows", _num(split["train_rows"])),
            ("eval rows", _num(split["eval_rows"])),
            ("no split key", _num(split["null_key_rows"])),
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
    from dataset_tui.services.runs import preview
    from dataset_tui.services.values import plain

    data = preview(
        _context(inv),
        inv.args.name,
        limit=inv.args.limit,
        version=inv.args.version,
        split=inv.args.split,
        confirm=_confirm(inv),
        as_of=inv.args.as_of,
    )
    if inv.args.json:
        print_json({**data, "rows": [[plain(v) for v in row] for row in data["rows"]]})
        return 0
    headers = [f"{c['name']} ({c['role']})" if c["role"] else c["name"] for c in data["columns"]]
    print(table([[plain(v) for v in row] for row in data["rows"]], headers))
    if data["truncated"]:
        print(f"(first {len(data['rows'])} rows; --limit N shows more)")
    return 0


def _compare(inv: Invocation) -> int:
    from dataset_tui.services.compare import compare
    from dataset_tui.services.errors import ServiceError

    try:
        data = compare(_context(inv, warehouse=False), inv.args.names, as_of=inv.args.as_of)
    except ServiceError as exc:
        raise CliError(str(exc), 2 if "compare takes" in str(exc) else 1) from None
    if inv.args.json:
        print_json(data)
        return 0
    datasets = data["datasets"]
    differs = set(data["differs"])
    rows = []
    for field in data["fields"]:
        rows.append(["*" if field in differs else "", field] + [_cell(d["fields"][field]) for d in datasets])
    for field in data["analysis_fields"]:
        mark = "*" if f"analysis.{field}" in differs else ""
        rows.append([mark, f"analysis.{field}"] + [_cell((d["analysis"] or {}).get(field)) for d in datasets])
    rows.append(["", "analysis"] + [_analysis_state(d["analysis"]) for d in datasets])
    print(table(rows, ["", "FIELD"] + [f"{d['name']} v{d['version']}" for d in datasets]))
    for d in datasets:
        if d.get("note"):
            print(f"{d['name']}: {d['note']}")
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return _num(value)


def _analysis_state(analysis: dict[str, Any] | None) -> str:
    if analysis is None:
        return "never run"
    return "stale" if analysis["stale"] else "current"

"""CLI: the embedded warehouse itself (DESIGN §8), and what the warehouse commands share.

`warehouse demo` (re)builds the demo raw_data and `warehouse import` loads a
CSV or Parquet file, both through services/local_warehouse.py. The commands
that read the warehouse (catalog.py, runs.py) open it through
`warehouse_context`: on first use of the default DuckDB warehouse the demo is
built, with a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dataset_tui.cli.common import Invocation, add_json, bounded_int, print_json, table
from dataset_tui.cli.formatting import number_text, size_text


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


def warehouse_context(inv: Invocation, *, warehouse: bool = True) -> Any:
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


def scan_confirm(inv: Invocation) -> Any:
    from dataset_tui.services.cost import cli_confirm

    return cli_confirm(bool(getattr(inv.args, "yes", False)), pricing=inv.context().profile.pricing)


# -- warehouse demo / import ----------------------------------------------------------------


def _demo(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import table_json
    from dataset_tui.services.local_warehouse import rebuild_demo

    ctx = inv.context()
    infos = rebuild_demo(ctx, rows=inv.args.rows, seed=inv.args.seed, progress=progress_bar(), force=inv.args.force)
    if inv.args.json:
        print_json({"path": str(ctx.warehouse_file), "tables": [table_json(i) for i in infos]})
        return 0
    print(f"Demo raw_data built at {ctx.warehouse_file} (seed {inv.args.seed}):")
    rows = [[i.name, number_text(i.rows), size_text(i.bytes), i.columns] for i in infos]
    print(table(rows, ["TABLE", "ROWS", "SIZE", "COLUMNS"]))
    return 0


def _import(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import table_json
    from dataset_tui.services.local_warehouse import import_file

    ctx = inv.context()
    info = import_file(ctx, inv.args.file, inv.args.table, replace=inv.args.replace, progress=progress_bar())
    if inv.args.json:
        print_json(table_json(info))
        return 0
    where = f"{ctx.profile.dataset}.{info.name}"
    print(f"Imported {inv.args.file} as {where}: {number_text(info.rows)} rows, {info.columns} columns")
    return 0

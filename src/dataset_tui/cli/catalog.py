"""CLI: the commands that look at the warehouse's tables (DESIGN §8):
`tables`, `schema`, `stats`, `samples`, `joins`, `suggest`.

Each is a thin face over services/ (catalog, schemas, table_stats): parse,
call, print (text, or `--json` in the shapes of DESIGN §8).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from dataset_tui.cli.common import CliError, Invocation, add_json, add_yes, bounded_int, print_json, table
from dataset_tui.cli.formatting import number_text, size_text, sparkline
from dataset_tui.cli.warehouse import scan_confirm, warehouse_context

if TYPE_CHECKING:
    from dataset_tui.services.table_stats import TableStatsResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the parser."""
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


# -- tables, schema, stats, samples -------------------------------------------------------------


def _tables(inv: Invocation) -> int:
    from dataset_tui.cli.json_shapes import table_json
    from dataset_tui.services.catalog import badges, table_listing

    listing = table_listing(warehouse_context(inv))
    rows = [table_json(info, entry) for entry, info in listing]
    if inv.args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No tables yet: import one with `dataset-tui warehouse import FILE --table NAME`.")
        return 0
    print(
        table(
            [
                [r["name"], number_text(r["rows"]), size_text(r["bytes"]), r["columns"], r["modified"] or "", kinds]
                for r, kinds in zip(rows, (", ".join(badges(i, e)) for e, i in listing), strict=True)
            ],
            ["TABLE", "ROWS", "SIZE", "COLUMNS", "MODIFIED", "KIND"],
        )
    )
    return 0


def _schema(inv: Invocation) -> int:
    from dataset_tui.services.schemas import table_schema

    schema = table_schema(warehouse_context(inv), inv.args.table)
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

    ctx = warehouse_context(inv)
    stats = table_stats(ctx, inv.args.table, inv.args.column, refresh=inv.args.refresh, confirm=scan_confirm(inv))
    if inv.args.json:
        print_json(_stats_json(stats))
        return 0
    origin = f"cached {stats.computed_at}" if stats.cached else "just computed"
    print(f"{stats.table}: {number_text(stats.row_count)} rows ({origin})")
    print(
        table(
            [
                [
                    c.name,
                    c.type,
                    number_text(c.null_count),
                    number_text(c.distinct_count),
                    number_text(c.min),
                    number_text(c.max),
                    number_text(c.mean),
                    number_text(c.stddev),
                    number_text(c.range_days),
                    sparkline([b.count for b in c.histogram]),
                ]
                for c in stats.columns
            ],
            ["COLUMN", "TYPE", "NULLS", "DISTINCT", "MIN", "MAX", "MEAN", "STDDEV", "DAYS", "DISTRIBUTION"],
        )
    )
    return 0


def _stats_json(stats: TableStatsResult) -> dict[str, Any]:
    """The `stats --json` shape (DESIGN §8), plus counts, histograms and whether distinct is approximate."""
    return {
        "table": stats.table,
        "row_count": stats.row_count,
        "table_modified": stats.table_modified,
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "count": c.count,
                "null_count": c.null_count,
                "distinct_count": c.distinct_count,
                "min": c.min,
                "max": c.max,
                "mean": c.mean,
                "stddev": c.stddev,
                "range_days": c.range_days,
                "approximate_distinct": c.approximate_distinct,
                "histogram": [{"label": b.label, "count": b.count} for b in c.histogram],
            }
            for c in stats.columns
        ],
        "complete": stats.complete,
        "cached": stats.cached,
        "computed_at": stats.computed_at,
    }


def _samples(inv: Invocation) -> int:
    from dataset_tui.services.table_stats import samples
    from dataset_tui.services.values import plain

    ctx = warehouse_context(inv)
    found = samples(ctx, inv.args.table, inv.args.column, inv.args.limit, confirm=scan_confirm(inv))
    values = [plain(v) for v in found]
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
        found = joins(warehouse_context(inv), inv.args.tables)
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

    data = suggest(warehouse_context(inv), inv.args.tables, inv.args.primary).to_dict()
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


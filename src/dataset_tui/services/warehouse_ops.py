"""Warehouse use cases both faces call: tables, schema with suggested roles,
statistics (cached), samples, joins, suggestions, activation checks, validate,
analyze (cached), preview, compare, the demo and file import.

Every function takes the AppContext (`ctx.warehouse()`, `ctx.store`,
`ctx.model`, `ctx.profile`) and returns plain data in the JSON shapes of
DESIGN §8 (the CLI prints them; the TUI reads them). Queries that scan data
(statistics, analyze, preview) go through the cost guard, which on a billed
warehouse dry-runs first and asks `confirm` above the profile's threshold.

"Today" for analyze and preview is the product's one clock, written into the
SQL as a literal: on a live clock that is exactly CURRENT_DATE() (UTC), and
with a fixed clock (tests, DATASET_TUI_TODAY) the answers follow it. An
`as_of` date replaces it (validate, analyze, preview, compare), so historical
data can be looked at as it was on that day; nothing dated after it counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from dataset_tui.domain.definition import Definition, Problem

# `tables --json` and its rows live with the catalog (names first, shard families folded).
from dataset_tui.services.catalog import table_row as table_row, tables_json as tables_json
from dataset_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from dataset_tui.domain.joins import JoinSuggestion
    from dataset_tui.domain.mapping import RoleMapping
    from dataset_tui.services.context import AppContext
    from dataset_tui.services.cost import Confirm
    from dataset_tui.warehouse.base import LocalWarehouse, TableInfo, TableSchema, TableStats

Progress = Callable[[float, str], None]

MIN_COMPARE, MAX_COMPARE = 2, 5
# Transactions in the demo built on first use (DESIGN §6: about a million).
FIRST_RUN_ROWS = 1_000_000


# -- plain values -----------------------------------------------------------------


def plain(value: Any) -> Any:
    """A warehouse value as JSON data: NUMERIC as a string, times as ISO-8601 UTC."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()  # DATETIME: no zone to state
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")  # BigQuery's JSON form of BYTES
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


# -- tables and schemas ----------------------------------------------------------------


def _dataset(ctx: AppContext, dataset: str | None = None) -> str:
    """The dataset asked for (a definition's `source.dataset`), else the profile's default."""
    return dataset or ctx.profile.dataset


def list_tables(ctx: AppContext, *, dataset: str | None = None) -> list[TableInfo]:
    return ctx.warehouse().list_tables(_dataset(ctx, dataset))


def _table_info(ctx: AppContext, table: str, dataset: str | None = None) -> TableInfo:
    return ctx.warehouse().table_info(_dataset(ctx, dataset), table)


def schemas_of(ctx: AppContext, tables: Sequence[str], dataset: str | None = None) -> dict[str, TableSchema]:
    warehouse = ctx.warehouse()
    return {table: warehouse.schema(dataset or _dataset(ctx), table) for table in tables}


def _pairs(schema: TableSchema) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in schema.columns]


@dataclass(frozen=True)
class SchemaColumnInfo:
    """A column of a table with the role it looks like it plays and whether it can join."""

    name: str
    type: str
    mode: str
    suggested_role: str | None
    role_confidence: float | None
    join_key: bool
    description: str | None


@dataclass(frozen=True)
class TableSchemaInfo:
    table: str
    dataset: str
    columns: tuple[SchemaColumnInfo, ...]


def table_schema(ctx: AppContext, table: str, *, dataset: str | None = None) -> TableSchemaInfo:
    """A table's columns with their suggested role and whether they can join (`schema`)."""
    from dataset_tui.domain.naming import is_join_key
    from dataset_tui.domain.roles import suggest_roles

    dataset = _dataset(ctx, dataset)
    schema = ctx.warehouse().schema(dataset, table)
    roles = {s.column: s for s in suggest_roles(schema.table, _pairs(schema))}
    columns = []
    for c in schema.columns:
        suggestion = roles.get(c.name)
        columns.append(
            SchemaColumnInfo(
                name=c.name,
                type=c.type,
                mode=c.mode,
                suggested_role=suggestion.role if suggestion else None,
                role_confidence=suggestion.confidence if suggestion else None,
                join_key=bool(is_join_key(schema.table, c.name, c.type)),
                description=c.description,
            )
        )
    return TableSchemaInfo(schema.table, dataset, tuple(columns))


# -- statistics ----------------------------------------------------------------------


def stats_key(ctx: AppContext, info: TableInfo) -> str:
    """What identifies a table's content for the statistics cache: where, rows, modified."""
    where = str(ctx.warehouse_file) if ctx.profile.backend == "duckdb" else (ctx.warehouse().project or "")
    modified = plain(info.modified) or "-"
    return f"{ctx.profile.backend}:{where}|rows={info.rows}|modified={modified}"


def stats_to_json(stats: TableStats) -> dict[str, Any]:
    """The `stats --json` shape, plus counts, histograms and whether distinct is approximate."""
    return {
        "table": stats.table,
        "row_count": stats.row_count,
        "table_modified": plain(stats.table_modified),
        "columns": [
            {
                "name": c.name,
                "type": c.type,
                "count": c.count,
                "null_count": c.null_count,
                "distinct_count": c.distinct_count,
                "min": plain(c.min),
                "max": plain(c.max),
                "mean": plain(c.mean),
                "stddev": plain(c.stddev),
                "range_days": c.range_days,
                "approximate_distinct": c.approximate_distinct,
                "histogram": [{"label": b.label, "count": b.count} for b in c.histogram],
            }
            for c in stats.columns
        ],
    }


def table_stats(
    ctx: AppContext,
    table: str,
    columns: Sequence[str] | None = None,
    *,
    refresh: bool = False,
    confirm: Confirm | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Column statistics (all columns when None), from the cache while the table is unchanged.

    The result is the `stats` JSON shape plus `cached` (served from the store)
    and `computed_at`. Freshly computed columns are merged into the cached
    ones of the same table content, so the wizard's column-by-column
    requests build up one entry.
    """
    from dataset_tui.domain import clock
    from dataset_tui.services.cost import stats_guarded

    dataset = _dataset(ctx, dataset)
    info = _table_info(ctx, table, dataset)
    key = stats_key(ctx, info)
    wanted = list(dict.fromkeys(columns)) if columns else None
    cached = ctx.store.cached_stats(dataset, table)
    fresh = cached is not None and not cached.stale_for(key)
    if fresh and not refresh:
        assert cached is not None
        by_name = {c["name"]: c for c in cached.result.get("columns", [])}
        complete = cached.result.get("complete", False)
        if (wanted is None and complete) or (wanted is not None and all(n in by_name for n in wanted)):
            chosen = [by_name[n] for n in wanted] if wanted is not None else list(by_name.values())
            return {**cached.result, "columns": chosen, "cached": True, "computed_at": plain(cached.computed_at)}
    stats = stats_guarded(ctx, dataset, table, wanted, confirm=confirm)
    result = stats_to_json(stats)
    result["complete"] = wanted is None
    stored = result
    if fresh and cached is not None and wanted is not None:
        merged = {c["name"]: c for c in cached.result.get("columns", [])}
        merged.update({c["name"]: c for c in result["columns"]})
        stored = {**result, "columns": list(merged.values()), "complete": cached.result.get("complete", False)}
    ctx.store.save_stats(dataset, table, key, stored)
    return {**result, "cached": False, "computed_at": plain(clock.now())}


def samples(
    ctx: AppContext,
    table: str,
    column: str,
    limit: int = 20,
    *,
    dataset: str | None = None,
    confirm: Confirm | None = None,
) -> list[Any]:
    """Distinct non-NULL values of a column (as the warehouse gives them), the most frequent first.

    Free on a BigQuery table (rows are listed); a view or an external table
    needs a query, which goes through the cost guard like any other scan.
    """
    from dataset_tui.services.cost import samples_guarded

    if limit < 1:
        raise ServiceError("--limit must be at least 1")
    return list(samples_guarded(ctx, _dataset(ctx, dataset), table, column, limit, confirm=confirm))


# -- joins and suggestions --------------------------------------------------------------


def joins(ctx: AppContext, tables: Sequence[str], *, dataset: str | None = None) -> list[JoinSuggestion]:
    """Detected joins between the tables, best first."""
    from dataset_tui.domain.joins import detect_joins

    if len(set(tables)) < 2:
        raise ServiceError("name at least two different tables to look for joins between them")
    schemas = schemas_of(ctx, list(dict.fromkeys(tables)), dataset)
    found = detect_joins({t: _pairs(s) for t, s in schemas.items()})
    return found


def suggest(
    ctx: AppContext, tables: Sequence[str], primary: str | None = None, *, dataset: str | None = None
) -> RoleMapping:
    """A role mapping across the tables, with the joins that connect them."""
    from dataset_tui.domain.mapping import UnknownTableError, suggest_mapping

    if not tables:
        raise ServiceError("name at least one table")
    schemas = schemas_of(ctx, list(dict.fromkeys(tables)), dataset)
    try:
        mapping = suggest_mapping({t: _pairs(s) for t, s in schemas.items()}, primary)
    except UnknownTableError as exc:
        raise ServiceError(str(exc)) from None
    return mapping


# -- definitions against the warehouse ------------------------------------------------------


def _definition_schemas(ctx: AppContext, definition: Definition) -> dict[str, dict[str, str]]:
    """{table: {column: type}} of the definition's tables that exist (missing ones left out).

    Each table is looked up in its own project and dataset (`other-project.sales.orders`).
    On a warehouse whose names do not fold case (BigQuery), a table the
    definition spells in another case is found by listing its dataset and
    keyed by the warehouse's spelling, so the check can name it.
    """
    return _schemas_and_spelling(ctx, definition)[0]


class _ListsNames(Protocol):
    """A warehouse whose names do not fold case lists them, so a wrong case can be named (BigQuery)."""

    def dataset_names(self, *, project: str | None = None) -> list[str]: ...


def _schemas_and_spelling(ctx: AppContext, definition: Definition) -> tuple[dict[str, dict[str, str]], str | None]:
    """(schemas keyed by the warehouse's spelling, the dataset's spelling when only its case differs)."""
    from dataset_tui.domain.table_refs import split_table_ref
    from dataset_tui.warehouse.base import NotFoundError

    warehouse = ctx.warehouse()
    folds = warehouse.names_fold_case
    lister = cast(_ListsNames, warehouse)
    found: dict[str, dict[str, str]] = {}
    dataset_spelling = None
    for table in definition.source.tables:
        project, dataset, name = split_table_ref(table)
        # Projects are BigQuery's (DuckDB, which folds case, addresses dataset.table only).
        where = {"project": project} if project and not folds else {}
        dataset = dataset or definition.source.dataset
        try:
            found[table] = warehouse.schema(dataset, name, **where).types()
            continue
        except NotFoundError:
            if folds:
                continue
        try:
            names = warehouse.list_table_names(dataset, **where)
        except NotFoundError:
            spelling = next((d for d in lister.dataset_names(**where) if d.lower() == dataset.lower()), None)
            if spelling is not None and dataset == definition.source.dataset:
                dataset_spelling = spelling
            continue
        real = next((n for n in names if n.lower() == name.lower()), None)
        if real is not None:
            key = table[: len(table) - len(name)] + real
            found[key] = warehouse.schema(dataset, real, **where).types()
    return found, dataset_spelling


def schema_problems(ctx: AppContext, definition: Definition) -> list[Problem]:
    """The definition's own rules, then its tables and columns against the warehouse (names as it spells them)."""
    from dataset_tui.domain.validation import check_against_schema, check_definition

    problems = check_definition(definition)
    schemas, dataset_spelling = _schemas_and_spelling(ctx, definition)
    case_sensitive = not getattr(ctx.warehouse(), "names_fold_case", True)
    return problems + check_against_schema(
        definition, schemas, case_sensitive=case_sensitive, dataset_spelling=dataset_spelling
    )


def warehouse_checks(ctx: AppContext, definition: Definition) -> list[Problem]:
    """What activation needs from the warehouse: tables and columns exist, role and
    split-key types fit (STRING or INT64), and the full SQL passes a dry run."""
    from dataset_tui.domain.sqlgen import SqlGenError, generate_sql
    from dataset_tui.warehouse.base import BadQueryError, NotFoundError

    # Versions saved before a file rule existed are held to it here too.
    problems = schema_problems(ctx, definition)
    if problems:
        return problems
    warehouse = ctx.warehouse()
    try:
        warehouse.dry_run(generate_sql(definition, "full", project=warehouse.project))
    except SqlGenError as exc:
        problems.append(Problem(path="", message=f"cannot generate the SQL: {exc}"))
    except (BadQueryError, NotFoundError) as exc:
        problems.append(Problem(path="", message=f"the generated SQL does not pass a dry run: {exc}"))
    return problems


def activation_checks(ctx: AppContext) -> Callable[[Definition], list[Problem]]:
    """`warehouse_checks` bound to a context: pass it as `checks` to definitions.activate."""
    return lambda definition: warehouse_checks(ctx, definition)


def fill_column_types(ctx: AppContext, definition: Definition, *, best_effort: bool = True) -> Definition:
    """The definition with `columns[].type` taken from the warehouse (saving does this).

    Columns whose table or column the warehouse does not have keep what they
    had (activation reports them). With `best_effort`, an unreachable
    warehouse (or a demo not built yet) leaves the definition as it is.
    """
    from dataset_tui.domain.definition import parse_definition
    from dataset_tui.warehouse.base import WarehouseError

    if not ctx.warehouse_exists():
        return definition
    try:
        schemas = _definition_schemas(ctx, definition)
    except WarehouseError:
        if best_effort:
            return definition
        raise
    lowered = {t.lower(): {c.lower(): ty for c, ty in cols.items()} for t, cols in schemas.items()}
    data = definition.to_dict()
    changed = False
    partitioned = _partition_columns(ctx, definition)
    for column in data["columns"]:
        plain = not ({"unit", "unnest", "param"} & set(column))
        is_partition = partitioned.get(column["table"].lower()) == column["name"].lower()
        if plain and is_partition and not column.get("partitioning"):
            column["partitioning"] = True  # recorded like `type`: the SQL prunes by it
            changed = True
        if "param" in column:
            continue  # the value field decides the type, not the key/value array's
        actual = lowered.get(column["table"].lower(), {}).get(column["name"].lower())
        if "unnest" in column:
            from dataset_tui.domain.ga4_roles import element_field_type

            array = lowered.get(column["table"].lower(), {}).get(column["unnest"].lower(), "")
            actual = element_field_type(array, column["name"][len(column["unnest"]) + 1 :])
        if actual is not None and column.get("type") != actual:
            column["type"] = actual
            changed = True
    return parse_definition(data) if changed else definition


def _partition_columns(ctx: AppContext, definition: Definition) -> dict[str, str]:
    """{table as the definition names it (lowercased): its time partitioning column}, from the warehouse.

    Only BigQuery reports partitioning (DuckDB tables have none, and its table
    info would scan them); ingestion-time tables are left out: their
    pseudo-column is chosen by name (`_PARTITIONTIME`).
    """
    from dataset_tui.domain.table_refs import split_table_ref
    from dataset_tui.warehouse.base import WarehouseError

    warehouse = ctx.warehouse()
    if getattr(warehouse, "backend", "") != "bigquery":
        return {}
    found = {}
    for table in definition.source.tables:
        project, dataset, name = split_table_ref(table)
        if name.endswith("*"):
            continue
        where = {"project": project} if project else {}
        try:
            info = warehouse.table_info(dataset or definition.source.dataset, name, **where)
        except WarehouseError:
            continue
        kind, _, field = (info.partitioning or "").partition(" on ")
        if field and kind != "RANGE" and not field.startswith("_PARTITION"):
            found[table.lower()] = field.lower()
    return found


def _resolve(ctx: AppContext, name: str, version: int | None) -> tuple[Any, Any]:
    from dataset_tui.services.definitions import resolve

    head, version_ = resolve(ctx.store, ctx.model, name, version)
    return head, version_


def validate(ctx: AppContext, name: str, *, version: int | None = None, as_of: dt.date | None = None) -> dict[str, Any]:
    """Check a dataset against the warehouse and dry-run its SQL: bytes and cost, nothing runs.

    `as_of` dry-runs the SQL pinned to that day (None: live, CURRENT_DATE()).
    """
    from dataset_tui.domain.sqlgen import generate_sql
    from dataset_tui.services.cost import check_cost, describe_cost
    from dataset_tui.warehouse.base import BadQueryError, NotFoundError

    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    result: dict[str, Any] = {
        "name": head.name,
        "version": chosen.number,
        "valid": False,
        "problems": [],
        "bytes_processed": None,
        "cost_usd": None,
        "estimated": None,
        "summary": None,
        "needs_confirmation": False,
        "refused": False,
        "as_of": _iso_day(as_of),
    }
    problems = schema_problems(ctx, definition)
    if not problems:
        sql = generate_sql(definition, "full", project=ctx.warehouse().project, as_of=as_of)
        try:
            decision = check_cost(ctx, sql)
        except (BadQueryError, NotFoundError) as exc:
            problems.append(Problem(path="", message=f"the generated SQL does not pass a dry run: {exc}"))
        else:
            dry = decision.dry_run
            assert dry is not None
            result.update(
                bytes_processed=dry.bytes_processed,
                cost_usd=dry.cost_usd,
                estimated=dry.estimated,
                summary=describe_cost(dry),
                needs_confirmation=decision.needs_confirmation,
                refused=decision.refused,
                message=decision.message,
            )
    result["problems"] = [{"path": p.path, "message": p.message} for p in problems]
    result["valid"] = not problems
    return result


def _iso_day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def analyze(
    ctx: AppContext,
    name: str,
    *,
    version: int | None = None,
    confirm: Confirm | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Run the analysis query (one query), judge quality, cache it with the definition hash.

    `as_of` counts the rows as of that day (None: live, today). The cached
    entry records which: `as_of` (the day counted up to) and `live`, so no
    reader takes an as-of analysis for today's, or one day's for another's.

    Returns the `analyze` JSON shape plus name, version, definition_hash,
    computed_at, as_of, live and per-day counts.
    """
    from dataset_tui.domain import clock
    from dataset_tui.domain.analysis import analysis_to_json, parse_analysis
    from dataset_tui.domain.analysis_query import analysis_sql
    from dataset_tui.domain.quality import quality
    from dataset_tui.domain.sqlgen import SqlContext
    from dataset_tui.services.cost import run_guarded

    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    day = as_of if as_of is not None else clock.today()
    sql = analysis_sql(definition, SqlContext(project=ctx.warehouse().project, as_of=day))
    result = run_guarded(ctx, sql, confirm=confirm)
    counts = parse_analysis(result.columns, result.rows)
    data = {
        **analysis_to_json(counts, quality(counts, definition), definition),
        "as_of": day.isoformat(),
        "live": as_of is None,
    }
    ctx.store.save_analysis(ctx.model, head.name, chosen.definition_hash, data)
    return {
        **data,
        "name": head.name,
        "version": chosen.number,
        "definition_hash": chosen.definition_hash,
        "computed_at": plain(clock.now()),
    }


def preview(
    ctx: AppContext,
    name: str,
    *,
    limit: int = 50,
    version: int | None = None,
    split: str = "full",
    confirm: Confirm | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The first rows the dataset's SQL returns, under their output column names.

    `columns` carries each output column's role (None for a plain feature)
    and type, so the TUI can annotate the header; values are as the
    warehouse returns them (the CLI's JSON writer turns them into text).
    """
    from dataset_tui.domain import clock
    from dataset_tui.domain.split_names import is_split_name
    from dataset_tui.domain.sqlgen import SqlContext, preview_sql
    from dataset_tui.services.cost import run_guarded
    from dataset_tui.services.partition_floors import bounded_context

    if limit < 1:
        raise ServiceError("--limit must be at least 1")
    if not is_split_name(split):
        raise ServiceError(f"unknown split {split!r}; choose full, train or eval")
    head, chosen = _resolve(ctx, name, version)
    definition = chosen.definition
    day = as_of if as_of is not None else clock.today()
    # One row more than shown tells whether more exist.
    context = SqlContext(project=ctx.warehouse().project, as_of=day)
    context = bounded_context(ctx, definition, context)  # latest partitions where a filter is required
    sql = preview_sql(definition, split, context, limit=limit + 1)
    result = run_guarded(ctx, sql, confirm=confirm, limit=limit)
    roles = {c.output_name.lower(): c.role for c in definition.columns}
    return {
        "name": head.name,
        "version": chosen.number,
        "split": split,
        "as_of": day.isoformat(),
        "live": as_of is None,
        "columns": [
            {"name": n, "role": roles.get(n.lower()), "type": t}
            for n, t in zip(result.columns, result.types, strict=True)
        ],
        "rows": [list(r) for r in result.rows],
        "truncated": result.truncated,
        "partitions": [f.note for f in context.partition_floors],
    }


# -- compare ----------------------------------------------------------------------------------


def _key_fields(definition: Definition) -> dict[str, Any]:
    """The fields a side-by-side comparison shows, as short comparable values."""
    from dataset_tui.domain.describe import date_range_text, split_text

    src = definition.source
    filters = definition.filters
    roles = {}
    for role in ("user_id", "product_id", "timestamp", "revenue"):
        column = definition.role_column(role)
        roles[role] = f"{column.table}.{column.name}" if column else None
    return {
        "dataset": src.dataset,
        "primary": src.primary,
        "joins": [f"{j.type} {j.table}" for j in src.joins],
        "columns": len(definition.columns),
        "outputs": definition.output_names,
        **roles,
        "date_range": date_range_text(filters),
        "top_products_percent": filters.top_products_percent,
        "min_transactions": filters.min_transactions,
        "split": split_text(definition),
    }


def compare(ctx: AppContext, names: Sequence[str], *, as_of: dt.date | None = None) -> dict[str, Any]:
    """2–5 datasets side by side: key fields of the version in use and the cached analysis.

    `differs` lists the fields whose values are not all equal, so a face can
    highlight them. Nothing runs on the warehouse. With `as_of`, only
    analyses counted as of that day are shown (others are null, with a
    `note` saying how to make one), so the numbers side by side are of the
    same day.
    """
    unique = list(dict.fromkeys(names))
    if not MIN_COMPARE <= len(unique) <= MAX_COMPARE:
        raise ServiceError(f"compare takes {MIN_COMPARE} to {MAX_COMPARE} different datasets, not {len(unique)}")
    datasets = []
    for name in unique:
        head, chosen = _resolve(ctx, name, None)
        cached = ctx.store.cached_analysis(ctx.model, head.name)
        analysis = None
        note = None
        if cached is not None and as_of is not None and cached.result.get("as_of") != as_of.isoformat():
            note = f"not analyzed as of {as_of}: run `dataset-tui analyze {head.name} --as-of {as_of}`"
            cached = None
        if cached is not None:
            r = cached.result
            split = r.get("split") or {}
            analysis = {
                "rows": r.get("rows"),
                "users": r.get("users"),
                "products": r.get("products"),
                "date_min": r.get("date_min"),
                "date_max": r.get("date_max"),
                "train_rows": split.get("train_rows"),
                "eval_rows": split.get("eval_rows"),
                "quality_score": (r.get("quality") or {}).get("score"),
                "computed_at": plain(cached.computed_at),
                "as_of": r.get("as_of"),
                "live": r.get("live"),
                "stale": cached.stale,
            }
        datasets.append(
            {
                "name": head.name,
                "version": chosen.number,
                "status": head.status,
                "badge": head.badge,
                "definition_hash": chosen.definition_hash,
                "fields": _key_fields(chosen.definition),
                "analysis": analysis,
                "note": note,
            }
        )
    fields = list(datasets[0]["fields"])
    differs = [f for f in fields if len({repr(d["fields"][f]) for d in datasets}) > 1]
    analysis_fields = ["rows", "users", "products", "date_min", "date_max", "train_rows", "eval_rows", "quality_score"]
    for f in analysis_fields:
        values = {repr((d["analysis"] or {}).get(f)) for d in datasets}
        if len(values) > 1:
            differs.append(f"analysis.{f}")
    return {
        "datasets": datasets,
        "fields": fields,
        "analysis_fields": analysis_fields,
        "differs": differs,
        "as_of": _iso_day(as_of),
    }


# -- the demo and imports ----------------------------------------------------------------------


def _close_duckdb(ctx: AppContext) -> None:
    """Let go of the DuckDB file before it is replaced (it reopens on next use)."""
    ctx.set_warehouse(None)


def ensure_demo(ctx: AppContext, progress: Progress | None = None) -> bool:
    """Build the demo on first use (the DuckDB file does not exist yet); True if it was built."""
    if ctx.profile.backend != "duckdb" or ctx.warehouse_file is None or ctx.warehouse_exists():
        return False
    from dataset_tui.config import data_dir
    from dataset_tui.warehouse.demo import build_demo

    if ctx.warehouse_file != data_dir() / "demo.duckdb":
        # A path the user chose (--warehouse, the environment, a profile) that
        # does not exist is a typo far more often than a wish for demo data.
        raise ServiceError(
            f"no warehouse at {ctx.warehouse_file}; `dataset-tui warehouse demo` builds the demo there, "
            "`dataset-tui warehouse import FILE --table NAME` starts it with your own data"
        )
    _close_duckdb(ctx)
    build_demo(ctx.warehouse_file, rows=FIRST_RUN_ROWS, progress=progress)
    return True


def rebuild_demo(
    ctx: AppContext,
    *,
    rows: int = 1_000_000,
    seed: int = 42,
    progress: Progress | None = None,
    force: bool = False,
) -> list[TableInfo]:
    """(Re)build the demo at the context's DuckDB file; returns its tables.

    The new file replaces the old one whole. Tables the demo does not make
    (imported files) would be lost with it, so a file holding any, or one
    that cannot be read, is replaced only with `force`.
    """
    from dataset_tui.warehouse.demo import DATASET, TABLES, build_demo

    path = _duckdb_file(ctx, "warehouse demo")
    if rows < 1:
        raise ServiceError("--rows must be at least 1")
    if path.exists() and not force:
        from dataset_tui.warehouse.base import WarehouseError

        try:
            found = _local_warehouse(ctx, "warehouse demo").all_tables()
        except WarehouseError as exc:
            raise ServiceError(f"{exc}\nTo replace {path} with a new demo anyway, pass --force.") from None
        from dataset_tui.warehouse.demo_ga4 import is_shard

        demo = {(DATASET, name) for name in TABLES}
        others = [f"{d}.{t}" for d, t in found if (d, t) not in demo and not (d == DATASET and is_shard(t))]
        if others:
            raise ServiceError(
                f"{path} holds tables the demo does not make ({', '.join(others)}); rebuilding the demo "
                "replaces the whole file and they would be lost. Pass --force to replace it anyway, "
                "or choose another file with --warehouse."
            )
    _close_duckdb(ctx)
    try:
        build_demo(path, rows=rows, seed=seed, progress=progress)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    except OSError as exc:
        raise ServiceError(f"cannot write the demo to {path}: {exc.strerror or exc}") from None
    return ctx.warehouse().list_tables(DATASET)


def _local_warehouse(ctx: AppContext, command: str) -> LocalWarehouse:
    """The context's warehouse as a local file one (the demo build and imports need that)."""
    from dataset_tui.warehouse.base import LocalWarehouse

    _duckdb_file(ctx, command)
    warehouse = ctx.warehouse()
    if not isinstance(warehouse, LocalWarehouse):
        raise ServiceError(f"`{command}` needs a warehouse file on this machine; {ctx.warehouse_label} is not one.")
    return warehouse


def _duckdb_file(ctx: AppContext, command: str) -> Path:
    if ctx.profile.backend != "duckdb" or ctx.warehouse_file is None:
        raise ServiceError(
            f"`{command}` works on the embedded DuckDB warehouse; profile {ctx.profile.name!r} uses "
            f"{ctx.profile.backend}. Choose a DuckDB profile (--profile local) or --warehouse FILE."
        )
    return ctx.warehouse_file


def import_file(
    ctx: AppContext, file: str | Path, table: str, *, replace: bool = False, progress: Progress | None = None
) -> TableInfo:
    """Load a CSV or Parquet file into the DuckDB warehouse's dataset as `table`."""
    from dataset_tui.warehouse.importer import import_table

    _duckdb_file(ctx, "warehouse import")
    # No demo first: a new (or empty) file gets only the user's table.
    warehouse = _local_warehouse(ctx, "warehouse import")
    return import_table(warehouse, Path(file), table, dataset=_dataset(ctx), replace=replace)

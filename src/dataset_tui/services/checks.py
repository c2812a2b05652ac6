"""A definition against the warehouse: the checks activation runs, and column types filled in on save.

Each table is looked up in its own project and dataset; on a warehouse whose
names do not fold case (BigQuery) a table or dataset spelt in another case is
named with the warehouse's spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from dataset_tui.domain.definition import Definition, Problem

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


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
        where: dict[str, Any] = {"project": project} if project else {}
        try:
            info = warehouse.table_info(dataset or definition.source.dataset, name, **where)
        except WarehouseError:
            continue
        kind, _, field = (info.partitioning or "").partition(" on ")
        if field and kind != "RANGE" and not field.startswith("_PARTITION"):
            found[table.lower()] = field.lower()
    return found


"""Checks that relate several fields of a definition and need no warehouse.

Each problem carries the field path it is about, so the CLI can list them and
the wizard can show each beside its field. Checks that need the warehouse's
schema (tables and columns exist, types fit roles) are in
:func:`check_against_schema`, which takes the schema as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping

from dataset_tui.domain.definition import (
    Column,
    Definition,
    FixedRange,
    Problem,
    RandomSplit,
    RollingRange,
    TimeSplit,
)
from dataset_tui.domain.table_refs import PARAM_VALUE_TYPES, table_alias
from dataset_tui.domain.types import base_type, element_fields
from dataset_tui.domain.window import longest_rolling_days

# Types a random split may hash: other types cast to text differently on
# each engine, so the same row could land in different splits.
SPLIT_KEY_TYPES = ("STRING", "INT64")
TIMESTAMP_TYPES = ("TIMESTAMP", "DATETIME", "DATE")
NUMERIC_TYPES = ("INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC")
# Types an id (user or product) may have: something that compares by equality.
ID_TYPES = ("STRING", "INT64", "BYTES")

ROLE_TYPES: dict[str, tuple[str, ...]] = {
    "user_id": ID_TYPES,
    "product_id": ID_TYPES,
    "timestamp": TIMESTAMP_TYPES,
    "revenue": NUMERIC_TYPES,
}


def check_definition(definition: Definition) -> list[Problem]:
    """Every file-only rule of DESIGN §3 that pydantic's field checks do not cover."""
    problems: list[Problem] = []
    problems += _check_tables(definition)
    problems += _check_columns(definition)
    problems += _check_filters(definition)
    problems += _check_split(definition)
    problems += _check_shapes(definition)
    return problems


def _check_shapes(d: Definition) -> list[Problem]:
    """Rules of the nested, repeated and epoch columns, table aliases and row filters."""
    problems: list[Problem] = []
    aliases: dict[str, str] = {}
    for i, table in enumerate(d.source.tables):
        alias = table_alias(table).lower()
        if alias in aliases and aliases[alias].lower() != table.lower():
            path = "source.primary" if i == 0 else f"source.joins[{i - 1}].table"
            message = f"{table!r} and {aliases[alias]!r} would both be called {alias!r} in SQL; join only one of them"
            problems.append(Problem(path=path, message=message))
        aliases.setdefault(alias, table)
    unnested: dict[str, int] = {}
    for i, c in enumerate(d.columns):
        path = f"columns[{i}]"
        if c.unnest is not None:
            if c.param is not None:
                problems.append(Problem(path=f"{path}.unnest", message="a column takes unnest or param, not both"))
            if not c.name.lower().startswith(c.unnest.lower() + "."):
                message = f"the name must be a field of the unnested array, written {c.unnest}.FIELD"
                problems.append(Problem(path=f"{path}.name", message=message))
            key = f"{c.table.lower()}.{c.unnest.lower()}"
            first = next(iter(unnested.values()), None)
            if unnested and key not in unnested and first is not None:
                message = (
                    f"only one array can be unnested per definition (columns[{first}] unnests another): "
                    "two would multiply rows by each other"
                )
                problems.append(Problem(path=f"{path}.unnest", message=message))
            unnested.setdefault(key, i)
        if c.unit is not None:
            if c.param is not None and c.param.value != "int_value":
                message = "an epoch unit needs the int_value of the parameter"
                problems.append(Problem(path=f"{path}.unit", message=message))
            if c.type is not None and c.source_base_type != "INT64":
                message = f"an epoch unit applies to INT64 columns, not {c.type}"
                problems.append(Problem(path=f"{path}.unit", message=message))
            if c.partitioning:
                message = "an INT64 epoch column cannot be a time partitioning column; remove partitioning"
                problems.append(Problem(path=f"{path}.partitioning", message=message))
        field = None if c.param is None else c.param.value
        if field is not None and c.type is not None and c.base_type != PARAM_VALUE_TYPES[field] and not c.unit:
            message = f"the {field} of a parameter is {PARAM_VALUE_TYPES[field]}, not {c.type}"
            problems.append(Problem(path=f"{path}.type", message=message))
        if c.partitioning and (c.unnest is not None or c.param is not None):
            message = "a partitioning column is a top-level column of the table"
            problems.append(Problem(path=f"{path}.partitioning", message=message))
    tables = {t.lower() for t in d.source.tables}
    for k, f in enumerate(d.filters.where or []):
        if f.table.lower() not in tables:
            message = f"table {f.table!r} is not the primary table or a joined table"
            problems.append(Problem(path=f"filters.where[{k}].table", message=message))
    return problems


def _check_tables(d: Definition) -> list[Problem]:
    problems = []
    seen = {d.source.primary.lower()}
    for i, join in enumerate(d.source.joins):
        if join.table.lower() in seen:
            problems.append(
                Problem(path=f"source.joins[{i}].table", message=f"table {join.table!r} appears more than once")
            )
        for k, on in enumerate(join.on):
            path = f"source.joins[{i}].on[{k}]"
            if on.right_table != join.table:
                message = f"must name the joined table {join.table!r}, not {on.right_table!r}"
                problems.append(Problem(path=f"{path}.right", message=message))
            if on.left_table.lower() not in seen:
                problems.append(
                    Problem(
                        path=f"{path}.left",
                        message=f"must name the primary table or a table joined before this one, not {on.left_table!r}",
                    )
                )
        seen.add(join.table.lower())
    return problems


def _check_columns(d: Definition) -> list[Problem]:
    problems = []
    tables = {t.lower() for t in d.source.tables}
    roles: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, column in enumerate(d.columns):
        if column.table.lower() not in tables:
            problems.append(
                Problem(
                    path=f"columns[{i}].table",
                    message=f"table {column.table!r} is not the primary table or a joined table",
                )
            )
        if column.role:
            if column.role in roles:
                problems.append(
                    Problem(
                        path=f"columns[{i}].role",
                        message=f"role {column.role!r} is already given to columns[{roles[column.role]}]",
                    )
                )
            else:
                roles[column.role] = i
        key = column.output_name.lower()
        if key in names:
            problems.append(
                Problem(
                    path=f"columns[{i}]" + (".alias" if column.alias else ""),
                    message=(
                        f"output name {column.output_name!r} is already used by columns[{names[key]}] "
                        "(names are compared ignoring case); give one of them an alias"
                    ),
                )
            )
        else:
            names[key] = i
        if column.role and column.type:
            allowed = ROLE_TYPES[column.role]
            if column.base_type not in allowed:
                problems.append(
                    Problem(
                        path=f"columns[{i}].type",
                        message=f"a {column.role} column must be {' or '.join(allowed)}, not {column.type}",
                    )
                )
    return problems


def _needs(d: Definition, role: str, path: str, what: str) -> list[Problem]:
    if d.role_column(role) is None:
        return [Problem(path=path, message=f"{what} needs a column with the {role!r} role")]
    return []


def _check_filters(d: Definition) -> list[Problem]:
    problems = []
    f = d.filters
    if f.date_range is not None:
        problems += _needs(d, "timestamp", "filters.date_range", "a date range")
        if isinstance(f.date_range, FixedRange) and f.date_range.start > f.date_range.end:
            problems.append(
                Problem(
                    path="filters.date_range.start",
                    message=f"start {f.date_range.start} is after end {f.date_range.end}",
                )
            )
    if f.top_products_percent is not None:
        problems += _needs(d, "product_id", "filters.top_products_percent", "the top products filter")
        problems += _needs(d, "revenue", "filters.top_products_percent", "the top products filter")
    if f.min_transactions is not None:
        problems += _needs(d, "user_id", "filters.min_transactions", "the minimum transactions filter")
    return problems


def _check_split(d: Definition) -> list[Problem]:
    split = d.split
    if isinstance(split, RandomSplit):
        if split.key is None:
            if d.role_column("user_id") is None:
                return [
                    Problem(
                        path="split.key",
                        message="required when no column has the 'user_id' role (name an output column to hash)",
                    )
                ]
            key = d.role_column("user_id")
        else:
            key = d.output_column(split.key)
            if key is None:
                return [
                    Problem(
                        path="split.key",
                        message=f"{split.key!r} is not an output column (choose one of {', '.join(d.output_names)})",
                    )
                ]
        assert key is not None
        if key.type is not None and key.base_type not in SPLIT_KEY_TYPES:
            return [
                Problem(
                    path="split.key",
                    message=(
                        f"the split key {key.output_name!r} is {key.type}; it must be STRING or INT64 "
                        "(other types hash differently on each engine)"
                    ),
                )
            ]
    if isinstance(split, TimeSplit):
        problems = _needs(d, "timestamp", "split", "a time split")
        problem = _train_day_problem(d, split)
        if problem is not None:
            problems.append(problem)
        return problems
    return []


def _train_day_problem(d: Definition, split: TimeSplit) -> Problem | None:
    """A time split must leave train at least one day of the date range (DESIGN §3).

    Eval is cutoff..anchor with cutoff = anchor − eval_days, and train the
    days before the cutoff. A fixed range start..end keeps a train day only
    if eval_days ≤ (end − start) − 1. A rolling range of N months keeps one
    on no day at all once eval_days reaches its longest span.
    """
    dr = d.filters.date_range
    if isinstance(dr, FixedRange) and dr.start <= dr.end:
        gap = (dr.end - dr.start).days
        if split.eval_days <= gap - 1:
            return None
        days = gap + 1
        if gap < 2:
            fix = "widen the date range to at least 3 days, or use a random split"
        else:
            fix = f"use at most {gap - 1}, or widen the date range"
        return Problem(
            path="split.eval_days",
            message=(
                f"must be shorter than the fixed date range, so that train keeps a day: {split.eval_days} "
                f"eval days plus the anchor day cover all {days} day{'s' if days != 1 else ''} from "
                f"{dr.start} to {dr.end}; {fix}"
            ),
        )
    if isinstance(dr, RollingRange):
        longest = longest_rolling_days(dr.months)
        if split.eval_days >= longest:
            return Problem(
                path="split.eval_days",
                message=(
                    f"must be shorter than the rolling date range, so that train keeps a day: "
                    f"{split.eval_days} eval days plus the anchor day cover all of {dr.months} "
                    f"month{'s' if dr.months != 1 else ''} on every day; use at most {longest - 1}, "
                    "or a longer range"
                ),
            )
    return None


def check_against_schema(
    definition: Definition,
    schemas: Mapping[str, Mapping[str, str]],
    *,
    case_sensitive: bool = False,
    dataset_spelling: str | None = None,
) -> list[Problem]:
    """Tables and columns exist and types fit roles, given `{table: {column: TYPE}}`.

    Column keys are full dotted paths for STRUCT fields; columns compare
    ignoring case, as on every engine. Table keys are the warehouse's own
    spelling. With `case_sensitive` (BigQuery: table and dataset names are
    case-sensitive) a table the definition spells in another case is an
    error that names the right spelling; DuckDB folds case, so there it
    matches. `dataset_spelling`: the warehouse's spelling of a dataset the
    definition names in another case (its tables were then not found).
    """
    problems = []
    if dataset_spelling is not None and dataset_spelling != definition.source.dataset:
        problems.append(
            Problem(
                path="source.dataset",
                message=(
                    f"dataset {definition.source.dataset} does not exist: BigQuery dataset names are "
                    f"case-sensitive; did you mean {dataset_spelling!r}?"
                ),
            )
        )
    spelled = {t.lower(): t for t in schemas}
    lowered = {t.lower(): {c.lower(): ty for c, ty in cols.items()} for t, cols in schemas.items()}
    for i, table in enumerate(definition.source.tables):
        path = "source.primary" if i == 0 else f"source.joins[{i - 1}].table"
        real = spelled.get(table.lower())
        if real is None:
            if dataset_spelling is None or dataset_spelling == definition.source.dataset:
                problems.append(Problem(path=path, message=f"table {definition.source.dataset}.{table} does not exist"))
        elif case_sensitive and real != table:
            problems.append(
                Problem(
                    path=path,
                    message=(
                        f"table {table} does not exist: BigQuery table names are case-sensitive; "
                        f"did you mean {real!r}?"
                    ),
                )
            )
    for i, join in enumerate(definition.source.joins):
        for k, on in enumerate(join.on):
            for side, table, key_column in (
                ("left", on.left_table, on.left_column),
                ("right", on.right_table, on.right_column),
            ):
                cols = lowered.get(table.lower())
                if cols is not None and key_column.lower() not in cols:
                    problems.append(
                        Problem(
                            path=f"source.joins[{i}].on[{k}].{side}",
                            message=f"column {key_column!r} does not exist in {table}",
                        )
                    )
    for i, column in enumerate(definition.columns):
        cols = lowered.get(column.table.lower())
        if cols is None:
            continue
        actual = _schema_type(cols, column.unnest or column.name)
        if actual is None:
            missing = column.unnest or column.name
            problems.append(
                Problem(path=f"columns[{i}].name", message=f"column {missing!r} does not exist in {column.table}")
            )
            continue
        shape = _shape_problem(column, actual)
        if shape is not None:
            problems.append(Problem(path=f"columns[{i}].name", message=shape))
            continue
        if column.unnest is not None or column.param is not None:
            continue  # the element's type is not in a flat schema; the SQL run checks it
        base = "TIMESTAMP" if column.unit is not None and base_type(actual) == "INT64" else base_type(actual)
        if column.role and base not in ROLE_TYPES[column.role]:
            problems.append(
                Problem(
                    path=f"columns[{i}].role",
                    message=f"a {column.role} column must be {' or '.join(ROLE_TYPES[column.role])}; "
                    f"{column.table}.{column.name} is {actual}",
                )
            )
    for k, f in enumerate(definition.filters.where or []):
        cols = lowered.get(f.table.lower())
        if cols is not None and f.column.lower() not in cols:
            problems.append(
                Problem(path=f"filters.where[{k}].column", message=f"column {f.column!r} does not exist in {f.table}")
            )
    key = definition.split_key()
    if key is not None and not any(p.path.startswith("columns") for p in problems):
        cols = lowered.get(key.table.lower(), {})
        actual = cols.get(key.name.lower())
        if actual is not None and base_type(actual) not in SPLIT_KEY_TYPES:
            problems.append(
                Problem(
                    path="split.key",
                    message=f"the split key {key.output_name!r} is {actual}; it must be STRING or INT64",
                )
            )
    return problems


def _schema_type(cols: Mapping[str, str], name: str) -> str | None:
    if name.upper() in ("_PARTITIONTIME", "_PARTITIONDATE"):
        return cols.get(name.lower(), "TIMESTAMP" if name.upper() == "_PARTITIONTIME" else "DATE")
    return cols.get(name.lower())


def _shape_problem(column: Column, actual: str) -> str | None:
    """Why the stored type cannot hold what the column asks of it (None: it can)."""
    kind = base_type(actual)
    if column.unnest is not None and kind != "ARRAY":
        return f"{column.unnest} is {actual}, not an ARRAY; only a repeated column can be unnested"
    if column.unnest is not None:
        fields = element_fields(actual)
        field = column.name[len(column.unnest) + 1 :].split(".", 1)[0]
        if fields and field.lower() not in fields:
            return f"the elements of {column.unnest} have no field {field!r} (fields: {', '.join(fields)})"
    if column.param is not None and (kind != "ARRAY" or "KEY" not in actual.upper()):
        return f"{column.name} is {actual}, not an ARRAY of key/value STRUCTs"
    if column.unit is not None and column.param is None and kind != "INT64":
        return f"{column.name} is {actual}; an epoch unit applies to INT64 columns"
    return None

"""Which column types TFX's BigQueryExampleGen can read, and the cast that gets each there.

BigQueryExampleGen reads only INT64, FLOAT64, BOOL and STRING (DESIGN §4). The
TFX variant of the SQL casts dates, times and NUMERIC in its final SELECT;
nested and binary types cannot be given to it at all.
"""

from __future__ import annotations

from dataset_tui.domain.definition import Column, Definition

TFX_PASS_THROUGH = ("INT64", "FLOAT64", "BOOL", "STRING")
TFX_CASTS = {
    "TIMESTAMP": "UNIX_SECONDS({})",
    "DATETIME": "UNIX_SECONDS(TIMESTAMP({}))",
    "DATE": "UNIX_DATE({})",
    "NUMERIC": "CAST({} AS FLOAT64)",
    "BIGNUMERIC": "CAST({} AS FLOAT64)",
}
# TIME is refused too: DESIGN is silent, and ExampleGen cannot read it.
TFX_REFUSED = ("ARRAY", "STRUCT", "BYTES", "JSON", "GEOGRAPHY", "RANGE", "INTERVAL", "TIME")


def tfx_readable(base_type: str) -> bool:
    """Whether a base type (see `domain.types.base_type`) reaches ExampleGen, as is or cast."""
    return base_type in TFX_PASS_THROUGH or base_type in TFX_CASTS


def tfx_problems(definition: Definition) -> list[str]:
    """Why the TFX variant cannot be made, one message per column (empty: it can)."""
    problems = []
    for i, column in enumerate(definition.columns):
        where = f"columns[{i}] ({column.table}.{column.name} as {column.output_name})"
        kind = column.base_type
        if kind is None:
            problems.append(
                f"{where}: the TFX variant needs the column's type; add \"type\" to the column "
                "(for example \"type\": \"TIMESTAMP\"), or import the definition with a warehouse "
                "at hand so types are filled in"
            )
        elif kind in TFX_REFUSED:
            problems.append(
                f"{where} is {column.type}, which BigQueryExampleGen cannot read (it reads only "
                "INT64, FLOAT64, BOOL and STRING); remove the column from the definition or select "
                "a scalar field of it"
            )
        elif not tfx_readable(kind):
            problems.append(
                f"{where} has type {column.type}, which is not a BigQuery type dataset-tui knows "
                "how to give to TFX; correct its \"type\""
            )
    return problems


def tfx_expr(column: Column, ref: str) -> str:
    """`ref` (the column's SQL) as ExampleGen can read it."""
    kind = column.base_type
    return TFX_CASTS[kind].format(ref) if kind is not None and kind in TFX_CASTS else ref

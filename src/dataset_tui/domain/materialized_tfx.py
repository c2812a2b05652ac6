"""TFX input_config reading materialized tables instead of re-running the split queries.

`export --tfx --from-materialized` points BigQueryExampleGen at the tables a
materialization wrote, so a pipeline reads exactly the recorded rows however
`raw_data` changes later. The tables hold the definition's own column types;
the TFX casts (DESIGN §4: timestamps and dates as integers, NUMERIC as
FLOAT64) apply in the SELECT, as in the generated TFX queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dataset_tui.domain.definition import Definition
from dataset_tui.domain.sqlformat import SqlGenError, comment_safe, quote_ident
from dataset_tui.domain.tfx_types import TFX_CASTS, tfx_problems


def table_pattern(definition: Definition, table_id: str, *, split: str, label: str, as_of: dt.date) -> str:
    """`SELECT <TFX casts> FROM `table``, with a header saying which materialization it reads."""
    columns = []
    for column in definition.columns:
        ref = quote_ident(column.output_name)
        kind = column.base_type
        columns.append(f"{TFX_CASTS[kind].format(ref)} AS {ref}" if kind in TFX_CASTS else ref)
    header = [
        f"dataset-tui: dataset {definition.name} (model {definition.model})",
        f"version: {label}, split: {split}, materialized as of {as_of.isoformat()}",
        "reads the materialized table: the recorded rows, whatever raw_data holds now",
        "TFX variant: dates and times as integers, NUMERIC as FLOAT64 (BigQueryExampleGen types)",
    ]
    comment = "\n".join(f"-- {line}".rstrip() for entry in header for line in comment_safe(entry))
    body = ",\n  ".join(columns)
    return f"{comment}\nSELECT\n  {body}\nFROM `{table_id}`\n"


def tfx_table_config(
    definition: Definition, tables: Mapping[str, str], *, label: str, as_of: dt.date
) -> dict[str, Any]:
    """`{"splits": [{"name": "train", "pattern": ...}, {"name": "eval", ...}]}` over the tables."""
    problems = tfx_problems(definition)
    if problems:
        raise SqlGenError("cannot make the TFX variant:\n" + "\n".join(f"  {p}" for p in problems))
    missing = [s for s in ("train", "eval") if s not in tables]
    if missing:
        raise SqlGenError(
            f"the materialization has no {' and no '.join(missing)} table; TFX reads train and eval "
            "(materialize with --split train,eval)"
        )
    return {
        "splits": [
            {"name": split, "pattern": table_pattern(definition, tables[split], split=split, label=label, as_of=as_of)}
            for split in ("train", "eval")
        ]
    }

"""The pieces of a definition for BigQuery's shapes: a key/value parameter and a row filter.

Both are parts of ``dataset-tui/1`` (definition.py); they live here to keep
that module to one screenful of models. Values of a row filter are literals
of a validated type, never SQL.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from dataset_tui.domain.model_rules import Check, Len, Part, Strict, matches
from dataset_tui.domain.table_refs import MAX_IDENT, PARAM_KEY_RE, TABLE_REF_RE, column_path

# JSON's types, taken as they are: "5" is not a number, 1 is not true.
StrictStr = Annotated[str, Strict()]
StrictInt = Annotated[int, Strict()]
StrictFloat = Annotated[float, Strict()]
StrictBool = Annotated[bool, Strict()]


def _key(value: str) -> str:
    if not PARAM_KEY_RE.fullmatch(value):
        raise ValueError(f"parameter key {value!r} is not allowed (must match {PARAM_KEY_RE.pattern})")
    return value


@dataclass(frozen=True, kw_only=True)
class Param(Part):
    """One key of a key/value array (GA4 `event_params`): the row's value for `key`, from field `value`."""

    key: Annotated[StrictStr, Check(_key)]
    value: Literal["string_value", "int_value", "float_value", "double_value"]


FilterValue = StrictStr | StrictInt | StrictFloat


def _values(values: list[str | int | float]) -> list[str | int | float]:
    kinds = {isinstance(v, str) for v in values}
    if len(kinds) > 1:
        raise ValueError("values must be all strings or all numbers")
    for v in values:
        if isinstance(v, str):
            if len(v) > 1024 or any(unicodedata.category(ch).startswith("C") for ch in v):
                raise ValueError(f"value {v!r} must be at most 1024 characters with no control characters")
        elif isinstance(v, int):
            if not -(2**63) <= v < 2**63:
                raise ValueError(f"value {v} does not fit INT64")
        elif not math.isfinite(v):
            raise ValueError(f"value {v} must be a finite number")
    return values


@dataclass(frozen=True, kw_only=True)
class RowFilter(Part):
    """Keep the rows whose `table.column` is one of `in` (literals only, never SQL)."""

    ALIASES: ClassVar[dict[str, str]] = {"values": "in"}
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "populate_by_name": True}

    table: Annotated[StrictStr, Len(1), matches(TABLE_REF_RE, "table name", MAX_IDENT)]
    column: Annotated[StrictStr, Len(1), Check(column_path)]
    values: Annotated[list[FilterValue], Len(1, 1000), Check(_values)]

"""The pieces of a definition for BigQuery's shapes: a key/value parameter and a row filter.

Both are parts of ``dataset-tui/1`` (definition.py); they live here to keep
that module to one screenful of models. Values of a row filter are literals
of a validated type, never SQL.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, field_validator

from dataset_tui.domain.table_refs import MAX_IDENT, PARAM_KEY_RE, TABLE_REF_RE, column_path


class _Strict(BaseModel):
    # Built with the Definition that holds them (see definition_parts.StrictModel).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Param(_Strict):
    """One key of a key/value array (GA4 `event_params`): the row's value for `key`, from field `value`."""

    key: StrictStr
    value: Literal["string_value", "int_value", "float_value", "double_value"]

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not PARAM_KEY_RE.fullmatch(value):
            raise ValueError(f"parameter key {value!r} is not allowed (must match {PARAM_KEY_RE.pattern})")
        return value


FilterValue = StrictStr | StrictInt | StrictFloat


class RowFilter(_Strict):
    """Keep the rows whose `table.column` is one of `in` (literals only, never SQL)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    table: StrictStr = Field(min_length=1)
    column: StrictStr = Field(min_length=1)
    values: list[FilterValue] = Field(alias="in", min_length=1, max_length=1000)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        if len(value) > MAX_IDENT or not TABLE_REF_RE.fullmatch(value):
            raise ValueError(f"table name {value!r} is not allowed (must match {TABLE_REF_RE.pattern})")
        return value

    @field_validator("column")
    @classmethod
    def _column(cls, value: str) -> str:
        return column_path(value)

    @field_validator("values")
    @classmethod
    def _values(cls, values: list[str | int | float]) -> list[str | int | float]:
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

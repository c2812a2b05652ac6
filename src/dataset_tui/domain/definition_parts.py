"""The parts of a definition (DESIGN §3): source and joins, columns, filters, split.

Each is a frozen dataclass whose annotations carry its rules (model_rules.py:
unknown keys and wrong types are errors);
:class:`~dataset_tui.domain.definition.Definition` puts them together, and
definition.py re-exports them, so importers name that module only. Split
from definition.py to keep each module to one job: this one holds what a
field may be, that one the whole file and its parsing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from dataset_tui.domain.model_rules import Before, Check, Doc, Len, Part, Range, Tagged, matches
from dataset_tui.domain.row_shapes import Param, RowFilter, StrictBool, StrictInt, StrictStr
from dataset_tui.domain.table_refs import (
    IDENT_RE,
    MAX_IDENT,
    PARAM_VALUE_TYPES,
    PARTITION_PSEUDO_COLUMNS,
    QUALIFIED_RE,
    TABLE_REF_RE,
    column_part_problem,
    column_path,
    plain_name,
)

ROLES = ("user_id", "product_id", "timestamp", "revenue")
Role = Literal["user_id", "product_id", "timestamp", "revenue"]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MODEL_RE = NAME_RE
TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def must_match(pattern: re.Pattern[str], what: str) -> Check:
    """A field rule: the value must match `pattern` (and fit BigQuery's length cap)."""
    return matches(pattern, what, MAX_IDENT)


def _date(value: Any) -> dt.date:
    # Only ISO `YYYY-MM-DD` strings: pydantic alone would also take numbers
    # (as Unix times) and datetimes, which a hand-edited file never means.
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date") from exc


Ident = Annotated[StrictStr, Len(1)]
TableName = Annotated[Ident, must_match(TABLE_REF_RE, "table name")]


def output_name(name: str, role: str | None, alias: str | None) -> str:
    """A column's name in the output: alias if given, else the role name, else the last part of the name.

    A column name that is not a plain identifier (`order date`, `Größe`) gives
    its plain form (`order_date`, `Grosse`): output names are plain
    identifiers on every engine and in TFX; an alias chooses another.
    """
    if alias:
        return alias
    if role:
        return role
    return plain_name(name.rsplit(".", 1)[-1])


def _qualified(value: str) -> str:
    match = QUALIFIED_RE.fullmatch(value) if len(value) <= MAX_IDENT else None
    if match is None or column_part_problem(match.group(2)) is not None:
        raise ValueError(f"{value!r} must be written table.column (the table, a dot, one column name)")
    return value


Qualified = Annotated[StrictStr, Check(_qualified)]


@dataclass(frozen=True, kw_only=True)
class JoinOn(Part):
    left: Qualified
    right: Qualified

    # The column is the last dotted part; the table (possibly qualified) is the rest.

    @property
    def left_table(self) -> str:
        return self.left.rsplit(".", 1)[0]

    @property
    def left_column(self) -> str:
        return self.left.rsplit(".", 1)[1]

    @property
    def right_table(self) -> str:
        return self.right.rsplit(".", 1)[0]

    @property
    def right_column(self) -> str:
        return self.right.rsplit(".", 1)[1]


@dataclass(frozen=True, kw_only=True)
class Join(Part):
    table: TableName
    type: Literal["left", "inner"] = "left"
    on: Annotated[list[JoinOn], Len(1)]


@dataclass(frozen=True, kw_only=True)
class Source(Part):
    dataset: Annotated[Ident, must_match(IDENT_RE, "dataset name")] = "raw_data"
    primary: TableName
    joins: list[Join] = field(default_factory=list)

    @property
    def tables(self) -> list[str]:
        return [self.primary, *(j.table for j in self.joins)]


def _alias(value: str) -> str:
    if not ALIAS_RE.fullmatch(value):
        raise ValueError(f"alias {value!r} is not allowed (must match {ALIAS_RE.pattern})")
    return value


def _type(value: str) -> str:
    normal = value.strip().upper()
    # A type is never pasted into SQL, but keep it to what BigQuery types
    # look like so a file cannot carry arbitrary text through here.
    if not normal or len(normal) > 512 or not re.match(r"^[A-Z0-9_<>, ()]+$", normal):
        raise ValueError(f"type {value!r} is not a BigQuery type")
    return normal


ColumnPath = Annotated[StrictStr, Check(column_path)]


@dataclass(frozen=True, kw_only=True)
class Column(Part):
    table: TableName
    name: Annotated[Ident, Check(column_path)]
    role: Role | None = None
    alias: Annotated[StrictStr, Check(_alias)] | None = None
    type: Annotated[StrictStr, Check(_type)] | None = None
    # `name` is a field of the elements of this repeated column, flattened
    # with UNNEST: one row per element (`items.item_id` with unnest `items`).
    unnest: Annotated[
        ColumnPath | None, Doc("a repeated column to flatten with UNNEST; name is one of its fields (items.item_id)")
    ] = None
    # `name` is a key/value array and the column is the value of one key.
    param: Annotated[
        Param | None, Doc("name is a key/value array (GA4 event_params); the column is one key's value")
    ] = None
    # An INT64 epoch read as a TIMESTAMP.
    unit: Annotated[
        Literal["seconds", "millis", "micros"] | None, Doc("INT64 epoch → TIMESTAMP")
    ] = None
    # The warehouse reports this column as the table's time partitioning column.
    partitioning: Annotated[
        StrictBool | None, Doc("the table is time-partitioned on this column; the date window prunes by it")
    ] = None

    @property
    def output_name(self) -> str:
        if self.param is not None and not self.alias and not self.role:
            return self.param.key
        return output_name(self.name, self.role, self.alias)

    @property
    def value_type(self) -> str | None:
        """The type of the value in the output: an epoch becomes TIMESTAMP, a param its value field's type.

        `type` is the warehouse's type of what `name` (and `param`) picks,
        before the epoch conversion.
        """
        if self.unit is not None:
            return "TIMESTAMP"
        if self.type is None and self.param is not None:
            return PARAM_VALUE_TYPES[self.param.value]
        return self.type

    @property
    def base_type(self) -> str | None:
        """The output type without parameters: `NUMERIC(10, 2)` → `NUMERIC`, `ARRAY<INT64>` → `ARRAY`."""
        from dataset_tui.domain.types import base_type

        kind = self.value_type
        return None if kind is None else base_type(kind)

    @property
    def source_base_type(self) -> str | None:
        """The base type of the stored value (`type`), before any epoch conversion."""
        from dataset_tui.domain.types import base_type

        return None if self.type is None else base_type(self.type)

    @property
    def partition_column(self) -> bool:
        """Whether a date window on this column can prune the table's partitions."""
        return bool(self.partitioning) or self.name.upper() in PARTITION_PSEUDO_COLUMNS


Day = Annotated[dt.date, Before(_date)]


@dataclass(frozen=True, kw_only=True)
class RollingRange(Part):
    type: Literal["rolling"]
    months: Annotated[StrictInt, Range(1, 120)]


@dataclass(frozen=True, kw_only=True)
class FixedRange(Part):
    type: Literal["fixed"]
    start: Day
    end: Day


DateRange = Annotated[RollingRange | FixedRange, Tagged("type")]


@dataclass(frozen=True, kw_only=True)
class Filters(Part):
    date_range: Annotated[RollingRange | FixedRange | None, Tagged("type")] = None
    top_products_percent: Annotated[StrictInt, Range(1, 99)] | None = None
    # The upper bound is INT64's: the number becomes a BigQuery literal.
    min_transactions: Annotated[StrictInt, Range(1, 2**63 - 1)] | None = None
    # Row filters, all of which a row must pass (in the base, before every other step).
    where: Annotated[list[RowFilter] | None, Doc("row filters: the value is one of the literals")] = None


@dataclass(frozen=True, kw_only=True)
class RandomSplit(Part):
    type: Literal["random"]
    train_percent: Annotated[StrictInt, Range(1, 99)]
    key: StrictStr | None = None


@dataclass(frozen=True, kw_only=True)
class TimeSplit(Part):
    type: Literal["time"]
    eval_days: Annotated[StrictInt, Range(1, 3650)]


Split = Annotated[RandomSplit | TimeSplit, Tagged("type")]

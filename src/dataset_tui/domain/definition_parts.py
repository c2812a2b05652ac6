"""The parts of a definition (DESIGN §3): source and joins, columns, filters, split.

Each is a strict pydantic model (unknown keys and wrong types are errors);
:class:`~dataset_tui.domain.definition.Definition` puts them together, and
definition.py re-exports them, so importers name that module only. Split
from definition.py to keep each module to one job: this one holds what a
field may be, that one the whole file and its parsing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from dataset_tui.domain.row_shapes import Param, RowFilter
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


def must_match(*fields: str, pattern: re.Pattern[str], what: str) -> Any:
    """A field validator: the value must match `pattern` (and fit BigQuery's length cap)."""

    def check(cls: type, value: str) -> str:
        if len(value) > MAX_IDENT or not pattern.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not allowed (must match {pattern.pattern})")
        return value

    return field_validator(*fields)(check)


def _date(value: Any) -> dt.date:
    # Only ISO `YYYY-MM-DD` strings: pydantic alone would also take numbers
    # (as Unix times) and datetimes, which a hand-edited file never means.
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date") from exc


Ident = Annotated[StrictStr, Field(min_length=1)]


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


class StrictModel(BaseModel):
    """A part of the file: unknown keys are errors, and a parsed definition never changes.

    defer_build: Definition's validator covers its parts, so a part's own is
    needed only when code builds a part by hand (the wizard) and is built
    then, not on import by every command that reads a definition.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class JoinOn(StrictModel):
    left: StrictStr
    right: StrictStr

    @field_validator("left", "right")
    @classmethod
    def _qualified(cls, value: str) -> str:
        match = QUALIFIED_RE.fullmatch(value) if len(value) <= MAX_IDENT else None
        if match is None or column_part_problem(match.group(2)) is not None:
            raise ValueError(f"{value!r} must be written table.column (the table, a dot, one column name)")
        return value

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


class Join(StrictModel):
    table: Ident
    type: Literal["left", "inner"] = "left"
    on: list[JoinOn] = Field(min_length=1)

    check_table = must_match("table", pattern=TABLE_REF_RE, what="table name")


class Source(StrictModel):
    dataset: Ident = "raw_data"
    primary: Ident
    joins: list[Join] = Field(default_factory=list)

    check_dataset = must_match("dataset", pattern=IDENT_RE, what="dataset name")
    check_primary = must_match("primary", pattern=TABLE_REF_RE, what="table name")

    @property
    def tables(self) -> list[str]:
        return [self.primary, *(j.table for j in self.joins)]


class Column(StrictModel):
    table: Ident
    name: Ident
    role: Role | None = None
    alias: StrictStr | None = None
    type: StrictStr | None = None
    # `name` is a field of the elements of this repeated column, flattened
    # with UNNEST: one row per element (`items.item_id` with unnest `items`).
    unnest: StrictStr | None = Field(
        default=None, description="a repeated column to flatten with UNNEST; name is one of its fields (items.item_id)"
    )
    # `name` is a key/value array and the column is the value of one key.
    param: Param | None = Field(
        default=None, description="name is a key/value array (GA4 event_params); the column is one key's value"
    )
    # An INT64 epoch read as a TIMESTAMP.
    unit: Literal["seconds", "millis", "micros"] | None = Field(default=None, description="INT64 epoch → TIMESTAMP")
    # The warehouse reports this column as the table's time partitioning column.
    partitioning: StrictBool | None = Field(
        default=None, description="the table is time-partitioned on this column; the date window prunes by it"
    )

    check_table = must_match("table", pattern=TABLE_REF_RE, what="table name")

    @field_validator("name", "unnest")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else column_path(value)

    @field_validator("alias")
    @classmethod
    def _alias(cls, value: str | None) -> str | None:
        if value is not None and not ALIAS_RE.fullmatch(value):
            raise ValueError(f"alias {value!r} is not allowed (must match {ALIAS_RE.pattern})")
        return value

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is None:
            return None
        normal = value.strip().upper()
        # A type is never pasted into SQL, but keep it to what BigQuery types
        # look like so a file cannot carry arbitrary text through here.
        if not normal or len(normal) > 512 or not re.match(r"^[A-Z0-9_<>, ()]+$", normal):
            raise ValueError(f"type {value!r} is not a BigQuery type")
        return normal

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


class RollingRange(StrictModel):
    type: Literal["rolling"]
    months: StrictInt = Field(ge=1, le=120)


class FixedRange(StrictModel):
    type: Literal["fixed"]
    start: dt.date
    end: dt.date

    @field_validator("start", "end", mode="before")
    @classmethod
    def check_dates(cls, value: Any) -> dt.date:
        return _date(value)


DateRange = Annotated[RollingRange | FixedRange, Field(discriminator="type")]


class Filters(StrictModel):
    date_range: DateRange | None = None
    top_products_percent: StrictInt | None = Field(default=None, ge=1, le=99)
    # The upper bound is INT64's: the number becomes a BigQuery literal.
    min_transactions: StrictInt | None = Field(default=None, ge=1, le=2**63 - 1)
    # Row filters, all of which a row must pass (in the base, before every other step).
    where: list[RowFilter] | None = Field(default=None, description="row filters: the value is one of the literals")


class RandomSplit(StrictModel):
    type: Literal["random"]
    train_percent: StrictInt = Field(ge=1, le=99)
    key: StrictStr | None = None


class TimeSplit(StrictModel):
    type: Literal["time"]
    eval_days: StrictInt = Field(ge=1, le=3650)


Split = Annotated[RandomSplit | TimeSplit, Field(discriminator="type")]

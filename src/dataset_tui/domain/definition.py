"""The dataset definition file, format ``dataset-tui/1`` (DESIGN §3).

One JSON document per dataset: what the store keeps in each version, what
``definition export`` writes and ``definition import`` reads, and what ``sql``
turns into SQL. Parsing is strict: unknown keys, wrong types and out-of-range
numbers are errors, and every error names its field path
(``columns[3].alias: ...``). Rules that relate several fields live in
``validation.py``; :func:`parse_definition` runs both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from dataset_tui.domain.row_shapes import Param as Param, RowFilter as RowFilter
from dataset_tui.domain.table_refs import (
    IDENT_RE as IDENT_RE,
    MAX_IDENT as MAX_IDENT,
    PARAM_VALUE_TYPES,
    PARTITION_PSEUDO_COLUMNS,
    QUALIFIED_RE,
    TABLE_REF_RE,
    column_part_problem,
    column_path,
    plain_name,
)

FORMAT: Final = "dataset-tui/1"
ROLES = ("user_id", "product_id", "timestamp", "revenue")
Role = Literal["user_id", "product_id", "timestamp", "revenue"]

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MODEL_RE = NAME_RE
TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
class Problem(BaseModel):
    """One thing wrong with a definition, at a field path."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(ValueError):
    """A definition that breaks the file format's rules; lists every problem."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{head}invalid definition ({len(problems)} problem(s)):\n{lines}")


def _matches(*fields: str, pattern: re.Pattern[str], what: str) -> Any:
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JoinOn(_Strict):
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


class Join(_Strict):
    table: Ident
    type: Literal["left", "inner"] = "left"
    on: list[JoinOn] = Field(min_length=1)

    check_table = _matches("table", pattern=TABLE_REF_RE, what="table name")


class Source(_Strict):
    dataset: Ident = "raw_data"
    primary: Ident
    joins: list[Join] = Field(default_factory=list)

    check_dataset = _matches("dataset", pattern=IDENT_RE, what="dataset name")
    check_primary = _matches("primary", pattern=TABLE_REF_RE, what="table name")

    @property
    def tables(self) -> list[str]:
        return [self.primary, *(j.table for j in self.joins)]


class Column(_Strict):
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

    check_table = _matches("table", pattern=TABLE_REF_RE, what="table name")

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


class RollingRange(_Strict):
    type: Literal["rolling"]
    months: StrictInt = Field(ge=1, le=120)


class FixedRange(_Strict):
    type: Literal["fixed"]
    start: dt.date
    end: dt.date

    @field_validator("start", "end", mode="before")
    @classmethod
    def check_dates(cls, value: Any) -> dt.date:
        return _date(value)


DateRange = Annotated[RollingRange | FixedRange, Field(discriminator="type")]


class Filters(_Strict):
    date_range: DateRange | None = None
    top_products_percent: StrictInt | None = Field(default=None, ge=1, le=99)
    # The upper bound is INT64's: the number becomes a BigQuery literal.
    min_transactions: StrictInt | None = Field(default=None, ge=1, le=2**63 - 1)
    # Row filters, all of which a row must pass (in the base, before every other step).
    where: list[RowFilter] | None = Field(default=None, description="row filters: the value is one of the literals")


class RandomSplit(_Strict):
    type: Literal["random"]
    train_percent: StrictInt = Field(ge=1, le=99)
    key: StrictStr | None = None


class TimeSplit(_Strict):
    type: Literal["time"]
    eval_days: StrictInt = Field(ge=1, le=3650)


Split = Annotated[RandomSplit | TimeSplit, Field(discriminator="type")]


class Definition(_Strict):
    """A dataset definition: the rows (source, columns, filters, split) plus a name."""

    format: Literal["dataset-tui/1"] = FORMAT
    name: StrictStr
    model: StrictStr = "default"
    description: StrictStr = ""
    source: Source
    columns: list[Column] = Field(min_length=1)
    filters: Filters = Field(default_factory=Filters)
    split: Split | None = None

    check_name = _matches("name", pattern=NAME_RE, what="name")
    check_model = _matches("model", pattern=MODEL_RE, what="model")

    # -- lookups used by validation, SQL generation and the UI ------------

    def role_column(self, role: str) -> Column | None:
        for column in self.columns:
            if column.role == role:
                return column
        return None

    def output_column(self, output_name: str) -> Column | None:
        for column in self.columns:
            if column.output_name.lower() == output_name.lower():
                return column
        return None

    @property
    def output_names(self) -> list[str]:
        return [c.output_name for c in self.columns]

    def split_key(self) -> Column | None:
        """The column a random split hashes: `split.key`, else the user_id column."""
        if not isinstance(self.split, RandomSplit):
            return None
        if self.split.key is not None:
            return self.output_column(self.split.key)
        return self.role_column("user_id")

    @property
    def tables(self) -> list[str]:
        return self.source.tables

    # -- (de)serialisation ------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The file's JSON object: absent and null keys omitted, fields in file order."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def content_hash(self) -> str:
        """SHA-256 of what decides the rows: source, columns, filters and split."""
        data = self.to_dict()
        rows = {key: data[key] for key in ("source", "columns", "filters", "split") if key in data}
        canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def replace(self, **changes: Any) -> Definition:
        """A copy with top-level fields changed, validated again."""
        data = self.to_dict()
        data.update(changes)
        return parse_definition(data)


# -- parsing --------------------------------------------------------------

def parse_definition(data: Any, *, source: str | None = None) -> Definition:
    """Parse and validate a definition from a JSON object (dict).

    Raises :class:`DefinitionError` listing every problem with its field path:
    first the structural ones; if the structure is sound, the cross-field rules
    of ``validation.py``.
    """
    from dataset_tui.domain.validation import check_definition

    if not isinstance(data, dict):
        raise DefinitionError([Problem(path="", message="a definition must be a JSON object")], source)
    problems: list[Problem] = []
    fmt = data.get("format")
    if fmt != FORMAT:
        problems.append(
            Problem(
                path="format",
                message=f"must be {FORMAT!r} (got {fmt!r}); this file was not written for this version of dataset-tui",
            )
        )
        raise DefinitionError(problems, source)
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        from dataset_tui.domain.definition_json import problems_from

        raise DefinitionError(problems_from(exc), source) from None
    problems = check_definition(definition)
    if problems:
        raise DefinitionError(problems, source)
    return definition


# Limits checked before any heavy work (parsing, validation, SQL generation):
# far above any real definition, far below what makes a command take minutes.
MAX_FILE_BYTES = 2_000_000
MAX_DESCRIPTION = 10_000  # characters
MAX_COLUMNS = 1_000  # the SQL layout (and a reader) copes; a wider table is chosen from, not copied
MAX_DEPTH = 32  # a real file nests 5 deep
MAX_INT_DIGITS = 30  # INT64 has 19


def check_limits(data: Any, *, source: str | None = None) -> None:
    """Refuse a definition too big to handle quickly (description, columns), before validating it."""
    from dataset_tui.domain.definition_json import check_limits as check

    check(data, source=source)


def parse_definition_json(text: str | bytes, *, source: str | None = None) -> Definition:
    """Parse a definition from JSON text (definition_json.py); malformed JSON is a DefinitionError too."""
    from dataset_tui.domain.definition_json import parse_definition_json as parse

    return parse(text, source=source)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the file format, for editors."""
    schema = Definition.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dataset-tui definition (format dataset-tui/1)"
    return schema

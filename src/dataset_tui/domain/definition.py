"""The dataset definition file, format ``dataset-tui/1`` (DESIGN §3).

One JSON document per dataset: what the store keeps in each version, what
``definition export`` writes and ``definition import`` reads, and what ``sql``
turns into SQL. Parsing is strict: unknown keys, wrong types and out-of-range
numbers are errors, and every error names its field path
(``columns[3].alias: ...``). Rules that relate several fields live in
``validation.py``; :func:`parse_definition` runs both. The parts of a
definition (source, columns, filters, split) are in ``definition_parts.py``
and re-exported here; reading JSON text is ``definition_json.py``. A plainly
valid definition is read without pydantic (``plain_parse.py``); any other is
read by pydantic, which words every problem (``definition_errors.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Final, Literal

from dataset_tui.domain.definition_parts import (
    ALIAS_RE as ALIAS_RE,
    DATE_RE as DATE_RE,
    MODEL_RE as MODEL_RE,
    NAME_RE as NAME_RE,
    ROLES as ROLES,
    TABLE_RE as TABLE_RE,
    Column as Column,
    DateRange as DateRange,
    Filters as Filters,
    FixedRange as FixedRange,
    Ident as Ident,
    Join as Join,
    JoinOn as JoinOn,
    RandomSplit as RandomSplit,
    Role as Role,
    RollingRange as RollingRange,
    Source as Source,
    Split as Split,
    TimeSplit as TimeSplit,
    must_match,
    output_name as output_name,
)
from dataset_tui.domain.model_rules import Len, Part, Tagged
from dataset_tui.domain.row_shapes import Param as Param, RowFilter as RowFilter, StrictStr
from dataset_tui.domain.table_refs import IDENT_RE as IDENT_RE, MAX_IDENT as MAX_IDENT

FORMAT: Final = "dataset-tui/1"


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with a definition, at a field path."""

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


@dataclass(frozen=True, kw_only=True)
class Definition(Part):
    """A dataset definition: the rows (source, columns, filters, split) plus a name."""

    format: Literal["dataset-tui/1"] = FORMAT
    name: Annotated[StrictStr, must_match(NAME_RE, "name")]
    model: Annotated[StrictStr, must_match(MODEL_RE, "model")] = "default"
    description: StrictStr = ""
    source: Source
    columns: Annotated[list[Column], Len(1)]
    filters: Filters = field(default_factory=Filters)
    split: Annotated[RandomSplit | TimeSplit | None, Tagged("type")] = None

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

    def renamed(self, name: str) -> Definition:
        """A copy under another name; the name is not checked (the store keeps the name it was given)."""
        return replace(self, name=name)


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
    definition = read_definition(data, source=source)
    problems = check_definition(definition)
    if problems:
        raise DefinitionError(problems, source)
    return definition


def read_definition(data: dict[str, Any], *, source: str | None = None) -> Definition:
    """The parts of `data`, type by type and rule by rule, without the cross-field rules.

    A plainly valid definition is read in pure Python; anything else goes to
    pydantic, which reads it the same way and lists every problem.
    """
    from dataset_tui.domain.plain_parse import NotPlain, read

    try:
        definition: Definition = read(Definition, data)
    except NotPlain:
        from dataset_tui.domain.definition_errors import read_or_word

        definition = read_or_word(data, source=source)
    return definition


def prepare_wording() -> None:
    """Load pydantic's reader now (an app warms it in a thread before a draft needs it)."""
    from dataset_tui.domain.definition_errors import prepare

    prepare()


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
    from dataset_tui.domain.definition_errors import json_schema as schema

    return schema()

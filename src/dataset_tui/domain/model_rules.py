"""What a field of a definition may hold, declared once for two readers.

The definition's parts are frozen dataclasses whose annotations carry these
rules (`Annotated[str, Strict(), Len(1), Check(fn)]`). Two readers use them:

- plain_parse.py reads a plainly valid file by itself, in pure Python: no
  pydantic import (about 130 ms of a CLI save) when nothing is wrong;
- definition_errors.py hands the same classes to pydantic, which reads them
  through the `__get_pydantic_core_schema__` hooks below, to word every
  problem of a file that is not plainly valid and to write the JSON Schema.

Nothing here imports pydantic: a hook returns pydantic-core schema dicts,
which are plain data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import typing
from collections.abc import Callable
from typing import Any, ClassVar


class Strict:
    """No coercion: a number written as text is an error, not a number."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["strict"] = True
        return schema


class Len:
    """At least `least` and at most `most` characters or items."""

    def __init__(self, least: int | None = None, most: int | None = None) -> None:
        self.least, self.most = least, most

    def plain(self, value: Any) -> bool:
        return (self.least is None or len(value) >= self.least) and (self.most is None or len(value) <= self.most)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        if self.least is not None:
            schema["min_length"] = self.least
        if self.most is not None:
            schema["max_length"] = self.most
        return schema


class Range:
    """A number from `ge` to `le`, both included."""

    def __init__(self, ge: int, le: int) -> None:
        self.ge, self.le = ge, le

    def plain(self, value: Any) -> bool:
        return bool(self.ge <= value <= self.le)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["ge"], schema["le"] = self.ge, self.le
        return schema


class Check:
    """A rule in code, run after the type is right: returns the value or raises ValueError."""

    def __init__(self, rule: Callable[[Any], Any]) -> None:
        self.rule = rule

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        function = {"type": "no-info", "function": self.rule}
        return {"type": "function-after", "function": function, "schema": handler(source)}


class Before(Check):
    """A rule in code run on the raw value, before the type is checked (dates written as text)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        function = {"type": "no-info", "function": self.rule}
        return {"type": "function-before", "function": function, "schema": handler(source)}


def matches(pattern: re.Pattern[str], what: str, longest: int) -> Check:
    """The value must match `pattern` and be at most `longest` characters (BigQuery's caps)."""

    def rule(value: str) -> str:
        if len(value) > longest or not pattern.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not allowed (must match {pattern.pattern})")
        return value

    return Check(rule)


class Tagged:
    """A union of parts told apart by the value of one key (`type`), written in each part as a Literal."""

    def __init__(self, key: str) -> None:
        self.key = key

    def choices(self, union: Any) -> dict[str, type]:
        """Each tag and its part (None, for an optional union, is not a choice)."""
        return _choices(union, self.key)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        choices = {tag: handler.generate_schema(part) for tag, part in self.choices(source).items()}
        schema = {"type": "tagged-union", "choices": choices, "discriminator": self.key}
        return {"type": "nullable", "schema": schema} if type(None) in typing.get_args(source) else schema


@functools.cache
def _choices(union: Any, key: str) -> dict[str, type]:
    # Resolved once per union: every read of a definition asks again.
    out = {}
    for part in typing.get_args(union):
        if part is not type(None):
            out[typing.get_args(typing.get_type_hints(part)[key])[0]] = part
    return out


class Doc:
    """A field's description in the JSON Schema (editors show it)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema["description"] = self.text
        return schema


@dataclasses.dataclass(frozen=True, kw_only=True)
class Part:
    """A part of the file: unknown keys are errors, and a parsed definition never changes.

    `ALIASES` maps a field to the key the file writes it under (`values` is
    written `in`); both are read.
    """

    ALIASES: ClassVar[dict[str, str]] = {}
    # pydantic reads this off a plain dataclass: unknown keys are errors.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def to_dict(self) -> dict[str, Any]:
        """The file's JSON object: absent and null keys omitted, fields in file order."""
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None:
                out[self.ALIASES.get(field.name, field.name)] = _json_value(value)
        return out

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        schema = handler(source)
        if cls.ALIASES:
            _set_aliases(schema, cls.ALIASES, cls)
        return schema


def _json_value(value: Any) -> Any:
    if isinstance(value, Part):
        return value.to_dict()
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _set_aliases(schema: Any, aliases: dict[str, str], owner: type) -> None:
    """Give `owner`'s fields in `schema` their file keys (pydantic's `validation_alias`)."""
    if isinstance(schema, dict):
        if schema.get("type") == "dataclass" and schema.get("cls") is not owner:
            return  # another part's fields
        if schema.get("type") == "dataclass-field" and schema.get("name") in aliases:
            schema["validation_alias"] = aliases[schema["name"]]
        for value in schema.values():
            _set_aliases(value, aliases, owner)
    elif isinstance(schema, list):
        for value in schema:
            _set_aliases(value, aliases, owner)

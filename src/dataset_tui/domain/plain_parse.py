"""Read a plainly valid definition without pydantic: the fast path of every save and read.

A CLI save pays for every import; pydantic's is about 130 ms on a 2-core
host, more than the rest of the save. Most files are plainly valid, so this
reader walks the parts' own declarations (model_rules.py) in pure Python and
builds them. It is deliberately narrower than pydantic: anything it is not
sure of (a wrong type, a broken rule, an unknown key, a part passed in as an
object) raises :class:`NotPlain`, and the caller hands the data to pydantic,
which decides and words every problem. So this reader can only be faster,
never more lenient: tests/test_plain_parse.py checks that whatever it
accepts, pydantic accepts as the same parts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, get_args, get_origin

from dataset_tui.domain.model_rules import Before, Check, Doc, Len, Part, Range, Strict, Tagged


class NotPlain(Exception):
    """The data is not plainly valid: let pydantic decide and word the problems."""


def read(part: type[Part], data: Any) -> Any:
    """Build `part` from JSON data, or raise NotPlain."""
    return _part(part, data)


# Each part's fields as (attribute, file key, annotation, required), resolved once.
_FIELDS: dict[type, list[tuple[str, str, Any, bool]]] = {}


def _fields(part: type[Part]) -> list[tuple[str, str, Any, bool]]:
    known = _FIELDS.get(part)
    if known is None:
        hints = typing.get_type_hints(part, include_extras=True)
        known = [
            (
                field.name,
                part.ALIASES.get(field.name, field.name),
                hints[field.name],
                field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING,
            )
            for field in dataclasses.fields(part)
        ]
        _FIELDS[part] = known
    return known


def _part(part: type[Part], data: Any) -> Any:
    if type(data) is not dict:
        raise NotPlain
    fields = _fields(part)
    if len(data) > len(fields):
        raise NotPlain
    values = {}
    used = 0
    for name, key, annotation, required in fields:
        if key in data:
            if name != key and name in data:
                raise NotPlain  # both spellings of one field
            value = data[key]
        elif name in data:
            value = data[name]
        elif required:
            raise NotPlain
        else:
            continue  # the dataclass's default
        used += 1
        values[name] = _value(annotation, value)
    if used != len(data):
        raise NotPlain  # an unknown key
    return part(**values)


def _value(annotation: Any, value: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _annotated(annotation, value)
    if origin is Literal:
        if type(value) is str and value in get_args(annotation):
            return value
        raise NotPlain
    if origin is typing.Union or origin is types.UnionType:
        return _union(get_args(annotation), value)
    if origin is list:
        if type(value) is not list:
            raise NotPlain
        (item,) = get_args(annotation)
        return [_value(item, element) for element in value]
    if isinstance(annotation, type) and issubclass(annotation, Part):
        return _part(annotation, value)
    if annotation is str or annotation is int or annotation is bool or annotation is float:
        # Exact types: a bool is not an int, an int is not a float here (pydantic decides those).
        if type(value) is annotation:
            return value
        raise NotPlain
    if annotation is dt.date:
        if type(value) is dt.date:
            return value
        raise NotPlain
    raise TypeError(f"plain_parse cannot read a field declared {annotation!r}")


def _annotated(annotation: Any, value: Any) -> Any:
    base, *rules = get_args(annotation)
    for rule in reversed(rules):
        if isinstance(rule, Before):  # on the raw value, outermost first
            value = _run(rule, value)
    tagged = next((rule for rule in rules if isinstance(rule, Tagged)), None)
    value = _tagged(tagged, base, value) if tagged is not None else _value(base, value)
    for rule in rules:
        if isinstance(rule, (Len, Range)):
            if not rule.plain(value):
                raise NotPlain
        elif type(rule) is Check:
            value = _run(rule, value)
        elif not isinstance(rule, (Check, Tagged, Strict, Doc)):
            raise TypeError(f"plain_parse does not know the rule {rule!r}")
    return value


def _run(rule: Check, value: Any) -> Any:
    try:
        return rule.rule(value)
    except ValueError:
        raise NotPlain from None


def _union(members: tuple[Any, ...], value: Any) -> Any:
    if value is None:
        if type(None) in members:
            return None
        raise NotPlain
    for member in members:
        if member is type(None):
            continue
        try:
            return _value(member, value)
        except NotPlain:
            continue
    raise NotPlain


def _tagged(tagged: Tagged, union: Any, value: Any) -> Any:
    if value is None:
        if type(None) in get_args(union):
            return None
        raise NotPlain
    tag = value.get(tagged.key) if type(value) is dict else None
    if type(tag) is not str:
        raise NotPlain
    part = tagged.choices(union).get(tag)
    if part is None:
        raise NotPlain
    return _part(part, value)

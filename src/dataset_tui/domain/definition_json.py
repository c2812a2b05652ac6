"""Reading a definition file's JSON text: limits first, then duplicate keys, then the rules.

The limits (size, nesting, integer digits, description, columns) are checked
before any heavy work, so a hostile or broken file is refused quickly with a
message that says what to change. Split from definition.py, which re-exports
:func:`parse_definition_json` and :func:`check_limits`.
"""

from __future__ import annotations

import json
from typing import Any

from dataset_tui.domain.definition import (
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_DESCRIPTION,
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    Definition,
    DefinitionError,
    Problem,
    parse_definition,
)


def _nesting_depth(text: str) -> int:
    """The deepest [ / { nesting outside strings (a scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _TooLong(f"an integer of {len(digits.lstrip('-')):,} digits (at most {MAX_INT_DIGITS} are allowed)")
    return int(digits)


class _TooLong(ValueError):
    pass


def check_limits(data: Any, *, source: str | None = None) -> None:
    """Refuse a definition too big to handle quickly (description, columns), before validating it."""
    if not isinstance(data, dict):
        return
    problems = []
    description = data.get("description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION:
        problems.append(
            Problem(
                path="description",
                message=(
                    f"{len(description):,} characters; at most {MAX_DESCRIPTION:,} are allowed "
                    "(keep long notes elsewhere)"
                ),
            )
        )
    columns = data.get("columns")
    if isinstance(columns, list) and len(columns) > MAX_COLUMNS:
        problems.append(
            Problem(
                path="columns",
                message=(
                    f"{len(columns):,} columns; a definition holds at most {MAX_COLUMNS:,} "
                    "(choose the ones the model needs)"
                ),
            )
        )
    if problems:
        raise DefinitionError(problems, source)


def parse_definition_json(text: str | bytes, *, source: str | None = None) -> Definition:
    """Parse a definition from JSON text; malformed JSON is a DefinitionError too.

    Limits come first (size, nesting, integer digits), then duplicate keys are
    refused (JSON would silently keep the last), then the definition rules.
    """

    def refuse(message: str) -> DefinitionError:
        return DefinitionError([Problem(path="", message=message)], source)

    if len(text) > MAX_FILE_BYTES:
        raise refuse(f"the file is {len(text):,} bytes; a definition file is at most {MAX_FILE_BYTES:,}")
    try:
        decoded = text.decode("utf-8") if isinstance(text, bytes) else text
    except UnicodeDecodeError as exc:
        raise refuse(f"not valid JSON: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if _nesting_depth(decoded) > MAX_DEPTH:
        raise refuse(f"not a definition: JSON nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(decoded, object_pairs_hook=_unique_keys, parse_int=_bounded_int)
    except _DuplicateKey as exc:
        raise refuse(
            f"the key {exc.key!r} appears twice in one object; keep one (JSON would silently use the last)"
        ) from None
    except _TooLong as exc:
        raise refuse(f"not a definition: {exc}") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise refuse(f"not valid JSON: {str(exc)[:200]}") from None
    check_limits(data, source=source)
    return parse_definition(data, source=source)

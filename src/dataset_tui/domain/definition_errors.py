"""Reading a definition that is not plainly valid: pydantic decides, and every problem is worded.

plain_parse.py reads a plainly valid definition without pydantic. Whatever it
is not sure of comes here: pydantic reads the same declarations (the hooks in
model_rules.py) and either builds the parts (a value the plain reader does
not take, such as `values` for `in`) or lists every problem at its field
path, in the file's words. The JSON Schema for editors is pydantic's too.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from dataset_tui.domain.definition import Definition, DefinitionError, Problem


@cache
def _adapter() -> TypeAdapter[Definition]:
    return TypeAdapter(Definition)


def read_or_word(data: Any, *, source: str | None = None) -> Definition:
    """The definition pydantic reads from `data`; DefinitionError lists every problem."""
    try:
        return _adapter().validate_python(data)
    except ValidationError as exc:
        raise DefinitionError(problems_from(exc), source) from None


def prepare() -> None:
    """Import pydantic and build its reader now, ahead of the first definition that needs it."""
    _adapter()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the file format, for editors."""
    schema = _adapter().json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "dataset-tui definition (format dataset-tui/1)"
    return schema


# -- pydantic's errors in the file's words ------------------------------------

_UNION_TAGS = {"rolling", "fixed", "random", "time"}


def field_path(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into `columns[3].alias` form."""
    out = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous in ("date_range", "split") and part in _UNION_TAGS:
            # Discriminated unions put the tag into the location; users
            # never wrote it, so leave it out.
            pass
        elif isinstance(part, str) and (part.startswith("function-") or part.endswith("]")):
            pass
        else:
            out += f".{part}" if out else str(part)
        previous = part
    return out


def problems_from(exc: ValidationError) -> list[Problem]:
    """The problems of a pydantic error, each at its field path, in the file's words."""
    problems = []
    for error in exc.errors(include_url=False):
        message = error["msg"]
        if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            message = "unknown key (not part of format dataset-tui/1)"
        elif error["type"] == "missing":
            message = "required"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        elif error["type"] in ("too_short", "too_long"):
            # pydantic says "List should have at least 1 item after validation, not 0".
            ctx = error.get("ctx", {})
            if error["type"] == "too_short":
                bound = f"at least {ctx.get('min_length')}"
            else:
                bound = f"at most {ctx.get('max_length')}"
            message = f"needs {bound} item(s) (has {ctx.get('actual_length')})"
        elif error["type"] == "union_tag_invalid":
            message = f"type must be one of {error['ctx']['expected_tags']}"
        problems.append(Problem(path=field_path(tuple(error["loc"])), message=message))
    return problems

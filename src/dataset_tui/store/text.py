"""Text the store can keep: JSON files are UTF-8, so a lone surrogate cannot be written.

Such characters reach us from a definition file (`"\\udc80"` is valid JSON)
or an argument Python decoded from undecodable bytes; they are refused with
where they are, before anything is written.
"""

from __future__ import annotations

from typing import Any

from dataset_tui.store.errors import StoreError


class InvalidTextError(StoreError):
    """Text holding characters that UTF-8 cannot encode."""


def check_text(value: Any, what: str) -> None:
    """Raise InvalidTextError naming the field if `value` (or anything in it) cannot be UTF-8."""
    problem = _first_bad(value, "")
    if problem is not None:
        where, char = problem
        place = f" at {where}" if where else ""
        raise InvalidTextError(
            f"{what}{place} holds the character U+{ord(char):04X}, a lone surrogate that is not valid text "
            "(often from bytes that are not UTF-8); remove it and try again. Nothing was saved."
        )


def _first_bad(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return path, value[exc.start]
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_bad(key, path) or _first_bad(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _first_bad(item, f"{path}[{i}]")
            if found:
                return found
    return None

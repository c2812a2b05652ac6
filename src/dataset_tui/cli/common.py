"""What every subcommand shares: the invocation context, output and errors."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import decimal
import itertools
import json
import operator
import sys
from pathlib import Path
from typing import Any

from dataset_tui.text_safety import safe


class CliError(Exception):
    """An error already worded for the user; exit code 1 unless said otherwise."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> int:
    """Print an error (sanitised: it may quote user text) and return the exit code."""
    with contextlib.suppress(OSError, ValueError):  # stderr itself is gone; the exit code still tells
        print(f"dataset-tui: error: {safe(message)}", file=sys.stderr)
    return code


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)  # NUMERIC values are strings (DESIGN §8)
    if isinstance(value, bytes):
        return value.hex()
    from dataset_tui.domain.model_rules import Part  # light: no pydantic

    if isinstance(value, Part):  # a definition or one of its parts: the file's form
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    sys.stdout.write(_flat_rows_json(data) or json.dumps(data, indent=2, default=_default, ensure_ascii=False))
    sys.stdout.write("\n")


# Types a row's values may have for the fast path (exactly: a subclass may encode
# itself differently): each is written by the C encoder as one token.
_SCALARS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, decimal.Decimal, bytes})
_KEYS = frozenset({str})
# What pydantic-core writes as json.dumps does (exact types; floats differ: 1e-07).
_RUST_SCALARS = frozenset({str, int, bool, type(None), dt.datetime})
_UTC = frozenset({dt.UTC})
_DICT = frozenset({dict})
# Never in the C encoder's output: it writes a control character inside a string as \u0000.
_MARK = "\x00"


def _flat_rows_json(data: Any) -> str | None:
    """`data` as json.dumps(indent=2) writes it, when it is a list of flat rows; else None.

    `list --json` of 20,000 datasets is 260,000 values: the indenting encoder
    is pure Python (seconds). Rows of strings, integers, booleans, nulls and
    UTC times go to pydantic-core's Rust writer, which writes exactly those
    the same way (a time as `...Z`) and formats 40,000 times where Python's
    isoformat takes 100 ms. Other rows go to the compact C encoder with a
    separator no JSON text can hold (a raw NUL), and the indentation goes in
    by replacing it: inside a row a separator is always followed by a key
    (`"`), between rows by the next row (`{`). Anything else (nested values,
    empty rows) takes the plain path.
    """
    # Each check runs in C over all rows at once (a Python step per row or value
    # cost as much as the writing).
    if not isinstance(data, list) or not data or not _DICT.issuperset(map(type, data)) or not all(data):
        return None
    if not _KEYS.issuperset(map(type, itertools.chain.from_iterable(data))):
        return None
    values = list(itertools.chain.from_iterable(map(dict.values, data)))
    kinds = set(map(type, values))
    if not _SCALARS.issuperset(kinds):
        return None
    if _RUST_SCALARS.issuperset(kinds) and (dt.datetime not in kinds or _all_utc(values)):
        text = _rust_json(data)
        if text is not None:
            return text
    encoder = json.JSONEncoder(
        ensure_ascii=False, default=_default, separators=("," + _MARK, ": "), check_circular=False
    )
    text = encoder.encode(data)
    return (
        "[\n  {\n    "
        + text[2:-2].replace("}," + _MARK + "{", "\n  },\n  {\n    ").replace("," + _MARK + '"', ',\n    "')
        + "\n  }\n]"
    )


def _all_utc(values: list[Any]) -> bool:
    """Whether every time among the values is in UTC (a naive one gets its Z from _default only)."""
    times = filter(dt.datetime.__instancecheck__, values)
    return _UTC.issuperset(map(operator.attrgetter("tzinfo"), times))


def _rust_json(rows: list[dict[str, Any]]) -> str | None:
    """The rows by pydantic-core's writer; None when it refuses one (a lone surrogate in a string)."""
    try:
        from pydantic_core import to_json
    except ImportError:  # pragma: no cover - a dependency of pydantic, always there
        return None
    try:
        return to_json(rows, indent=2).decode("utf-8")
    except Exception:  # its serialization error: the C encoder writes what it cannot
        return None


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before a costly scan")


def ask_overwrite(existing: list[Path], *, yes: bool, where: str = "") -> bool:
    """The CLI's answer to "replace these files?": --yes, else ask on a terminal, else refuse."""
    if yes:
        return True
    names = ", ".join(safe(p.name) for p in existing)
    place = f" in {safe(where)}" if where else ""
    if not sys.stdin.isatty():
        raise CliError(f"nothing written: {names} already exist(s){place}; add --yes to replace")
    try:
        answer = input(f"replace {names}{place}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def bounded_int(low: int, high: int) -> Any:
    """argparse type: an integer in [low, high], refused with the bounds otherwise."""

    def parse(value: str) -> int:
        text = value.strip()
        if not text.lstrip("+-").isdigit() or len(text) > 20:
            raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a whole number from {low:,} to {high:,}")
        number = int(text)
        if not low <= number <= high:
            shown = number if len(text) < 20 else text[:20] + "…"
            raise argparse.ArgumentTypeError(f"{shown} is out of range: use {low:,} to {high:,}")
        return number

    return parse


def parse_date(value: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD") from None


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain aligned text table (no colours: it may go to a pipe)."""
    cells = [[("" if v is None else safe(v, one_line=True)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip())
    return "\n".join(lines)


class Invocation:
    """The parsed arguments plus the lazily built services context."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._context: Any = None

    def setup(self) -> None:
        from dataset_tui.config import ConfigError, apply_clock_override

        try:
            apply_clock_override()
        except ConfigError as exc:
            raise CliError(str(exc)) from None

    def context(self) -> Any:
        """The services context (store, warehouse, profile) for this run."""
        if self._context is None:
            from dataset_tui.config import ConfigError
            from dataset_tui.services.context import AppContext

            try:
                self._context = AppContext.open(
                    db=self.args.db,
                    warehouse=self.args.warehouse,
                    profile=self.args.profile,
                    model=self.args.model,
                )
            except ConfigError as exc:
                raise CliError(str(exc)) from None
        return self._context

    def print_notices(self) -> None:
        """Warn about what the store could not keep (the work itself was done and shown)."""
        if self._context is not None:
            for notice in self._context.take_notices():
                print(f"dataset-tui: warning: {notice}", file=sys.stderr)

    def close(self) -> None:
        if self._context is not None:
            self._context.close()

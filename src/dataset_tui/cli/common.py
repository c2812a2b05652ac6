"""What every subcommand shares: the invocation context, output and errors."""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import sys
from typing import Any


class CliError(Exception):
    """An error already worded for the user; exit code 1 unless said otherwise."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> int:
    print(f"dataset-tui: error: {message}", file=sys.stderr)
    return code


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)  # NUMERIC values are strings (DESIGN §8)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=_default, ensure_ascii=False)
    sys.stdout.write("\n")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before a costly scan")


def parse_date(value: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date written YYYY-MM-DD") from None


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain aligned text table (no colours: it may go to a pipe)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
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

"""DuckDB's exceptions as the warehouse error hierarchy, in words that say what to do."""

from __future__ import annotations

import re
from pathlib import Path

from dataset_tui.warehouse.base import (
    BadQueryError,
    CancelledError,
    NotFoundError,
    UnavailableError,
    WarehouseError,
)


class DuckDBErrors:
    """Error mapping for :class:`DuckDBWarehouse` (mixed in; messages name its file)."""

    path: Path

    def _open_error(self, exc: Exception, *, writing: bool) -> UnavailableError:
        message = str(exc)
        if "Could not set lock" in message or "Conflicting lock" in message:
            pid = re.search(r"PID (\d+)", message)
            who = f"another process (PID {pid.group(1)})" if pid else "another process"
            if writing:
                return UnavailableError(
                    f"{self.path} is open in {who}; close the other dataset-tui sessions using it "
                    "(or wait for them to finish) and try again. Nothing was changed."
                )
            return UnavailableError(
                f"{self.path} is being written by {who}; wait for it to finish and try again. Nothing was changed."
            )
        if "not a valid DuckDB database" in message or "read enough bytes" in message or "Corrupt" in message:
            return UnavailableError(
                f"{self.path} is not a readable DuckDB database (damaged, or another kind of file). "
                "Nothing was changed: move it away, or point --warehouse at another file, "
                "or replace it with a new demo: `dataset-tui warehouse demo --force`."
            )
        if "different configuration" in message:
            return UnavailableError(
                f"{self.path} is open elsewhere in this program (read-only); close that view and try again. "
                "Nothing was changed."
            )
        if "version" in message.lower() and "database file" in message.lower():
            return UnavailableError(
                f"{self.path} was written by another DuckDB version ({message.splitlines()[0]}); "
                "rebuild it or open it with that version."
            )
        return UnavailableError(f"cannot open {self.path}: {message.splitlines()[0]}")

    def _query_error(self, exc: Exception) -> WarehouseError:
        """Map a DuckDB exception onto the warehouse error hierarchy."""
        import duckdb

        message = str(exc).strip()
        first = message.splitlines()[0] if message else type(exc).__name__
        if isinstance(exc, duckdb.InterruptException):
            return CancelledError("the query was cancelled")
        if isinstance(exc, duckdb.CatalogException):
            found = re.search(r"(Table|Schema|View) with name (\S+) does not exist", message)
            if found:
                what = "dataset" if found.group(1) == "Schema" else "table"
                return NotFoundError(f"{what} {found.group(2)} does not exist in {self.path.name}: {_clean(message)}")
        if isinstance(exc, duckdb.BinderException):
            found = re.search(r'(?:Referenced column|column named) "?([^"\s]+)"?', message)
            if found and ("not found" in message or "does not have a column" in message):
                return NotFoundError(f"column {found.group(1)} does not exist: {_clean(message)}")
        if isinstance(exc, (duckdb.ConnectionException, duckdb.IOException)):
            return self._open_error(exc, writing=False)
        if isinstance(exc, duckdb.OutOfMemoryException):
            return UnavailableError(f"DuckDB ran out of memory: {first}; narrow the query (fewer columns or rows)")
        return BadQueryError(f"DuckDB rejected the query: {_clean(message)}")


def _sqlglot_message(exc: Exception) -> str:
    """sqlglot's parse errors as plain text: what, line and column (no terminal escapes)."""
    details = getattr(exc, "errors", None) or []
    parts = []
    for error in details:
        where = f" at line {error.get('line')}, column {error.get('col')}" if error.get("line") else ""
        context = (error.get("start_context") or "") + (error.get("highlight") or "")
        near = f" (near: {context.strip().splitlines()[-1]!r})" if context.strip() else ""
        parts.append(f"{error.get('description')}{where}{near}")
    text = "; ".join(parts) if parts else str(exc)
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _clean(message: str) -> str:
    """DuckDB's message without its 'Did you mean' guesses at internal tables."""
    lines = [line for line in message.splitlines() if not line.startswith("Did you mean \"pg_catalog")]
    return "\n".join(lines).strip()

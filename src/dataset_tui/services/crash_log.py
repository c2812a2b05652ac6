"""Where an unexpected error's traceback goes: a log file, never the user's terminal.

Both faces call :func:`unexpected` for an exception that is a bug (not one
:func:`~dataset_tui.services.errors.user_message` words): the traceback is
appended to `<user log dir>/errors.log` (platformdirs; `DATASET_TUI_LOG_DIR`
overrides it) and the face shows one line naming the file.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import traceback
from pathlib import Path

APP_NAME = "dataset-tui"
LOG_NAME = "errors.log"
_MAX_LOG_BYTES = 5_000_000  # one rotation keeps the file from growing without end


def log_dir() -> Path:
    if value := os.environ.get("DATASET_TUI_LOG_DIR"):
        return Path(value)
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def write_traceback(exc: BaseException, where: str) -> Path | None:
    """Append the traceback to the log; the file's path, or None if it cannot be written."""
    folder = log_dir()
    path = folder / LOG_NAME
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            if path.stat().st_size > _MAX_LOG_BYTES:
                os.replace(path, path.with_name(LOG_NAME + ".1"))
        except FileNotFoundError:
            pass
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(f"--- {stamp} {where} (pid {os.getpid()})\n{text}\n")
    except OSError:
        return None
    return path


def describe(exc: BaseException) -> str:
    """A one-line wording of an unexpected error (no traceback)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    first = str(exc).splitlines()[0] if str(exc) else ""
    if len(first) > 200:
        first = first[:200] + "…"
    return f"unexpected {type(exc).__name__}" + (f": {first}" if first else "")


def unexpected(exc: BaseException, where: str) -> str:
    """The one line to show for a bug: what happened and where the traceback is."""
    path = write_traceback(exc, where)
    tail = f" (details in {path})" if path is not None else " (the error log could not be written)"
    return describe(exc) + tail

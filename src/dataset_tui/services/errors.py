"""One place that decides which exceptions are meant for the user.

Both faces use it: the CLI prints the message and exits 1, the TUI shows a
notification and keeps the user's work. Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations


def user_message(exc: BaseException) -> str | None:
    """The message to show for an expected failure, or None for a bug."""
    from dataset_tui.config import ConfigError
    from dataset_tui.domain.definition import DefinitionError
    from dataset_tui.store.errors import StoreError
    from dataset_tui.warehouse.base import WarehouseError

    if isinstance(exc, (DefinitionError, StoreError, ConfigError)):
        return str(exc)
    if isinstance(exc, WarehouseError):
        return f"{exc.kind}: {exc}"
    from dataset_tui.domain.sqlgen import SqlGenError

    if isinstance(exc, SqlGenError):
        return str(exc)
    if isinstance(exc, ServiceError):
        return str(exc)
    return None


class ServiceError(Exception):
    """A use case that cannot go on; the message says what to do."""


class Declined(ServiceError):
    """The user said no at a confirmation (a costly scan, an overwrite)."""

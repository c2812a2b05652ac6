"""How the app runs slow things: in a thread worker, errors to one place.

`warehouse_work` wraps Textual's `@work(thread=True, exclusive=True)` so that
an exception inside the worker never kills the app: it is posted as a
`WorkFailed` message, which bubbles to the app's single handler. The event
loop never waits on I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual import work
from textual.dom import DOMNode

from dataset_tui.tui.messages import WarehouseStatus, WorkFailed

F = TypeVar("F", bound=Callable[..., Any])


def warehouse_work(action: str, *, group: str | None = None, exclusive: bool = True) -> Callable[[F], F]:
    """Decorate a method to run in a thread worker; `action` names it in errors ("analyze")."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def body(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
            try:
                _say_status(self)
                return method(self, *args, **kwargs)
            except Exception as exc:
                self.post_message(WorkFailed(exc, action))
                return None

        return work(thread=True, exclusive=exclusive, group=group or action, exit_on_error=False)(body)  # type: ignore[return-value]

    return decorate


def _say_status(node: DOMNode) -> None:
    """In the worker: let a BigQuery warehouse's retries and waits reach the screen.

    The adapter calls `on_status` from this thread; the text goes to the app as
    a message (posting is thread-safe), and the app shows it: widgets are
    never touched from here. DuckDB says nothing, so it is left alone.
    """
    app = node.app
    ctx = getattr(app, "ctx", None)
    if ctx is None or ctx.profile.backend != "bigquery":
        return
    warehouse = ctx.warehouse()  # cheap on BigQuery: the client is made on first call
    if hasattr(warehouse, "on_status"):
        warehouse.on_status = lambda text: app.post_message(WarehouseStatus(text))


def ask_from_worker(app: Any, screen: Any) -> Any:
    """From a worker thread: show a modal screen and wait (in this thread only) for its result.

    Services that need the user (a costly scan, an overwrite) take a callback
    and call it from the worker; this lets that callback be a modal.
    """
    import concurrent.futures

    answer: concurrent.futures.Future[Any] = concurrent.futures.Future()
    app.call_from_thread(app.push_screen, screen, answer.set_result)
    # If the app quits before the user answers, give up (as a "no") instead of
    # keeping this thread, and so the process, alive forever.
    while True:
        try:
            return answer.result(timeout=0.2)
        except concurrent.futures.TimeoutError:
            if not app.is_running:
                return None

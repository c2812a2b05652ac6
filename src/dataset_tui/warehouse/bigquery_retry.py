"""Which BigQuery failures are worth retrying, and the bounded retry loops.

Retrying is right only where a later attempt can succeed: BigQuery's own
transient errors (``rateLimitExceeded``, ``backendError``, ``internalError``,
``jobRateLimitExceeded``, HTTP 5xx/429) and a connection dropped mid-request.
It is wrong for everything else, and harmful for an endpoint that refuses
connections or a host name that does not resolve: the library's default
retry turns those into a silent wait of up to its deadline, while nothing
will change in seconds. Those fail at once, with the true elapsed time.

Every wait is bounded by the profile's ``retry_deadline_s`` and announced
through a status callback (``on_status``) that the CLI prints and the TUI
shows, so a user never stares at a frozen screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")
StatusCallback = Callable[[str], None]

# Job-level reasons BigQuery documents as transient (retry with backoff).
RETRYABLE_JOB_REASONS = frozenset({"rateLimitExceeded", "backendError", "internalError", "jobRateLimitExceeded"})
# The connection never opened: retrying within seconds does not help.
_UNREACHABLE_MARKERS = (
    "connection refused",
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "failed to resolve",
    "nameresolutionerror",
    "no route to host",
    "network is unreachable",
    "no address associated with hostname",
)
INITIAL_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0


def reason_of(exc: BaseException) -> str | None:
    """BigQuery's error reason (``rateLimitExceeded`` …) from an API error, if any."""
    errors = getattr(exc, "errors", None) or []
    try:
        first = errors[0]
    except (IndexError, TypeError, KeyError):
        return None
    return first.get("reason") if isinstance(first, dict) else None


def is_unreachable(exc: BaseException) -> bool:
    """True when the connection could not even be opened (refused, DNS, no route)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        text = f"{type(current).__name__} {current}".lower()
        if any(marker in text for marker in _UNREACHABLE_MARKERS):
            return True
        current = current.__cause__ or current.__context__
    return False


def should_retry(exc: BaseException) -> bool:
    """The predicate for API calls: the library's, minus unreachable endpoints."""
    from google.cloud.bigquery.retry import _should_retry  # the library's own list

    if is_unreachable(exc):
        return False
    if reason_of(exc) == "jobRateLimitExceeded":
        return True
    # The library's predicate is unannotated; it takes an exception and answers yes or no.
    should_retry = cast("Callable[[BaseException], object]", _should_retry)
    return bool(should_retry(exc))


def is_retryable_job_error(exc: BaseException) -> bool:
    """Whether a failed query job is worth submitting again."""
    if is_unreachable(exc):
        return False
    reason = reason_of(exc)
    if reason is not None:
        return reason in RETRYABLE_JOB_REASONS
    from google.api_core import exceptions as api

    return isinstance(exc, (api.TooManyRequests, api.InternalServerError, api.BadGateway, api.ServiceUnavailable))


def describe_retry(exc: BaseException, delay: float, attempt: int, elapsed: float, deadline: float) -> str:
    what = reason_of(exc) or type(exc).__name__
    return (
        f"BigQuery answered {what}; retrying in {delay:.1f} s "
        f"(attempt {attempt + 1}, {elapsed:.1f} s of retry_deadline_s = {deadline:g} s)"
    )


def api_retry(deadline_s: float, on_status: StatusCallback | None) -> Any:
    """A google.api_core Retry for one API call: our predicate, our deadline, said on screen."""
    from google.api_core.retry import Retry

    started = time.monotonic()
    attempts = [0]

    def on_error(exc: Exception) -> None:
        attempts[0] += 1
        if on_status is not None:
            elapsed = time.monotonic() - started
            on_status(describe_retry(exc, min(INITIAL_BACKOFF_S * 2 ** (attempts[0] - 1), MAX_BACKOFF_S),
                                     attempts[0], elapsed, deadline_s))

    return Retry(
        predicate=should_retry,
        initial=INITIAL_BACKOFF_S,
        maximum=MAX_BACKOFF_S,
        multiplier=2.0,
        timeout=deadline_s,
        on_error=on_error,
    )


class RetriesExhausted(Exception):
    """A retryable error that kept coming until the deadline; carries the last one."""

    def __init__(self, last: BaseException, attempts: int, elapsed: float) -> None:
        super().__init__(str(last))
        self.last = last
        self.attempts = attempts
        self.elapsed = elapsed


def retry_job(
    run_once: Callable[[], T],
    *,
    deadline_s: float,
    on_status: StatusCallback | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run a whole query job again while it fails for a transient reason.

    Backoff doubles from INITIAL_BACKOFF_S up to MAX_BACKOFF_S; a retry whose
    wait would end past the deadline is not attempted. Non-retryable errors
    propagate at once, unchanged.
    """
    started = clock()
    attempt = 0
    while True:
        try:
            return run_once()
        except Exception as exc:
            if not is_retryable_job_error(exc):
                raise
            attempt += 1
            elapsed = clock() - started
            delay = min(INITIAL_BACKOFF_S * 2 ** (attempt - 1), MAX_BACKOFF_S)
            if elapsed + delay > deadline_s:
                raise RetriesExhausted(exc, attempt, elapsed) from exc
            if on_status is not None:
                on_status(describe_retry(exc, delay, attempt, elapsed, deadline_s))
            sleep(delay)

"""Turning google-cloud-bigquery failures into the warehouse error hierarchy.

Every message says what to do next: which command to run, which permission
to ask for on which project or dataset, which profile key to change. The
classes, not the wording, are the contract (tests assert on classes).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from dataset_tui.warehouse.base import (
    AuthError,
    BadQueryError,
    CancelledError,
    CostLimitError,
    NotFoundError,
    PermissionDeniedError,
    QueryTimeoutError,
    UnavailableError,
    WarehouseError,
)

ADC_HINT = (
    "run `gcloud auth application-default login`, or set `credentials` (a service-account key file) in the profile"
)


@dataclass(frozen=True)
class Where:
    """What the failing call was doing, so a message can name it."""

    action: str  # "list tables", "read the schema", "run a query", ...
    profile: str
    project: str | None
    location: str | None = None
    dataset: str | None = None
    table: str | None = None
    endpoint: str | None = None
    # The IAM permission the call needs on the dataset (queries also need
    # bigquery.jobs.create on the project).
    permission: str | None = None
    retry_deadline_s: float | None = None

    @property
    def dataset_ref(self) -> str:
        return ".".join(p for p in (self.project, self.dataset) if p) or "(dataset)"

    @property
    def table_ref(self) -> str:
        return ".".join(p for p in (self.project, self.dataset, self.table) if p) or "(table)"


class LocationMismatchError(NotFoundError):
    """BigQuery looked for a dataset in one location and it lives in another."""

    def __init__(self, message: str, *, ref: str, searched: str) -> None:
        super().__init__(message)
        self.ref = ref  # project.dataset as BigQuery named it
        self.searched = searched  # the location BigQuery named


@contextlib.contextmanager
def translating(where: Where) -> Iterator[None]:
    """Re-raise anything the client throws as a WarehouseError (with the true time spent)."""
    started = time.monotonic()
    try:
        yield
    except WarehouseError:
        raise
    except Exception as exc:  # the client raises many unrelated types
        mapped = translate(exc, where, elapsed=time.monotonic() - started)
        if mapped is None:
            raise
        raise mapped from exc


def translate(exc: BaseException, where: Where, *, elapsed: float | None = None) -> WarehouseError | None:
    """The WarehouseError for a client exception, or None for a bug of ours."""
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    from dataset_tui.warehouse.bigquery_retry import RetriesExhausted

    if isinstance(exc, (api.RetryError, RetriesExhausted)):
        # Retries ran out: what failed last says why, and how long we really tried.
        cause = exc.last if isinstance(exc, RetriesExhausted) else exc.cause
        spent = exc.elapsed if isinstance(exc, RetriesExhausted) else elapsed
        waited = f"{spent:.1f} s" if spent is not None else "a while"
        limit = (
            f" (retry_deadline_s = {where.retry_deadline_s:g} s in profile {where.profile!r})"
            if where.retry_deadline_s
            else ""
        )
        if cause is not None and cause is not exc:
            mapped = translate(cause, where)
            if mapped is not None:
                return type(mapped)(f"{mapped} (gave up after retrying for {waited}{limit})")
        return UnavailableError(
            f"BigQuery kept failing while trying to {where.action} (retried for {waited}{limit}): {exc}; "
            "try again later"
        )
    if isinstance(exc, auth.DefaultCredentialsError):
        return AuthError(f"no Google Cloud credentials found for profile {where.profile!r}: {ADC_HINT}")
    if isinstance(exc, auth.RefreshError):
        return AuthError(
            f"Google Cloud refused the credentials of profile {where.profile!r} ({_first_line(str(exc))}); "
            "they may have expired: run `gcloud auth application-default login` again, or check the key file"
        )
    if isinstance(exc, auth.TransportError):
        return UnavailableError(f"cannot reach Google's sign-in service ({_first_line(str(exc))}); check the network")
    if isinstance(exc, api.GoogleAPICallError):
        return _from_api_error(exc, where)
    if isinstance(exc, (concurrent.futures.TimeoutError, TimeoutError)):
        return QueryTimeoutError(
            f"BigQuery did not answer in time while trying to {where.action}; try again, "
            "or raise request_timeout_s in the profile"
        )
    import requests  # the HTTP layer under google-api-core, so always installed with the client

    if isinstance(exc, requests.exceptions.Timeout):
        return QueryTimeoutError(
            f"BigQuery did not answer within the profile's request_timeout_s while trying to {where.action}; "
            "try again or raise request_timeout_s"
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return _unreachable(where, exc, elapsed)
    if isinstance(exc, ConnectionError):
        return _unreachable(where, exc, elapsed)
    return None


def _unreachable(where: Where, exc: BaseException, elapsed: float | None = None) -> UnavailableError:
    target = where.endpoint or "bigquery.googleapis.com"
    text = str(exc)
    # urllib3 buries the reason ("Connection refused") in a long repr.
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    reason = errno.group(1).strip() if errno else (_first_line(text) or type(exc).__name__)
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        reason = "the connection was closed mid-request"
    elif "NameResolution" in text or "resolve" in text.lower() or "name or service" in text.lower():
        reason = f"the host name does not resolve: {reason}"
    spent = f" after {elapsed:.1f} s" if elapsed is not None else ""
    return UnavailableError(
        f"cannot reach BigQuery at {target} to {where.action} ({reason}){spent}; "
        "check the network or proxy (and the profile's api_endpoint), then try again"
    )


def _from_api_error(exc: object, where: Where) -> WarehouseError:
    from google.api_core import exceptions as api

    assert isinstance(exc, api.GoogleAPICallError)
    reason = _reason(exc)
    message = _bq_message(exc)
    if reason == "bytesBilledLimitExceeded" or "bytes billed" in message.lower():
        return CostLimitError(
            f"BigQuery refused the query: it would bill more than the profile's max_bytes_billed ({message}); "
            "narrow it (a shorter date range, fewer columns) or raise max_bytes_billed"
        )
    if reason == "stopped" or "job execution was cancelled" in message.lower():
        return CancelledError("the query was cancelled")
    if reason == "quotaExceeded" or "quota exceeded" in message.lower():
        return UnavailableError(quota_message(message, where))
    if reason == "jobRateLimitExceeded":
        return UnavailableError(
            f"BigQuery is limiting how often jobs may run against this table or project ({message}); "
            "nothing is wrong with the query: wait a minute and try again"
        )
    if reason == "rateLimitExceeded" or isinstance(exc, api.TooManyRequests):
        return UnavailableError(
            f"BigQuery rate limit reached while trying to {where.action} ({message}); "
            "it clears within a minute or so: try again shortly"
        )
    if isinstance(exc, api.Unauthorized):
        refused = f"BigQuery did not accept the credentials of profile {where.profile!r}"
        return AuthError(f"{refused} ({message}): {ADC_HINT}")
    if isinstance(exc, api.Forbidden):
        if reason == "billingNotEnabled":
            return PermissionDeniedError(f"billing is not enabled on project {where.project}: {message}")
        return PermissionDeniedError(_permission_message(where, message))
    if isinstance(exc, api.NotFound):
        located = re.search(r"\bDataset\s+([\w.:-]+)\s+was not found in location\s+([\w-]+)", message)
        if located:
            ref, searched = located.group(1).replace(":", "."), located.group(2)
            return LocationMismatchError(
                f"dataset {ref} was not found in location {searched}, where BigQuery looked "
                f"(profile {where.profile!r} says location = {where.location!r}); "
                "set `location` in the profile to the dataset's location",
                ref=ref,
                searched=searched,
            )
        return NotFoundError(_not_found_message(where, message))
    if isinstance(exc, api.DeadlineExceeded):
        return QueryTimeoutError(f"BigQuery gave up waiting ({message}); narrow the query or try again")
    if isinstance(exc, api.BadRequest):
        if reason == "resourcesExceeded":
            return BadQueryError(f"the query needs more resources than BigQuery allows ({message}); narrow it")
        return BadQueryError(f"BigQuery rejected the query: {message}")
    if isinstance(exc, api.Conflict):
        return BadQueryError(f"BigQuery reported a conflict while trying to {where.action}: {message}")
    if isinstance(exc, (api.ServerError, api.ServiceUnavailable)):
        return UnavailableError(f"BigQuery had an internal error while trying to {where.action} ({message}); try again")
    return WarehouseError(f"BigQuery could not {where.action}: {message}")


def quota_message(message: str, where: Where, now: dt.datetime | None = None) -> str:
    """Which quota ran out (BigQuery names it in the message) and when it comes back."""
    named = re.search(r"(?:custom quota for|quota for|exceeded quota for)\s+([\w ./-]+?)(?:[,.]|$| which)", message)
    quota = named.group(1).strip() if named else "a BigQuery quota"
    lowered = message.lower()
    if "perday" in lowered.replace(" ", "") or "per day" in lowered or "daily" in lowered:
        resets = _next_pacific_midnight(now)
        when = (
            f"it is a daily quota: it resets at midnight Pacific time ({resets:%Y-%m-%d %H:%M} UTC); "
            "retrying before then will fail the same way, so wait, or ask the project's administrator to raise it"
        )
    elif "free query bytes" in lowered or "free tier" in lowered or "sandbox" in lowered:
        when = (
            "the free tier's monthly query allowance is used up: it resets on the 1st of next month, or enable billing"
        )
    else:
        when = "see the project's Quotas page in the Google Cloud console for when it resets, or ask to raise it"
    return f"BigQuery quota exceeded while trying to {where.action}: {quota} ({message}); {when}"


def _next_pacific_midnight(now: dt.datetime | None = None) -> dt.datetime:
    """The next midnight in America/Los_Angeles, as a UTC datetime (BigQuery's daily quota reset)."""
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    current = (now or dt.datetime.now(dt.UTC)).astimezone(pacific)
    midnight = dt.datetime.combine(current.date() + dt.timedelta(days=1), dt.time(0), tzinfo=pacific)
    return midnight.astimezone(dt.UTC)


def _permission_message(where: Where, message: str) -> str:
    lowered = message.lower()
    about_project = where.permission is None and "project" in lowered and "table" not in lowered
    if "bigquery.jobs.create" in lowered or about_project:
        return (
            f"permission denied: the account needs bigquery.jobs.create on project {where.project} "
            f"(role BigQuery Job User) to run queries; BigQuery said: {message}"
        )
    named = re.search(r"\b(?:Table|Dataset)\s+([\w.:-]+)", message)
    dataset = _dataset_of(named.group(1)) if named else where.dataset_ref
    permission = where.permission or "bigquery.tables.getData"
    role = "BigQuery Data Viewer" if permission.startswith("bigquery.tables") else "BigQuery User"
    return (
        f"permission denied: the account needs {permission} on dataset {dataset} (role {role}) "
        f"to {where.action}; BigQuery said: {message}"
    )


def _dataset_of(ref: str) -> str:
    """`project:dataset.table` or `project.dataset.table` -> `project.dataset`."""
    parts = re.split(r"[.:]", ref)
    return ".".join(parts[:2]) if len(parts) >= 3 else ".".join(parts)


def _not_found_message(where: Where, message: str) -> str:
    named = re.search(r"\b(Table|Dataset|Job)\s+([\w.:-]+)", message)
    if named:
        kind, ref = named.group(1).lower(), named.group(2).replace(":", ".")
    elif where.table:
        kind, ref = "table", where.table_ref
    elif where.dataset:
        kind, ref = "dataset", where.dataset_ref
    else:
        kind, ref = "object", "(unknown)"
    location = f" in location {where.location}" if where.location else ""
    hint = {
        "table": "check the name with `dataset-tui tables`",
        "dataset": "check the profile's project and dataset",
        "job": "the job may have expired",
    }.get(kind, "check the profile's project, location and dataset")
    return f"{kind} {ref} not found{location} ({where.profile!r} profile); {hint}"


def _reason(exc: object) -> str | None:
    errors = getattr(exc, "errors", None) or []
    try:
        first = errors[0]
        return first.get("reason") if isinstance(first, dict) else None
    except (IndexError, AttributeError):
        return None


def _bq_message(exc: object) -> str:
    """BigQuery's own message, with its location (`at [3:14]`), without the client's footer."""
    errors = getattr(exc, "errors", None) or []
    if errors and isinstance(errors[0], dict) and errors[0].get("message"):
        text = str(errors[0]["message"])
        # BigQuery puts the line and column in the message ("at [3:14]");
        # `location` names the request field, which only helps when it is
        # not the query itself.
        location = errors[0].get("location")
        if location and location != "query" and str(location) not in text:
            text = f"{text} (in {location})"
        return text
    raw = getattr(exc, "message", None) or str(exc)
    # The client appends "Location: ...\nJob ID: ..." and prefixes "400 POST url:".
    text = _first_line(str(raw))
    return re.sub(r"^\d{3} \w+ https?://\S+: ", "", text)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""

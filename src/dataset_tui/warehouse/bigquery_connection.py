"""The BigQuery client, as the profile configures it: credentials, retries, error context.

The base of the adapter (bigquery.py): it creates the google-cloud-bigquery
client on first use (the library is imported then, not at start-up), builds
the retry every call passes (the profile's own deadline, not the library's
600 s), and describes each call (`Where`) so an error says what failed, where,
and what to do about it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dataset_tui.warehouse.base import AuthError
from dataset_tui.warehouse.bigquery_errors import (
    LocationMismatchError,
    Where,
    translating,
)
from dataset_tui.warehouse.bigquery_retry import StatusCallback, api_retry
from dataset_tui.warehouse.bigquery_schema import check_project

if TYPE_CHECKING:
    from dataset_tui.config import Profile


class BigQueryConnection:
    """The client of one profile, and what every call to it carries."""

    def __init__(self, profile: Profile, *, client: Any = None) -> None:
        self.profile = profile
        self.project: str | None = check_project(profile.project) if profile.project else None
        self.label = profile.label
        self._client = client
        self._lock = threading.Lock()
        # Told about retries and waits ("BigQuery answered rateLimitExceeded; retrying in 2 s"):
        # the CLI prints it, the TUI shows it in the status line.
        self.on_status: StatusCallback | None = None

    # -- the client --------------------------------------------------------------

    def client(self) -> Any:
        """The google-cloud-bigquery Client, created on first use."""
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> Any:
        from google.cloud import bigquery

        profile = self.profile
        where = self._where("connect to BigQuery")
        with self._translating(where):
            credentials, found_project = self._credentials()
            project = profile.project or found_project
            if not project:
                raise AuthError(
                    f"profile {profile.name!r} names no BigQuery project and the credentials carry none: "
                    "set `project` in the profile (or DATASET_TUI_BQ_PROJECT)"
                )
            options = {"api_endpoint": profile.api_endpoint} if profile.api_endpoint else None
            return bigquery.Client(
                project=project,
                credentials=credentials,
                location=profile.location,
                client_options=options,
            )

    def _credentials(self) -> tuple[Any, str | None]:
        """(credentials, their project): a service-account key file, else
        anonymous for an emulator endpoint, else Application Default Credentials."""
        profile = self.profile
        if profile.credentials:
            from google.oauth2 import service_account

            path = profile.credentials
            try:
                key = service_account.Credentials.from_service_account_file(
                    path, scopes=["https://www.googleapis.com/auth/cloud-platform"]
                )
                return key, key.project_id
            except FileNotFoundError:
                raise AuthError(
                    f"the credentials file {path} of profile {profile.name!r} does not exist; "
                    "fix `credentials` in the profile, or remove it to use `gcloud auth application-default login`"
                ) from None
            except (ValueError, KeyError, OSError) as exc:
                raise AuthError(
                    f"the credentials file {path} of profile {profile.name!r} is not a service-account key ({exc}); "
                    "download a JSON key for the service account, or remove `credentials` to use "
                    "`gcloud auth application-default login`"
                ) from None
        if profile.api_endpoint:
            from google.auth.credentials import AnonymousCredentials

            return AnonymousCredentials(), None
        import google.auth

        return google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])

    def _retry(self) -> Any:
        # Not the library's DEFAULT_RETRY: that one also retries an endpoint
        # that refuses connections or a name that does not resolve, for its
        # whole deadline; ours fails those at once (bigquery_retry.py).
        return api_retry(self.profile.retry_deadline_s, self.on_status)

    @contextlib.contextmanager
    def _translating(self, where: Where) -> Iterator[None]:
        """translating(), plus the dataset's real location when BigQuery looked in the wrong one."""
        try:
            with translating(where):
                yield
        except LocationMismatchError as exc:
            raise LocationMismatchError(self._location_message(exc), ref=exc.ref, searched=exc.searched) from exc

    def _location_message(self, exc: LocationMismatchError) -> str:
        actual = None
        try:  # a free metadata call, best effort and short: the error is what matters
            actual = getattr(self.client().get_dataset(exc.ref, retry=None, timeout=min(
                10.0, self.profile.request_timeout_s)), "location", None)
        except Exception:
            actual = None
        name = self.profile.name
        if actual:
            return (
                f"the dataset {exc.ref} is in {actual}, but BigQuery looked for it in {exc.searched}; "
                f'set `location = "{actual}"` in profile {name!r}'
            )
        return (
            f"dataset {exc.ref} was not found in location {exc.searched}, where BigQuery looked; "
            f"if it exists in another location, set `location` in profile {name!r} to that location"
        )

    def _where(self, action: str, dataset: str | None = None, table: str | None = None,
               permission: str | None = None) -> Where:
        return Where(
            action=action,
            profile=self.profile.name,
            project=self.project or (self._client.project if self._client is not None else None),
            location=self.profile.location,
            dataset=dataset,
            table=table,
            endpoint=self.profile.api_endpoint,
            permission=permission,
            retry_deadline_s=self.profile.retry_deadline_s,
        )

"""A BigQuery retry is said on screen: the adapter's on_status → a message from the worker → a notification.

The recording fake client answers the first job with rateLimitExceeded and
the second with rows; the app runs a warehouse worker the way every screen
does (`warehouse_work`), and the user sees the retry while the work succeeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.api_core import exceptions as api
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from bq_fake import FakeClient
from dataset_tui.config import Profile
from dataset_tui.tui.work import warehouse_work
from dataset_tui.warehouse.bigquery import BigQueryWarehouse
from tui_support import app_for, notifications, settle


class QueryScreen(Screen[None]):
    """Runs one query in a warehouse worker, as the detail and wizard screens do."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: Any = None

    def compose(self) -> ComposeResult:
        yield Static("query")

    @warehouse_work("run the query", group="test-query")
    def run_query(self) -> None:
        self.rows = self.app.ctx.warehouse().query("SELECT 1").rows  # type: ignore[attr-defined]


async def test_a_rate_limited_job_is_retried_and_said_on_screen(open_context: Any, tmp_path: Path) -> None:
    ctx = open_context(tmp_path / "unused.duckdb")
    profile = Profile.model_validate(
        {"name": "prod", "backend": "bigquery", "project": "acme", "location": "EU", "retry_deadline_s": 30}
    )
    client = FakeClient()
    message = "Exceeded rate limits: too many concurrent queries for this project"
    client.job_errors = [api.Forbidden(message, errors=[{"reason": "rateLimitExceeded", "message": message}])]
    ctx.profile = profile
    ctx.warehouse_file = None
    ctx.set_warehouse(BigQueryWarehouse(profile, client=client))
    app = app_for(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = QueryScreen()
        await app.push_screen(screen)
        screen.run_query()
        await settle(pilot)
        said = notifications(app)
        assert screen.rows == ((1,),)
        assert client.count("query") == 2
        assert any("rateLimitExceeded" in text and "retrying in" in text for text in said), said

"""The detail screen's panel of a version's materializations, with their fingerprints and verify.

It loads in a worker and hears back through typed messages; `verify()` runs
the verify service (cost modal on BigQuery) and shows its verdict per split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.widgets import Static

from dataset_tui.tui.context import app_context
from dataset_tui.tui.work import warehouse_work

if TYPE_CHECKING:
    from dataset_tui.services.context import AppContext


def describe(records: list[Any], version: int | None, others: int) -> str:
    """The panel's text: one block per materialization, newest first."""
    title = f"[b]Materialized[/b] (v{version})" if version is not None else "[b]Materialized[/b]"
    if not records:
        lines = [title, "[dim]not yet — M writes the splits into tables and fingerprints them[/dim]"]
    else:
        lines = [title]
        for record in records[:3]:
            lines.append(f"{record.created_at:%Y-%m-%d %H:%M} as of {record.as_of.isoformat()} · {record.author}")
            for split in record.splits:
                lines.append(f"  {split.split:<5} {split.rows:>10,} rows  #{split.fingerprint.digest}")
                lines.append(f"  [dim]{split.table}[/dim]")
        if len(records) > 3:
            lines.append(f"[dim]… and {len(records) - 3} earlier[/dim]")
        lines.append("[dim]V verifies the newest against today's raw data[/dim]")
    if others:
        lines.append(f"[dim]{others} materialization(s) of other versions[/dim]")
    return "\n".join(lines)


def describe_verify(result: Any) -> str:
    colour = "green" if result.status == "unchanged" else "red"
    lines = [f"[b]Verify[/b] v{result.version}: [{colour}]{result.status}[/{colour}]"]
    for check in result.checks:
        if not check.raw_drifted:
            raw = "raw unchanged"
        elif check.rows_added is not None:
            raw = f"raw +{check.rows_added:,} −{check.rows_removed:,} rows"
        else:
            raw = f"raw drifted ({check.row_delta:+,} rows)"
        lines.append(f"  {check.split:<5} {raw} · table {check.table_state}")
    return "\n".join(lines)


class MaterializationsPanel(Static):
    """Materializations of the dataset's current version (active, else latest)."""

    DEFAULT_CSS = "MaterializationsPanel { height: auto; margin-bottom: 1; }"

    class Loaded(Message):
        def __init__(self, records: list[Any], version: int, others: int) -> None:
            super().__init__()
            self.records, self.version, self.others = records, version, others

    class Verified(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.dataset_name: str | None = None
        self.records: list[Any] = []
        self.verdict: str = ""
        self._listing = ""

    @property
    def ctx(self) -> AppContext:
        return app_context(self)

    def load(self, name: str) -> None:
        self.dataset_name = name
        self._load(name)

    @warehouse_work("read the materializations", group="materializations-load")
    def _load(self, name: str) -> None:
        from dataset_tui.services import definitions
        from dataset_tui.services.materialize import list_materializations

        head = definitions.get_dataset(self.ctx, name)
        every = list_materializations(self.ctx, name)
        mine = [m for m in every if m.version == head.definition_version]
        self.post_message(self.Loaded(mine, head.definition_version, len(every) - len(mine)))

    def on_materializations_panel_loaded(self, message: Loaded) -> None:
        message.stop()
        self.records = message.records
        self._listing = describe(message.records, message.version, message.others)
        self._render_text()

    def verify(self) -> None:
        if self.dataset_name is None:
            return
        if not self.records:
            self.notify("Nothing to verify yet: press M to materialize this version first.", severity="warning")
            return
        self.verdict = "[b]Verify[/b]: fingerprinting today's raw data and the tables…"
        self._render_text()
        self._verify(self.dataset_name, self.records[0].version)

    @warehouse_work("verify", group="verify")
    def _verify(self, name: str, version: int) -> None:
        from dataset_tui.services.verify import verify
        from dataset_tui.tui.screens.cost import ask_cost_from_worker

        threshold = self.ctx.profile.confirm_bytes
        result = verify(
            self.ctx,
            name,
            version=version,
            confirm=lambda dry: ask_cost_from_worker(self.app, "Verify", dry, threshold),
        )
        self.post_message(self.Verified(result))

    def on_materializations_panel_verified(self, message: Verified) -> None:
        message.stop()
        result = message.result
        self.verdict = describe_verify(result)
        self._render_text()
        self.notify(
            "\n".join(f"{c.split}: {c.describe()}" for c in result.checks),
            title=f"{result.name} v{result.version}: {result.status}",
            severity="information" if result.status == "unchanged" else "warning",
            timeout=10,
        )

    def on_work_failed(self, message: Any) -> None:
        # The app shows the error (the message bubbles on); here, drop the "running" line.
        if self.verdict.endswith("…"):
            self.verdict = ""
            self._render_text()

    def _render_text(self) -> None:
        self.update("\n".join(t for t in (self._listing, self.verdict) if t))

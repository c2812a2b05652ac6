"""A table's schema made ready for the column step, built in the schema worker.

At 10,000 columns, turning a schema into the wizard's column drafts, the
name index and the suggested roles took 40-120 ms; on the event loop that
froze typing and drawing. The worker builds a `SchemaView` and posts it;
the event loop only files it (a dict update). Plain data, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dataset_tui.tui.wizard.draft_parts import ColumnDraft, ColumnKey, schema_drafts

if TYPE_CHECKING:
    from dataset_tui.tui.wizard.calls import SchemaColumn


@dataclass(frozen=True)
class SchemaView:
    """One table's columns as read, by name, as drafts for the step, and their suggested roles."""

    table: str
    columns: list[SchemaColumn]
    by_name: dict[str, SchemaColumn]
    drafts: dict[ColumnKey, ColumnDraft]  # new objects, in schema order: the event loop owns them once posted
    suggested: dict[ColumnKey, str]
    # The column list's rows for the drafts, and their lower-case labels (what search matches).
    rows: list[tuple[str, ColumnKey]]
    labels: list[str]


def schema_view(table: str, columns: list[SchemaColumn]) -> SchemaView:
    """Everything the column step needs from a schema, computed once (in a worker)."""
    drafts = {d.key: d for d in schema_drafts(table, [(c.name, c.type) for c in columns])}
    return SchemaView(
        table=table,
        columns=columns,
        by_name={c.name: c for c in columns},
        drafts=drafts,
        suggested={(table, c.name): c.suggested_role for c in columns if c.suggested_role},
        rows=[("column", key) for key in drafts],
        labels=[d.label.lower() for d in drafts.values()],
    )

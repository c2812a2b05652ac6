"""The log of exports kept in each dataset's file (what was written where, from which version)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dataset_tui.store import layout
from dataset_tui.store.base import current_author, now_iso
from dataset_tui.store.heads import HeadsStore
from dataset_tui.store.heads_index import required_time

if TYPE_CHECKING:
    from dataset_tui.store.report_records import ExportRecord


class ExportsLogStore(HeadsStore):
    def record_export(self, model: str, name: str, version: int, paths: list[str], as_of: dt.date | None) -> None:
        with self._keeping(f"the record of this export of {name}") as writable:
            if not writable:
                return
            _, _, head = self._find(model, name)
            self._table(head.id, layout.EXPORTS_TABLE).insert(
                {
                    "version": version,
                    "paths": [str(p) for p in paths],
                    "as_of": as_of.isoformat() if as_of else None,
                    "exported_at": now_iso(),
                    "author": current_author(),
                }
            )

    def exports(self, model: str, name: str) -> list[ExportRecord]:
        """Every recorded export of the dataset, oldest first."""
        from dataset_tui.store.report_records import ExportRecord

        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._table(head.id, layout.EXPORTS_TABLE).all()
        return [
            ExportRecord(
                version=d["version"],
                paths=list(d["paths"]),
                as_of=dt.date.fromisoformat(d["as_of"]) if d["as_of"] else None,
                exported_at=required_time(d["exported_at"]),
                author=d["author"],
            )
            for d in sorted(docs, key=lambda d: d.doc_id)
        ]

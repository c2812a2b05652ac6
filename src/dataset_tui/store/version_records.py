"""Immutable documents about one version, kept in the dataset's own file (materializations).

Like versions, a record is appended and never rewritten; it is written under
the store's lock in the same atomic write as any other change to that file.
"""

from __future__ import annotations

from typing import Any

from dataset_tui.store.records import to_plain_json
from dataset_tui.store.versions import VersionsStore


class VersionRecordsStore(VersionsStore):
    def append_version_record(self, model: str, name: str, version: int, table: str, doc: dict[str, Any]) -> None:
        """Append an immutable document about one existing version to the dataset's file."""
        plain = to_plain_json(doc)
        with self._writing():
            _, _, head = self._find(model, name)
            docs = self._version_docs(head)
            self._number(head, docs, version)
            self._table(head.id, table).insert({**plain, "version": version})

    def version_records(self, model: str, name: str, table: str) -> tuple[dict[str, Any], ...]:
        """The documents :meth:`append_version_record` kept in `table`, oldest first."""
        with self._reading():
            _, _, head = self._find(model, name)
            docs = self._table(head.id, table).all()
        return tuple(dict(d) for d in sorted(docs, key=lambda d: d.doc_id))

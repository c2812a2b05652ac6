"""Materializations recorded on a dataset version: immutable, like the versions.

Each record says which tables hold exactly which rows of one version: per
split the target table, the row count and the content fingerprint, plus the
as-of date the SQL was pinned to, the bytes processed, the job ids, when and
by whom. Records live in the dataset's own file (a ``materializations``
table beside ``versions``), written under the store's lock with its atomic
file replacement, and are never changed or removed: a new materialization of
the same version is a new record. Only a materialization that completed is
ever recorded (the service writes the record last).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dataset_tui.domain.fingerprint import Fingerprint
from dataset_tui.store.repository import Store

TABLE = "materializations"


@dataclass(frozen=True)
class MaterializedSplit:
    split: str  # "full" | "train" | "eval"
    table: str  # fully qualified: `project.dataset.table` on BigQuery, `dataset.table` on DuckDB
    fingerprint: Fingerprint
    bytes_processed: int | None = None
    job_id: str | None = None
    parquet: str | None = None  # the Parquet copy written beside it (DuckDB --parquet)

    @property
    def rows(self) -> int:
        return self.fingerprint.rows


@dataclass(frozen=True)
class Materialization:
    version: int
    definition_hash: str
    backend: str  # "duckdb" | "bigquery"
    as_of: dt.date
    splits: tuple[MaterializedSplit, ...]
    columns: tuple[tuple[str, str], ...]  # (output name, BigQuery type): what the fingerprint read
    created_at: dt.datetime
    author: str
    labels: dict[str, str]
    expires_at: dt.datetime | None = None

    @property
    def bytes_processed(self) -> int:
        return sum(s.bytes_processed or 0 for s in self.splits)

    def split(self, name: str) -> MaterializedSplit | None:
        return next((s for s in self.splits if s.split == name), None)


def _to_doc(record: Materialization) -> dict[str, Any]:
    return {
        "definition_hash": record.definition_hash,
        "backend": record.backend,
        "as_of": record.as_of.isoformat(),
        "splits": [
            {
                "split": s.split,
                "table": s.table,
                "fingerprint": s.fingerprint.to_dict(),
                "bytes_processed": s.bytes_processed,
                "job_id": s.job_id,
                "parquet": s.parquet,
            }
            for s in record.splits
        ],
        "columns": [list(c) for c in record.columns],
        "created_at": record.created_at.isoformat(),
        "author": record.author,
        "labels": dict(record.labels),
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
    }


def _from_doc(doc: dict[str, Any]) -> Materialization:
    return Materialization(
        version=int(doc["version"]),
        definition_hash=str(doc["definition_hash"]),
        backend=str(doc["backend"]),
        as_of=dt.date.fromisoformat(doc["as_of"]),
        splits=tuple(
            MaterializedSplit(
                split=s["split"],
                table=s["table"],
                fingerprint=Fingerprint.from_dict(s["fingerprint"]),
                bytes_processed=s.get("bytes_processed"),
                job_id=s.get("job_id"),
                parquet=s.get("parquet"),
            )
            for s in doc["splits"]
        ),
        columns=tuple((str(c[0]), str(c[1])) for c in doc["columns"]),
        created_at=dt.datetime.fromisoformat(doc["created_at"]),
        author=str(doc["author"]),
        labels={str(k): str(v) for k, v in (doc.get("labels") or {}).items()},
        expires_at=dt.datetime.fromisoformat(doc["expires_at"]) if doc.get("expires_at") else None,
    )


def record(store: Store, model: str, name: str, materialization: Materialization) -> None:
    """Append the record to its version (the version must exist)."""
    store.append_version_record(model, name, materialization.version, TABLE, _to_doc(materialization))


def materializations(store: Store, model: str, name: str, *, version: int | None = None) -> list[Materialization]:
    """The dataset's materializations (of one version if given), oldest first."""
    found = [_from_doc(d) for d in store.version_records(model, name, TABLE)]
    return [m for m in found if version is None or m.version == version]


def materialized_versions(store: Store, model: str, name: str) -> set[int]:
    """The versions that have at least one materialization (history marks them)."""
    return {int(d["version"]) for d in store.version_records(model, name, TABLE)}

"""Caches the store keeps: analysis results per dataset, column statistics per table.

A cache is never the truth: one that cannot be read (a damaged stats.json,
a malformed analysis entry) is dropped and rebuilt, never blocks a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinydb.table import Table

from dataset_tui.store import layout
from dataset_tui.store.base import now_iso
from dataset_tui.store.errors import StoreCorruptError
from dataset_tui.store.heads import HeadsStore
from dataset_tui.store.heads_index import parse_time
from dataset_tui.store.records import to_plain_json
from dataset_tui.store.storage import move_aside

if TYPE_CHECKING:
    from dataset_tui.store.report_records import CachedAnalysis, CachedStats


def _warn(message: str, exc: Exception) -> None:
    # logging (with threading, traceback and string) loads only when a cache is damaged:
    # every command imports the store, few ever warn.
    import logging

    logging.getLogger(__name__).warning(message, exc)


# Analyses kept per dataset (one per definition hash, newest first).
ANALYSES_KEPT = 5


def _analysis_ok(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("definition_hash"), str)
        and isinstance(doc.get("computed_at"), str)
        and _time_ok(doc["computed_at"])
        and isinstance(doc.get("result"), dict)
    )


def _time_ok(text: str) -> bool:
    try:
        return parse_time(text) is not None
    except ValueError:
        return False


class CachesStore(HeadsStore):
    def save_analysis(self, model: str, name: str, definition_hash: str, result: dict[str, Any]) -> None:
        """Keep an analysis result for the definition hash it was computed for."""
        plain = to_plain_json(result)
        with self._keeping(f"the analysis of {name}") as writable:
            if not writable:
                return
            bucket, doc_id, head = self._find(model, name)
            table = self._table(head.id, layout.ANALYSIS_TABLE)
            docs = table.all()
            bad = [d.doc_id for d in docs if not _analysis_ok(d)]
            good = [d for d in docs if _analysis_ok(d)]
            kept = sorted(
                ((d.doc_id, d) for d in good if d["definition_hash"] != definition_hash),
                key=lambda item: str(item[1]["computed_at"]),
                reverse=True,
            )
            drop = [d for d, _ in kept[ANALYSES_KEPT - 1 :]]
            stale_ids = [d.doc_id for d in good if d["definition_hash"] == definition_hash]
            if drop or stale_ids or bad:
                table.remove(doc_ids=drop + stale_ids + bad)
            table.insert({"definition_hash": definition_hash, "computed_at": now_iso(), "result": plain})
            rows = plain.get("rows") if isinstance(plain, dict) else None
            if isinstance(rows, int) and definition_hash in (head.definition_hash, head.latest_hash):
                self._update_head(bucket, doc_id, {"last_analysis_rows": rows})

    def cached_analysis(self, model: str, name: str) -> CachedAnalysis | None:
        """The analysis of the version export/sql use, else the newest one marked stale."""
        from dataset_tui.store.report_records import CachedAnalysis

        with self._reading():
            _, _, head = self._find(model, name)
            docs = [d for d in self._table(head.id, layout.ANALYSIS_TABLE).all() if _analysis_ok(d)]
        if not docs:
            return None
        wanted = head.definition_hash
        exact = [d for d in docs if d["definition_hash"] == wanted]
        doc = exact[0] if exact else max(docs, key=lambda d: str(d["computed_at"]))
        computed_at = parse_time(doc["computed_at"])
        assert computed_at is not None  # _analysis_ok checked it
        return CachedAnalysis(
            definition_hash=doc["definition_hash"], computed_at=computed_at, result=doc["result"], stale=not exact
        )

    def _stats_table(self) -> Table:
        """The stats cache, emptied first if its file cannot be read (it is only a cache)."""
        try:
            self._stats.read()
        except StoreCorruptError as exc:
            _warn("dropping the damaged statistics cache: %s", exc)
            if self._stats.path.is_dir() and not self._stats.path.is_symlink():
                move_aside(self._stats.path)
            self._stats.forget()
            self._stats.write({})
        return Table(self._stats, layout.STATS_TABLE, cache_size=0)

    def save_stats(self, dataset: str, table: str, table_key: Any, result: dict[str, Any]) -> None:
        """Keep column statistics of a warehouse table with what identifies its content."""
        plain = to_plain_json(result)
        key = to_plain_json(table_key)
        with self._keeping(f"the statistics of {dataset}.{table}") as writable:
            if not writable:
                return
            stats = self._stats_table()
            old = [d.doc_id for d in stats.all() if d["dataset"] == dataset and d["table"] == table]
            if old:
                stats.remove(doc_ids=old)
            stats.insert(
                {"dataset": dataset, "table": table, "table_key": key, "computed_at": now_iso(), "result": plain}
            )

    def cached_stats(self, dataset: str, table: str) -> CachedStats | None:
        """Statistics kept for the table; None when there are none or the cache cannot be read."""
        from dataset_tui.store.report_records import CachedStats

        with self._reading():
            try:
                docs = [
                    d
                    for d in Table(self._stats, layout.STATS_TABLE, cache_size=0).all()
                    if d["dataset"] == dataset and d["table"] == table
                ]
            except StoreCorruptError as exc:
                _warn("ignoring the damaged statistics cache: %s", exc)
                return None
        if not docs:
            return None
        doc = docs[-1]
        computed_at = parse_time(doc["computed_at"]) if _time_ok(str(doc["computed_at"])) else None
        if computed_at is None or not isinstance(doc["result"], dict):
            return None
        return CachedStats(table_key=doc["table_key"], computed_at=computed_at, result=doc["result"])

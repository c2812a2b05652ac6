"""`store check` and `store repair`: the heads agree with the dataset files, or are rebuilt from them.

The dataset files are the truth (each holds every version of one dataset,
with its name and model as saved); heads are an index over them. Check
reports every disagreement without writing; repair rewrites heads from the
files, re-attaches dataset files no head points at (orphans), and leaves
damaged dataset files alone (their backup is the user's call).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataset_tui.store import heads_listing, layout
from dataset_tui.store.errors import StoreCorruptError, StoreError
from dataset_tui.store.heads import valid_name
from dataset_tui.store.heads_index import (
    HeadIndex,
    head_fixes,
    head_from_doc,
    summary,
)
from dataset_tui.store.storage import SafeJSONStorage, move_aside
from dataset_tui.store.versions import Docs, VersionsStore

# The report's records are imported when a check runs: every command opens a
# Store, and the five dataclasses cost a save more than a millisecond each.
if TYPE_CHECKING:
    from dataset_tui.store.consistency_report import Scan, StoreCheck, StoreRepair


class ConsistencyStore(VersionsStore):
    def check(self) -> StoreCheck:
        """Every disagreement between heads, dataset files and caches (nothing is written)."""
        from dataset_tui.store.consistency_report import StoreCheck

        with self._reading():
            scan = self._scan()
        return StoreCheck(str(self.folder), len(scan.files) + len(scan.bad_files), scan.problems)

    def repair(self) -> StoreRepair:
        """Rebuild heads from the dataset files; re-attach orphans; drop a damaged cache."""
        from dataset_tui.store.consistency_report import StoreRepair

        report = StoreRepair(str(self.folder))
        with self._writing():
            scan = self._scan()
            for problem in scan.problems:
                if problem.kind == "damaged-dataset":
                    report.remaining.append(problem)
            live = {
                (doc["model"], doc["name"].lower())
                for _, _, doc in scan.heads.values()
                if doc.get("deleted_at") is None and doc["id"] in scan.files
            }
            changed: set[int] = set(scan.bad_buckets)
            for dataset_id, (bucket, doc_id, doc) in list(scan.heads.items()):
                if dataset_id in scan.bad_files:
                    continue
                if dataset_id not in scan.files:
                    del scan.bucket_docs[bucket][str(doc_id)]
                    changed.add(bucket)
                    report.fixed.append(f"removed the head of {doc['model']}/{doc['name']}: its dataset file is gone")
                    continue
                fixes = head_fixes(head_from_doc(doc), scan.files[dataset_id])
                if fixes:
                    doc.update(fixes)
                    changed.add(bucket)
                    report.fixed.append(f"{doc['model']}/{doc['name']}: head now counts {sorted(fixes)} from its file")
            heads_ids = set(scan.heads)
            for dataset_id in sorted(set(scan.files) - heads_ids):
                bucket = layout.head_bucket(dataset_id)
                doc = _head_for_orphan(dataset_id, scan.files[dataset_id], live)
                docs = scan.bucket_docs.setdefault(bucket, {})
                docs[str(1 + max((int(k) for k in docs), default=0))] = doc
                live.add((doc["model"], doc["name"].lower()))
                changed.add(bucket)
                report.reattached.append(head_from_doc(doc))
            for bucket in sorted(changed):
                self._write_bucket(bucket, scan, report)
            for problem in scan.problems:
                if problem.kind == "damaged-index":  # derived from its heads file: the next listing builds it again
                    index = Path(problem.path)
                    if index.is_dir() and not index.is_symlink():
                        move_aside(index)  # a folder in its place: kept for inspection, as for other store files
                    else:
                        index.unlink(missing_ok=True)
                    report.fixed.append(f"dropped the damaged listing index {problem.path} (the next list rebuilds it)")
            if any(p.kind == "damaged-cache" for p in scan.problems):
                move_aside(self._stats.path)
                self._stats.forget()
                report.fixed.append(f"dropped the damaged cache {self._stats.path} (it is rebuilt when needed)")
            self._forget_all()
        return report

    # -- scanning -----------------------------------------------------------

    def _scan(self) -> Scan:
        from dataset_tui.store.consistency_report import Scan, StoreProblem

        scan = Scan()
        on_disk = self._dataset_ids_on_disk()
        for dataset_id in sorted(on_disk):
            storage = SafeJSONStorage(layout.dataset_path(self.folder, dataset_id), validate=layout.check_dataset_file)
            try:
                content = storage.read() or {}
                versions = {int(k): v for k, v in content.get(layout.VERSIONS_TABLE, {}).items()}
                if not versions:
                    raise StoreCorruptError(storage.path, "it holds no versions", storage.usable_backup())
            except StoreError as exc:
                scan.bad_files.add(dataset_id)
                scan.problems.append(StoreProblem("damaged-dataset", str(storage.path), str(exc)))
                continue
            scan.files[dataset_id] = versions
        for bucket, storage in enumerate(self._head_storages):
            storage.forget()
            data: dict[str, Any] | None = None
            docs: dict[str, dict[str, Any]] = {}
            try:
                data = storage.read()
                docs = (data or {}).get(layout.HEADS_TABLE, {})
                for doc in docs.values():
                    head_from_doc(doc)
            except (StoreError, TypeError, ValueError, AttributeError, KeyError) as exc:
                problem = StoreProblem("damaged-heads", str(storage.path), str(exc))
                scan.bad_buckets[bucket] = problem
                scan.problems.append(problem)
                docs = self._bucket_backup(storage)
            else:
                if data is None and any(layout.head_bucket(i) == bucket for i in on_disk):
                    problem = StoreProblem(
                        "missing-heads",
                        str(storage.path),
                        "the heads file is missing, though dataset files belong to it",
                    )
                    scan.bad_buckets[bucket] = problem
                    scan.problems.append(problem)
            index = heads_listing.index_path(storage.path)
            damage = heads_listing.damage(index)
            if damage is not None:
                scan.problems.append(StoreProblem("damaged-index", str(index), damage))
            scan.bucket_docs[bucket] = dict(docs)
            for doc_id, doc in docs.items():
                scan.heads[doc["id"]] = (bucket, int(doc_id), doc)
        for dataset_id, (_, _, doc) in scan.heads.items():
            label = f"{doc['model']}/{doc['name']}"
            path = layout.dataset_path(self.folder, dataset_id)
            if dataset_id in scan.bad_files:
                continue
            if dataset_id not in scan.files:
                scan.problems.append(StoreProblem("missing-dataset", str(path), "its dataset file is missing", label))
                continue
            fixes = head_fixes(head_from_doc(doc), scan.files[dataset_id])
            if "active_version" in fixes:
                scan.problems.append(
                    StoreProblem(
                        "missing-active",
                        str(path),
                        f"the active version v{doc['active_version']} is not in its file",
                        label,
                    )
                )
            if "revision" in fixes:
                scan.problems.append(
                    StoreProblem(
                        "head-behind",
                        str(path),
                        f"the head counts {doc['versions']} version(s) up to v{doc['revision']}, "
                        f"the file holds {fixes['versions']} up to v{fixes['revision']}",
                        label,
                    )
                )
        for dataset_id in sorted(set(scan.files) - set(scan.heads)):
            latest = scan.files[dataset_id][max(scan.files[dataset_id])]["definition"]
            scan.problems.append(
                StoreProblem(
                    "orphan",
                    str(layout.dataset_path(self.folder, dataset_id)),
                    "no head points at this dataset file, so it is not listed",
                    f"{latest.get('model')}/{latest.get('name')}",
                )
            )
        try:
            self._stats.forget()
            self._stats.read()
        except StoreError as exc:
            scan.problems.append(StoreProblem("damaged-cache", str(self._stats.path), str(exc)))
        return scan

    def _bucket_backup(self, storage: SafeJSONStorage) -> dict[str, dict[str, Any]]:
        """Heads from a damaged bucket's backup, if it is usable: names and active versions survive."""
        bak = storage.usable_backup()
        if bak is None:
            return {}
        probe = SafeJSONStorage(bak, validate=layout.check_heads_file, backup=False)
        try:
            docs: dict[str, dict[str, Any]] = (probe.read() or {}).get(layout.HEADS_TABLE, {})
            for doc in docs.values():
                head_from_doc(doc)
        except (StoreError, TypeError, ValueError, AttributeError, KeyError):
            return {}
        return docs

    def _write_bucket(self, bucket: int, scan: Scan, report: StoreRepair) -> None:
        storage = self._head_storages[bucket]
        if bucket in scan.bad_buckets and scan.bad_buckets[bucket].kind == "damaged-heads":
            # Keep the damaged file for inspection, and keep it from becoming the backup.
            aside = move_aside(storage.path)
            report.fixed.append(f"moved the damaged {storage.path} to {aside}")
        storage.forget()
        storage.write({layout.HEADS_TABLE: scan.bucket_docs.get(bucket, {})})
        report.fixed.append(f"rewrote {storage.path}")
        self._index = HeadIndex()


def _head_for_orphan(dataset_id: str, docs: Docs, live: set[tuple[str, str]]) -> dict[str, Any]:
    """A head for a dataset file no head points at, under its saved name (or a free variant)."""
    latest_number = max(docs)
    latest = docs[latest_number]
    definition = latest["definition"]
    model = str(definition.get("model") or "default")
    base = str(definition.get("name") or "recovered")
    if not valid_name(base):
        base = "recovered"
    name, n = base, 1
    while (model, name.lower()) in live:
        n += 1
        suffix = f"-recovered{'' if n == 2 else n - 1}"
        name = base[: 64 - len(suffix)] + suffix
    return {
        "id": dataset_id,
        "model": model,
        "name": name,
        "revision": latest_number,
        "active_version": None,
        "versions": len(docs),
        "created_at": docs[min(docs)]["created_at"],
        "updated_at": latest["created_at"],
        "latest_hash": latest["hash"],
        "active_hash": None,
        "last_analysis_rows": None,
        "deleted_at": None,
        **summary(definition),
    }


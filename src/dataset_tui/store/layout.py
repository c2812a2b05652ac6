"""Where the store keeps what, and the shape each file must have.

```
<store>/
  meta.json              {"store": {"format": "dataset-tui-store", "version": 1, "head_buckets": 32}}
  .lock                  the inter-process lock (lock.py)
  heads/NN.json          TinyDB, table "heads": one document per dataset, spread over
                         HEAD_BUCKETS files by the dataset's id
  datasets/<id>.json     TinyDB, one file per dataset: tables "versions" (document id =
                         version number), "analysis" (cached results) and "exports"
  heads/NN.keys          derived, never the truth: heads/NN.json's names, stamped with that
                         file's identity, so a save parses and rewrites its own bucket only
                         (heads_keys.py)
  heads/NN.list          derived, never the truth: NN.json's live heads column by column, stamped with
                         its identity and checksum, so `list` parses no heads file (heads_listing.py)
  stats.json             TinyDB, table "stats": cached column statistics per warehouse table
  *.bak                  the previous content of each file (storage.py)
```

Why this shape: a save rewrites the dataset's own file and one bucket of
heads, so its cost does not grow with the number of versions or datasets
kept, while listing every head reads HEAD_BUCKETS small files. A dataset's
id never changes (a rename edits its head only).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

STORE_FORMAT = "dataset-tui-store"
# Bump when the layout changes, and add a migration to migrations.py.
STORE_VERSION = 1
HEAD_BUCKETS = 32

META_FILE = "meta.json"
HEADS_DIR = "heads"
DATASETS_DIR = "datasets"
STATS_FILE = "stats.json"

# A dataset file is named by its id (uuid4 hex); anything else in datasets/ is not one.
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")

HEADS_TABLE = "heads"
VERSIONS_TABLE = "versions"
ANALYSIS_TABLE = "analysis"
EXPORTS_TABLE = "exports"
STATS_TABLE = "stats"

HEAD_KEYS = (
    "id",
    "model",
    "name",
    "description",
    "revision",
    "active_version",
    "tables",
    "columns",
    "versions",
    "created_at",
    "updated_at",
    "latest_hash",
    "active_hash",
    "last_analysis_rows",
    "deleted_at",
)
VERSION_KEYS = ("definition", "hash", "created_at", "author", "note")


def head_bucket(dataset_id: str) -> int:
    return zlib.crc32(dataset_id.encode("ascii")) % HEAD_BUCKETS


def heads_path(folder: Path, bucket: int) -> Path:
    return folder / HEADS_DIR / f"{bucket:02d}.json"


def dataset_path(folder: Path, dataset_id: str) -> Path:
    return folder / DATASETS_DIR / f"{dataset_id}.json"


# -- shape checks, run when a file is parsed (storage.Validator) ----------


def _tables(data: dict[str, Any]) -> str | None:
    from dataset_tui.store.storage import tables_shape

    return tables_shape(data)


def _docs_have(data: dict[str, Any], table: str, keys: tuple[str, ...]) -> str | None:
    # The subset test runs in C: a heads file of 20,000 documents is checked
    # on every listing, and a Python loop over the keys of each cost 30 ms.
    wanted = frozenset(keys)
    for doc_id, doc in data.get(table, {}).items():
        if not (type(doc) is dict and doc.keys() >= wanted):
            missing = [k for k in keys if k not in doc]
            if missing:
                return f"{table} document {doc_id} lacks {', '.join(missing)}"
    return None


def check_heads_file(data: dict[str, Any]) -> str | None:
    return _tables(data) or _docs_have(data, HEADS_TABLE, HEAD_KEYS)


def check_dataset_file(data: dict[str, Any]) -> str | None:
    problem = _tables(data) or _docs_have(data, VERSIONS_TABLE, VERSION_KEYS)
    if problem:
        return problem
    for doc_id, doc in data.get(VERSIONS_TABLE, {}).items():
        if not isinstance(doc["definition"], dict):
            return f"version {doc_id} has no definition object"
    return None


def check_stats_file(data: dict[str, Any]) -> str | None:
    return _tables(data) or _docs_have(data, STATS_TABLE, ("dataset", "table", "table_key", "computed_at", "result"))


def check_meta_file(data: dict[str, Any]) -> str | None:
    meta = data.get("store")
    if not isinstance(meta, dict) or meta.get("format") != STORE_FORMAT:
        return f'it has no {{"store": {{"format": "{STORE_FORMAT}"}}}} entry'
    if not isinstance(meta.get("version"), int):
        return "store.version is not a number"
    return None

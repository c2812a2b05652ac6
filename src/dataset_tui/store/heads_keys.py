"""A derived cache of what finds a dataset: per heads file, the names in it.

A save must know whether its name is taken (ignoring case) and where the
dataset's head is, but heads are spread over HEAD_BUCKETS files by id, so
without help every process parses every heads file first: 11 MB of JSON and
about 150 ms at 20,000 datasets, for one save. This file keeps, per heads
file, the (id, document id, model, lowered name, live) of each head, stamped
with the heads file's identity (inode, mtime, size) when it was read. A
process takes a bucket's keys from here when the stamp still matches, and
parses only the heads files that changed (a save: its own).

It is never the truth: a stamp that does not match, a damaged or missing
cache, or a read-only store just mean the heads files are read as before.
Every writer replaces a heads file (a new inode), so an unchanged stamp means
unchanged content. Written atomically beside the heads, without fsync (it can
always be rebuilt); JSON, its columns' types checked on reading.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_NAME = "keys.cache"
FORMAT = 1

Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class BucketKeys:
    """One heads file's keys, column by column (so indexing and checking them runs in C)."""

    stamp: Stamp
    ids: list[str]
    doc_ids: list[int]
    models: list[str]
    names: list[str]  # lowered
    live: list[bool]


def cache_path(heads_dir: Path) -> Path:
    return heads_dir / CACHE_NAME


def load(path: Path) -> dict[int, BucketKeys]:
    """The cached keys per bucket; {} when there is no usable cache (a bucket of a bad shape is left out)."""
    try:
        with path.open("rb") as handle:
            data: Any = json.loads(handle.read())
        if data["format"] != FORMAT:
            return {}
        buckets: dict[int, BucketKeys] = {}
        for bucket, (stamp, ids, doc_ids, models, names, live) in data["buckets"].items():
            columns = (ids, doc_ids, models, names, live)
            if (
                len(stamp) == 3
                and {type(v) for v in stamp} == {int}
                and len({len(c) for c in columns}) == 1
                and {str}.issuperset(map(type, ids))
                and {int}.issuperset(map(type, doc_ids))
                and {str}.issuperset(map(type, models))
                and {str}.issuperset(map(type, names))
                and {bool}.issuperset(map(type, live))
            ):
                buckets[int(bucket)] = BucketKeys((stamp[0], stamp[1], stamp[2]), ids, doc_ids, models, names, live)
        return buckets
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def save(path: Path, buckets: dict[int, BucketKeys]) -> None:
    """Replace the cache; a failure (read-only store, full disk) leaves the old one or none."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        data = {
            "format": FORMAT,
            "buckets": {
                str(b): [list(k.stamp), k.ids, k.doc_ids, k.models, k.names, k.live] for b, k in buckets.items()
            },
        }
        tmp.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()

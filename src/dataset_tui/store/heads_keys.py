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
always be rebuilt); JSON, checked row by row on reading.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

CACHE_NAME = "keys.cache"
FORMAT = 1

Stamp = tuple[int, int, int]
# (dataset id, document id, model, name.lower(), live)
KeyRow = tuple[str, int, str, str, bool]


def cache_path(heads_dir: Path) -> Path:
    return heads_dir / CACHE_NAME


def load(path: Path) -> dict[int, tuple[Stamp, list[KeyRow]]]:
    """The cached keys per bucket; {} when there is no usable cache (a row of a bad shape drops its bucket)."""
    try:
        with path.open("rb") as handle:
            data: Any = json.loads(handle.read())
        if data["format"] != FORMAT:
            return {}
        buckets: dict[int, tuple[Stamp, list[KeyRow]]] = {}
        for bucket, (stamp, rows) in data["buckets"].items():
            if len(stamp) == 3 and all(type(v) is int for v in stamp) and all(_is_row(r) for r in rows):
                buckets[int(bucket)] = ((stamp[0], stamp[1], stamp[2]), [tuple(r) for r in rows])
        return buckets
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _is_row(row: Any) -> bool:
    return (
        type(row) is list
        and len(row) == 5
        and type(row[0]) is str
        and type(row[1]) is int
        and type(row[2]) is str
        and type(row[3]) is str
        and type(row[4]) is bool
    )


def save(path: Path, buckets: dict[int, tuple[Stamp, list[KeyRow]]]) -> None:
    """Replace the cache; a failure (read-only store, full disk) leaves the old one or none."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        data = {"format": FORMAT, "buckets": {str(b): [list(stamp), rows] for b, (stamp, rows) in buckets.items()}}
        tmp.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()

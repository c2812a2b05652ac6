"""A derived cache of what finds a dataset: per heads file, the names in it.

A save must know whether its name is taken (ignoring case) and where the
dataset's head is, but heads are spread over HEAD_BUCKETS files by id, so
without help every process parses every heads file first: 11 MB of JSON and
about 150 ms at 20,000 datasets, for one save. Beside each heads file
(heads/NN.json) heads/NN.keys keeps the (id, document id, model, lowered
name, live) of each of its heads, stamped with the heads file's identity
(inode, mtime, size) when it was read. A process takes a bucket's keys from
there when the stamp still matches, parses only the heads files that changed
(a save: its own), and rewrites only their keys files: one file for all
buckets cost every save a rewrite of every name (20 ms at 20,000 datasets).

The string columns are one string each (values joined by commas, which no
valid name, model or id holds, so JSON reads them without unescaping; live
as 1s and 0s): JSON reads a long string far faster than a list of 20,000,
and splitting it can only give strings, so they need no per-value type
check. A bucket holding a value with a comma (a hand-edited heads file) is
not cached.

It is never the truth: a stamp that does not match, a damaged or missing
file, or a read-only store just mean the heads file is read as before.
Every writer replaces a heads file (a new inode), so an unchanged stamp means
unchanged content. Written atomically, without fsync (it can always be
rebuilt).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIX = ".keys"
FORMAT = 2
# The single cache file of format 1 (all buckets in one): removed when keys are written.
LEGACY_NAME = "keys.cache"

Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class BucketKeys:
    """One heads file's keys, column by column (so indexing them runs in C)."""

    stamp: Stamp
    ids: list[str]
    doc_ids: list[int]
    models: list[str]
    names: list[str]  # lowered
    live: list[bool]


def cache_path(heads_dir: Path, bucket: int) -> Path:
    return heads_dir / f"{bucket:02d}{SUFFIX}"


SEPARATOR = ","


def _column(text: Any, count: int) -> list[str]:
    if type(text) is not str:
        raise TypeError("a column is not a string")
    values = text.split(SEPARATOR) if count else []
    if len(values) != count:
        raise ValueError("a column has the wrong length")
    return values


def load(path: Path) -> BucketKeys | None:
    """One bucket's cached keys; None when there is no usable file."""
    try:
        with path.open("rb") as handle:
            data: Any = json.loads(handle.read())
        if data["format"] != FORMAT:
            return None
        count, stamp, live = data["count"], data["stamp"], data["live"]
        if type(count) is not int or len(stamp) != 3 or {type(v) for v in stamp} != {int}:
            return None
        if type(live) is not str or len(live) != count or not {"0", "1"}.issuperset(live):
            return None
        doc_ids = data["doc_ids"]
        if type(doc_ids) is not list or len(doc_ids) != count or not {int}.issuperset(map(type, doc_ids)):
            return None
        return BucketKeys(
            (stamp[0], stamp[1], stamp[2]),
            _column(data["ids"], count),
            doc_ids,
            _column(data["models"], count),
            _column(data["names"], count),
            list(map("1".__eq__, live)),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _joined(values: list[str]) -> str | None:
    """The values joined by the separator; None when one of them holds it (it could not be split back)."""
    text = SEPARATOR.join(values)
    return text if text.count(SEPARATOR) == max(len(values) - 1, 0) else None


def save(path: Path, keys: BucketKeys) -> None:
    """Replace one bucket's keys file; a failure (read-only store, full disk) leaves the old one or none."""
    columns = [_joined(keys.ids), _joined(keys.models), _joined(keys.names)]
    if None in columns:  # not cacheable: an old file would not match the new stamp anyway
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        data = {
            "format": FORMAT,
            "stamp": list(keys.stamp),
            "count": len(keys.ids),
            "ids": columns[0],
            "doc_ids": keys.doc_ids,
            "models": columns[1],
            "names": columns[2],
            "live": "".join("1" if alive else "0" for alive in keys.live),
        }
        tmp.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()

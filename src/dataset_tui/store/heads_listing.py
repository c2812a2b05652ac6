"""A derived listing index per heads file: its live heads column by column, as `list` reads them.

`list --json` of 20,000 datasets parsed 10 MB of heads (32 files of TinyDB
documents) and built 20,000 DatasetHeads (40,000 times parsed) before it
wrote a row. Beside each heads file `NN.json` this keeps `NN.list`: the live
heads of that file, one JSON list per field (rows in the file's order),
times as the ISO text the heads hold. A listing whose heads files all match
their index reads these columns, filters and sorts them, and hands them out
without building a head (cli/ writes the JSON from the columns).

It is never the truth. Each index names the heads file it was built from:
its identity (inode, mtime, size) and the CRC-32 of its bytes, and both must
match the file as it is now, so a heads file changed behind the index's back
(even in place, with its old size and time) is read again. The index's own
content carries a CRC-32 and its columns' types are checked, so a damaged
index is dropped and rebuilt, never believed; `store check` reports one and
`store repair` deletes it. It is written by whoever lists and finds it stale
(a save writes only its heads file and its dataset file), atomically and
without fsync: it can always be built again.

Only plain heads files are indexed: every live head's counts integers, its
texts valid UTF-8 and its times in UTC exactly as datetime.isoformat writes
them (what the store writes). A file holding anything else is listed the old
way, head by head, so its quirks and errors read as they always did.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import operator
import os
import stat
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dataset_tui.store.records import HEAD_COLUMNS, HeadColumns
from dataset_tui.store.search import column_keys, search_mask

SUFFIX = ".list"
FORMAT = 1

Stamp = tuple[int, int, int]
Columns = list[list[Any]]  # one list per field of HEAD_COLUMNS

_NONE = type(None)
# The exact types each column may hold (bool is not an int here: JSON writes it as true).
_TEXT, _COUNT = frozenset({str}), frozenset({int})
_TYPES: dict[str, frozenset[type]] = {
    **dict.fromkeys(("id", "model", "name", "description", "created_at", "updated_at", "latest_hash"), _TEXT),
    **dict.fromkeys(("revision", "tables", "columns", "versions", "deleted_seq"), _COUNT),
    **dict.fromkeys(("active_version", "last_analysis_rows"), _COUNT | {_NONE}),
    "active_hash": _TEXT | {_NONE},
}
_KINDS = [_TYPES[name] for name in HEAD_COLUMNS]
_TEXTS = [i for i, name in enumerate(HEAD_COLUMNS) if str in _TYPES[name]]
_TIMES = (HEAD_COLUMNS.index("created_at"), HEAD_COLUMNS.index("updated_at"))


def index_path(heads_file: Path) -> Path:
    return heads_file.with_suffix(SUFFIX)


def _utc_text(text: str) -> bool:
    """Whether a time reads back as written, in UTC: then ISO text compares (and prints) as the time does."""
    try:
        return text.endswith("+00:00") and dt.datetime.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def columns_of(docs: Sequence[dict[str, Any]]) -> Columns | None:
    """The live heads among a heads file's documents, column by column; None when one is not plain."""
    live = [doc for doc in docs if doc["deleted_at"] is None]
    try:
        columns = [
            [int(doc.get("deleted_seq") or 0) for doc in live] if name == "deleted_seq" else [doc[name] for doc in live]
            for name in HEAD_COLUMNS
        ]
    except (TypeError, ValueError, KeyError):
        return None
    if not _plain(columns):
        return None
    times = itertools.chain.from_iterable(columns[i] for i in _TIMES)
    return columns if all(map(_utc_text, times)) else None


def _plain(columns: Columns) -> bool:
    """Each column holds its own types only, every text encodes as UTF-8 (no lone surrogate), one length."""
    if len(columns) != len(HEAD_COLUMNS) or len({len(column) for column in columns}) > 1:
        return False
    if not all(kinds.issuperset(map(type, column)) for kinds, column in zip(_KINDS, columns, strict=True)):
        return False
    texts = itertools.chain.from_iterable(columns[i] for i in _TEXTS)
    try:
        "\x00".join(filter(None, texts)).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_regular(path: Path) -> tuple[os.stat_result, bytes] | None:
    """A regular file's status and bytes; None when it is missing, unreadable or something else.

    O_NONBLOCK: a FIFO put in place of a store file must not hang the open (as storage.py reads).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return st, handle.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def load(path: Path, stamp: Stamp, heads_crc: int) -> Columns | None:
    """The index's columns when it was built from the heads file as it is now (stamp and CRC); else None."""
    found = read_regular(path)
    if found is None:
        return None
    raw = found[1]
    header = _header(raw)
    if header is None or header["stamp"] != list(stamp) or header["heads_crc"] != heads_crc:
        return None
    return _body(raw, header)


def damage(path: Path) -> str | None:
    """What is wrong with an index file that cannot be believed whatever its heads file holds (None: nothing)."""
    if not os.path.lexists(path):
        return None
    found = read_regular(path)
    if found is None:
        return "it cannot be read as a file"
    raw = found[1]
    header = _header(raw)
    if header is None:
        return "its header is not a listing index of this version"
    if _body(raw, header) is None:
        return "its columns do not match their checksum or types"
    return None


def _header(raw: bytes) -> dict[str, Any] | None:
    line, _, _ = raw.partition(b"\n")
    try:
        header = json.loads(line)
        ok = (
            header["format"] == FORMAT
            and {type(v) for v in header["stamp"]} == {int}
            and len(header["stamp"]) == 3
            and type(header["heads_crc"]) is int
            and type(header["body_crc"]) is int
        )
    except (ValueError, TypeError, KeyError):
        return None
    return header if ok else None


def _body(raw: bytes, header: dict[str, Any]) -> Columns | None:
    body = raw[raw.index(b"\n") + 1 :]
    if zlib.crc32(body) != header["body_crc"]:
        return None
    try:
        columns = json.loads(body)
    except ValueError:
        return None
    return columns if isinstance(columns, list) and _plain(columns) else None


def save(path: Path, stamp: Stamp, heads_crc: int, columns: Columns) -> None:
    """Replace the index; a failure (read-only store, full disk) leaves the old one or none."""
    body = json.dumps(columns, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = {"format": FORMAT, "stamp": list(stamp), "heads_crc": heads_crc, "body_crc": zlib.crc32(body)}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def joined(parts: Sequence[Columns]) -> HeadColumns:
    """The columns of several heads files end to end (in bucket order, as the heads are indexed)."""
    merged: Columns = [[] for _ in HEAD_COLUMNS]
    for columns in parts:
        for into, column in zip(merged, columns, strict=True):
            into.extend(column)
    return HeadColumns(*merged)


def selected(
    every: HeadColumns,
    model: str,
    *,
    status: str | None,
    search: str | None,
    sort: str,
    offset: int,
    limit: int | None,
) -> HeadColumns | None:
    """The model's rows as `list` returns its heads: filtered, sorted (stably, from the indexed order), paged.

    None when two live datasets of the model share a name (ignoring case),
    which only a hand-edited heads file holds: the head-by-head listing keeps
    one of them, and is left to say which.
    """
    rows = list(itertools.compress(range(len(every)), map(operator.eq, every.models, itertools.repeat(model))))
    names = list(map(every.names.__getitem__, rows))
    if len(set(map(str.lower, names))) != len(names):
        return None
    if status is not None:
        statuses = every.statuses
        rows = list(itertools.compress(rows, (statuses[i] == status for i in rows)))
    if search:
        keys = column_keys(map(every.names.__getitem__, rows), map(every.descriptions.__getitem__, rows))
        rows = list(itertools.compress(rows, search_mask(keys, search)))
    key = sort.lstrip("-")
    folded = list(map(str.casefold, map(every.names.__getitem__, rows)))
    # The keys `list` sorts heads by; the times compare as text (UTC, as isoformat writes them: see _utc_text).
    sort_keys: list[Any]
    if key == "name":
        sort_keys = folded
    elif key in ("updated", "created"):
        sort_keys = list(map((every.updated_at if key == "updated" else every.created_at).__getitem__, rows))
    elif key == "versions":
        sort_keys = list(zip(map(every.versions.__getitem__, rows), folded, strict=True))
    else:
        statuses = every.statuses
        sort_keys = list(zip(map(statuses.__getitem__, rows), folded, strict=True))
    order = sorted(range(len(rows)), key=sort_keys.__getitem__, reverse=sort.startswith("-"))
    end = None if limit is None else offset + limit
    return every.taken(list(map(rows.__getitem__, order[offset:end])))

"""A TinyDB storage that survives crashes and notices other processes.

TinyDB's stock ``JSONStorage`` truncates its file and writes it again in
place: a crash half-way leaves half a file. This storage instead

- writes the whole new content to a temporary file beside the target,
  fsyncs it, renames it over the target (atomic on POSIX) and fsyncs the
  folder, so a reader or a crash sees the old file or the new one, never a
  mix;
- keeps the previous content as ``<file>.bak`` (a hard link to the old
  inode, so it costs no copy), the last good state to go back to;
- never writes over a file it could not parse: reading it raises
  :class:`StoreCorruptError`, and TinyDB always reads before it writes;
- caches what it parsed, keyed by the file's inode, mtime and size, so
  repeated reads cost a `stat` and a change by another process (which always
  replaces the inode) is seen at once.

The caller holds the store lock (``lock.py``) around each read-modify-write;
that is also what makes the fixed temporary file name safe.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from dataset_tui.store.errors import StoreCorruptError, StoreError, StoreUnwritableError

# Checks a parsed file's shape; returns what is wrong, or None.
Validator = Callable[[dict[str, Any]], "str | None"]


_DICT = frozenset({dict})


def tables_shape(data: dict[str, Any]) -> str | None:
    """Every TinyDB file: an object of tables, each an object of documents."""
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not an object"
        # The usual case checked in C (20,000 heads are read on every listing);
        # the loop below finds and names the first bad document otherwise.
        if all(map(str.isdigit, table)) and _DICT.issuperset(map(type, table.values())):
            continue
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                return f"table {name!r} has a malformed document {doc_id!r}"
    return None


def write_synced(fd: int, data: bytes) -> None:
    """Write every byte of `data` to `fd` (os.write may take fewer than asked), then fsync it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (the new name is in the folder's data)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderSync:
    """Makes renames durable: at once, or once per folder at the end of a batch.

    A save replaces two files in two folders; fsyncing each folder right
    after its rename costs a journal commit each, while syncing both after
    the last rename costs one. The batch ends before the save returns, so a
    returned save is on disk either way.
    """

    def __init__(self) -> None:
        self._pending: list[Path] | None = None

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        if self._pending is not None:  # nested: the outer batch syncs
            yield
            return
        self._pending = []
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            for folder in dict.fromkeys(pending):
                fsync_folder(folder)

    def replaced_in(self, folder: Path) -> None:
        if self._pending is None:
            fsync_folder(folder)
        else:
            self._pending.append(folder)


def atomic_write_bytes(
    path: Path, content: bytes, *, backup: bool = False, folder_sync: FolderSync | None = None
) -> None:
    """Replace `path` with `content` so that a crash leaves the old or the new file.

    With `backup`, the old content stays reachable as `<path>.bak`.
    Raises OSError; callers word it for the user.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            write_synced(fd, content)
        finally:
            os.close(fd)
        if backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if folder_sync is None:
        fsync_folder(path.parent)
    else:
        folder_sync.replaced_in(path.parent)


def _keep_backup(path: Path) -> None:
    bak = backup_path(path)
    bak_tmp = bak.with_name(bak.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(bak_tmp)
    try:
        # The old inode lives on under the backup name after the rename
        # below; linking is cheaper than copying and just as safe.
        os.link(path, bak_tmp)
    except OSError:
        shutil.copyfile(path, bak_tmp)
    os.replace(bak_tmp, bak)


def move_aside(path: Path) -> Path:
    """Rename a damaged file (or a folder in a file's place) to `<name>.damaged[N]`, kept for inspection."""
    target = path.with_name(path.name + ".damaged")
    n = 1
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.name}.damaged{n}")
    os.rename(path, target)
    return target


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


class SafeJSONStorage(Storage):
    """TinyDB storage: atomic replace, one backup, stat-validated cache."""

    def __init__(
        self,
        path: Path,
        *,
        validate: Validator | None = None,
        backup: bool = True,
        folder_sync: FolderSync | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._validate = validate
        self._backup = backup
        self._folder_sync = folder_sync
        self._data: dict[str, Any] | None = None
        self._key: tuple[int, int, int] | None = None

    # -- reading ----------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        # A stat is enough while the file is the one we parsed (every writer
        # replaces the inode); only a changed file is opened and parsed.
        try:
            st = os.stat(self.path)
            if (st.st_ino, st.st_mtime_ns, st.st_size) == self._key:
                return self._data
        except FileNotFoundError:
            self._data, self._key = None, None
            return None
        except OSError:
            pass  # reported by the open below
        try:
            # O_NONBLOCK: a FIFO put in place of a store file must not hang the open.
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
        except FileNotFoundError:
            self._data, self._key = None, None
            return None
        except OSError as exc:
            raise StoreError(f"cannot read store file {self.path}: {exc.strerror}; check its permissions") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                # A folder (or device) where a store file belongs: reading it would raise.
                kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
                raise StoreCorruptError(self.path, f"it is {kind}, not a file", None)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            if key == self._key:
                return self._data
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read()
        except OSError as exc:
            raise StoreError(f"cannot read store file {self.path}: {exc.strerror or exc}") from None
        finally:
            os.close(fd)
        problem, data = self._parse(raw)
        if problem is not None:
            raise StoreCorruptError(self.path, problem, self.usable_backup())
        self._data, self._key = data, key
        return data

    @property
    def generation(self) -> tuple[int, int, int] | None:
        """Identifies the content last read or written (None: no file)."""
        return self._key

    def _parse(self, raw: bytes) -> tuple[str | None, dict[str, Any]]:
        if not raw.strip():
            return "it is empty (a write was cut short, or it was truncated)", {}
        try:
            data = json.loads(raw)
        except UnicodeDecodeError:
            return "it is not UTF-8 text", {}
        except json.JSONDecodeError as exc:
            return f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", {}
        if not isinstance(data, dict):
            return "it does not hold a JSON object", {}
        problem = self._validate(data) if self._validate else None
        if problem is not None:
            return f"it does not hold what this store file should ({problem})", {}
        return None, data

    def usable_backup(self) -> Path | None:
        """The backup file, if it holds something this storage can read."""
        bak = backup_path(self.path)
        try:
            raw = bak.read_bytes()
        except OSError:
            return None
        problem, _ = self._parse(raw)
        return bak if problem is None else None

    # -- writing ----------------------------------------------------------

    def write(self, data: dict[str, Any]) -> None:
        try:
            content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(self.path, content, backup=self._backup, folder_sync=self._folder_sync)
            st = os.stat(self.path)
        except UnicodeEncodeError as exc:
            self._data, self._key = None, None
            raise StoreError(
                f"cannot write store file {self.path}: the text holds U+{ord(exc.object[exc.start]):04X}, "
                "a lone surrogate that is not valid text; remove it. Nothing was changed."
            ) from None
        except IsADirectoryError as exc:
            self._data, self._key = None, None
            blocker = exc.filename or self.path
            raise StoreUnwritableError(
                f"cannot write store file {self.path}: {blocker} is a folder. Nothing was changed; "
                "move that folder away (`dataset-tui store check` reports what else is wrong)",
                path=self.path,
                reason=f"{blocker} is a folder",
            ) from None
        except OSError as exc:
            # TinyDB changed the cached dict in place before calling us:
            # forget it, so the next read comes from the file again.
            self._data, self._key = None, None
            raise StoreUnwritableError(
                f"cannot write store file {self.path}: {exc.strerror or exc}. Nothing was changed; "
                "make the store folder writable (or choose another with --db DIR / DATASET_TUI_DB)",
                path=self.path,
                reason=str(exc.strerror or exc),
            ) from None
        except BaseException:
            self._data, self._key = None, None
            raise
        self._data, self._key = data, (st.st_ino, st.st_mtime_ns, st.st_size)

    def forget(self) -> None:
        """Drop the cache (after a failed transaction)."""
        self._data, self._key = None, None

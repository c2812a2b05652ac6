"""The store's frame: its files, opening, and one transaction per call.

Every public method of `Store` is one transaction under the store lock:
writes hold it exclusively from their first read to their last write, reads
hold it shared. The parts of `Store` (heads.py, versions.py, lifecycle.py,
caches.py, exports_log.py, consistency.py) build on this class.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from tinydb.table import Table

from dataset_tui.domain import clock
from dataset_tui.store import layout
from dataset_tui.store.errors import StoreError, StoreFormatError, StoreUnwritableError
from dataset_tui.store.heads_index import HeadIndex
from dataset_tui.store.lock import DEFAULT_TIMEOUT_S, StoreLock
from dataset_tui.store.migrations import migrate
from dataset_tui.store.storage import FolderSync, SafeJSONStorage

# Notices kept until a caller takes them (AppContext.take_notices).
NOTICES_KEPT = 20
# Dataset files whose parsed content stays in memory.
DATASET_CACHE = 256


def current_author() -> str:
    """The login name recorded with each version."""
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no passwd entry, no USER variable (containers)
        return "unknown"


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def now_iso() -> str:
    return clock.now().isoformat()


class StoreBase:
    """Files, lock and transactions of one opened store folder."""

    def __init__(self, folder: Path, lock: StoreLock) -> None:
        self.folder = folder
        self._lock = lock
        self._sync = FolderSync()
        self._meta = SafeJSONStorage(folder / layout.META_FILE, validate=layout.check_meta_file)
        self._head_storages = [
            SafeJSONStorage(layout.heads_path(folder, b), validate=layout.check_heads_file, folder_sync=self._sync)
            for b in range(layout.HEAD_BUCKETS)
        ]
        self._stats = SafeJSONStorage(
            folder / layout.STATS_FILE, validate=layout.check_stats_file, folder_sync=self._sync
        )
        self._datasets: OrderedDict[str, SafeJSONStorage] = OrderedDict()
        self._index = HeadIndex()
        # Records skipped because the store could not be written (caches, the
        # export log): the work was done and shown; the caller tells the user.
        self.notices: list[str] = []

    # -- opening ----------------------------------------------------------

    @classmethod
    def open(cls, folder: Path | str, *, lock_timeout_s: float = DEFAULT_TIMEOUT_S) -> Self:
        """Open (creating if needed) the store in `folder`."""
        folder = Path(folder).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnwritableError(
                f"cannot create the store folder {folder}: {exc.strerror or exc}; "
                "choose another folder with --db DIR or DATASET_TUI_DB"
            ) from None
        _refuse_foreign_folder(folder)
        _refuse_special_files(folder)
        store = cls(folder, StoreLock(folder, timeout_s=lock_timeout_s))
        try:
            store._open_meta()
        except BaseException:
            store.close()
            raise
        return store

    @property
    def read_only(self) -> bool:
        return not self._lock.writable

    def _open_meta(self) -> None:
        path = self._meta.path
        guard = self._lock.exclusive() if self._lock.writable else self._lock.shared()
        with guard:
            data = self._meta.read()
            if data is None:
                if self._lock.writable:
                    self._write_meta(layout.STORE_VERSION)
                return
            meta = data["store"]
            version = meta["version"]
            if version > layout.STORE_VERSION:
                raise StoreFormatError(
                    f"{path} says this store has format version {version}, newer than this dataset-tui "
                    f"reads (version {layout.STORE_VERSION}); upgrade dataset-tui to use it "
                    "(nothing in the store was changed)"
                )
            if meta.get("head_buckets", layout.HEAD_BUCKETS) != layout.HEAD_BUCKETS:
                raise StoreFormatError(
                    f"{path} spreads heads over {meta.get('head_buckets')} files, this dataset-tui expects "
                    f"{layout.HEAD_BUCKETS}; use the dataset-tui release that wrote it (nothing was changed)"
                )
            if version < layout.STORE_VERSION:
                if not self._lock.writable:
                    raise StoreUnwritableError(
                        f"the store in {self.folder} needs upgrading to format version {layout.STORE_VERSION} "
                        "but its folder is not writable; open it once with write access"
                    )
                migrate(self.folder, version, layout.STORE_VERSION)
                self._write_meta(layout.STORE_VERSION)

    def _write_meta(self, version: int) -> None:
        self._meta.write(
            {
                "store": {
                    "format": layout.STORE_FORMAT,
                    "version": version,
                    "head_buckets": layout.HEAD_BUCKETS,
                    "created_at": now_iso(),
                }
            }
        )

    def close(self) -> None:
        self._lock.close()

    # -- transactions -----------------------------------------------------

    def unwritable_reason(self) -> str | None:
        """Why nothing can be saved in this store (None: it is writable)."""
        if self._lock.writable:
            return None
        return (
            f"the store folder {self.folder} is not writable, so nothing can be saved; "
            "make it writable, or choose another with --db DIR / DATASET_TUI_DB"
        )

    @contextmanager
    def _keeping(self, what: str) -> Iterator[bool]:
        """A write of something only the store keeps (a cache, the export log): never fails the work.

        Yields False (and does nothing) when the store is read-only; a write
        that fails for want of space or permission is dropped the same way.
        Either way a notice says what was not kept and why.
        """
        reason = self.unwritable_reason()
        if reason is not None:
            self._notice(f"{what} could not be kept: {reason}")
            yield False
            return
        try:
            with self._writing():
                yield True
        except StoreUnwritableError as exc:
            self._notice(f"{what} could not be kept: {exc}")

    def _notice(self, text: str) -> None:
        # A long app session nobody drains must not grow without bound.
        if text not in self.notices:
            self.notices.append(text)
            del self.notices[:-NOTICES_KEPT]

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock.shared():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        reason = self.unwritable_reason()
        if reason is not None:
            raise StoreUnwritableError(reason)
        with self._lock.exclusive(), self._sync.batch():
            try:
                yield
            except StoreError:
                # Refusals (conflict, name taken, ...) come before any change;
                # a failed write has already dropped its file's cache.
                raise
            except BaseException:
                # TinyDB edits cached documents in place before writing: after
                # an unexpected failure, read everything from the files again.
                self._forget_all()
                raise

    def _forget_all(self) -> None:
        for storage in self._head_storages:
            storage.forget()
        self._index = HeadIndex()
        self._datasets.clear()
        self._stats.forget()

    # -- dataset files ----------------------------------------------------

    def _dataset_storage(self, dataset_id: str) -> SafeJSONStorage:
        storage = self._datasets.get(dataset_id)
        if storage is None:
            storage = SafeJSONStorage(
                layout.dataset_path(self.folder, dataset_id), validate=layout.check_dataset_file, folder_sync=self._sync
            )
            self._datasets[dataset_id] = storage
            if len(self._datasets) > DATASET_CACHE:
                self._datasets.popitem(last=False)
        else:
            self._datasets.move_to_end(dataset_id)
        return storage

    def _table(self, dataset_id: str, name: str) -> Table:
        return Table(self._dataset_storage(dataset_id), name, cache_size=0)

    def _dataset_ids_on_disk(self) -> set[str]:
        """Ids of every dataset file in datasets/ (backups and temporary files left out)."""
        try:
            names = os.listdir(self.folder / layout.DATASETS_DIR)
        except FileNotFoundError:
            return set()
        except OSError as exc:
            raise StoreError(
                f"cannot list the store folder {self.folder / layout.DATASETS_DIR}: {exc.strerror or exc}; "
                "check its permissions"
            ) from None
        return {n[: -len(".json")] for n in names if n.endswith(".json") and layout.ID_RE.fullmatch(n[:-5])}


def _refuse_foreign_folder(folder: Path) -> None:
    """Do not scatter store files into a folder that holds something else."""
    if (folder / layout.META_FILE).exists() or (folder / layout.HEADS_DIR).is_dir():
        return
    ours = (".lock", layout.META_FILE, layout.HEADS_DIR, layout.DATASETS_DIR, layout.STATS_FILE)
    try:
        # A first open killed half-way leaves meta.json.tmp and the like.
        others = [p.name for p in folder.iterdir() if not p.name.startswith(ours)]
    except OSError:
        return
    if others:
        raise StoreError(
            f"{folder} is not a dataset-tui store and is not empty (it holds {', '.join(sorted(others)[:3])}"
            f"{', ...' if len(others) > 3 else ''}); choose an empty or new folder with --db DIR or DATASET_TUI_DB"
        )


def _refuse_special_files(folder: Path) -> None:
    """The lock and meta files must be files, the two sub-folders folders: say which is not."""
    expected = {".lock": False, layout.META_FILE: False, layout.HEADS_DIR: True, layout.DATASETS_DIR: True}
    for name, is_dir in expected.items():
        path = folder / name
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror or exc}; check its permissions") from None
        if is_dir and not stat.S_ISDIR(mode):
            raise StoreError(
                f"{path} should be a folder of the store but is a file; move it away "
                "(`dataset-tui store check` reports what else is wrong)"
            )
        if not is_dir and not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise StoreError(
                f"{path} should be a file of the store but is {kind}; remove it "
                f"({'rmdir' if stat.S_ISDIR(mode) else 'rm'} '{path}') and run the command again"
            )

"""One lock for the whole store, between processes and between threads.

Writers take it exclusively across every read-modify-write, so two processes
never overwrite each other's changes; readers take it shared, so a read that
spans several files (a head and its versions) sees one consistent state.

`fcntl.flock` locks belong to an open file description, so threads of one
process sharing the descriptor would not exclude each other: a re-entrant
thread lock sits in front of it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dataset_tui.store.errors import StoreLockedError

LOCK_FILE = ".lock"
# A save holds the lock for milliseconds; a minute means a process is stuck.
DEFAULT_TIMEOUT_S = 60.0


class StoreLock:
    def __init__(self, folder: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = folder / LOCK_FILE
        self.timeout_s = timeout_s
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._mode = 0
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self.writable = True
        except OSError:
            # A read-only store folder: reading still works, writes are refused
            # before they start (see Store._check_writable).
            self.writable = False
            try:
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                self._fd = -1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._held(fcntl.LOCK_SH):
            yield

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._held(fcntl.LOCK_EX):
            yield

    @contextlib.contextmanager
    def _held(self, mode: int) -> Iterator[None]:
        with self._thread_lock:
            if self._depth:
                # Nested use keeps the outer lock; upgrading shared to
                # exclusive would drop the lock for a moment, so forbid it.
                if mode == fcntl.LOCK_EX and self._mode == fcntl.LOCK_SH:
                    raise RuntimeError("store lock: cannot write inside a read")
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._acquire(mode)
            self._depth, self._mode = 1, mode
            try:
                yield
            finally:
                self._depth, self._mode = 0, 0
                if self._fd >= 0:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _acquire(self, mode: int) -> None:
        if self._fd < 0:
            return
        deadline = time.monotonic() + self.timeout_s
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self._fd, mode | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
            if time.monotonic() >= deadline:
                raise StoreLockedError(
                    f"the store lock {self.path} has been held by another process for more than "
                    f"{self.timeout_s:.0f} s; wait for the other dataset-tui command to finish "
                    "(or stop it if it is stuck) and try again"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.02)

"""The one way the tool writes a file the user named (exports, definition files, TFX, materializations).

Rules (issue: "no write outside what was asked"):

- Only regular files are written. A device, FIFO, socket or directory at the
  path is refused: writing "over" `/dev/sda` or a FIFO someone reads from is
  never what the user asked for.
- A symlink at the final component is not followed. The new file replaces the
  link itself (rename replaces the directory entry), so `out.sql -> /etc/passwd`
  cannot make us write into `/etc/passwd`. An existing link counts as an
  existing file, so replacing it needs `overwrite=True` like any other.
- An existing file is replaced only with `overwrite=True`; the faces decide
  (the CLI asks on a terminal or needs `--yes`, the TUI shows a modal).
- The content goes to a temp file in the same folder, is fsynced, and is
  renamed over the target: a crash leaves the old file or the new one, never
  half of either; a failure removes the temp file.

Errors are typed (subclasses of ServiceError) and worded for the user.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from dataset_tui.services.errors import ServiceError
from dataset_tui.store.storage import write_synced


class UnsafeTarget(ServiceError):
    """The path is not something the tool may write a file at."""


class TargetExists(UnsafeTarget):
    """A file is already there and the caller did not allow replacing it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; pass --yes to replace it (or choose another path)")
        self.path = path


class WriteFailed(ServiceError):
    """The operating system refused the write (full disk, read-only folder...); nothing was replaced."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or str(exc)


def check_target(path: Path | str, *, overwrite: bool) -> None:
    """Refuse a path that is not a (possibly missing) regular file or link, or exists without `overwrite`."""
    target = Path(path)
    if str(path) in ("", ".") or target.name in ("", ".", ".."):
        raise UnsafeTarget(f"{str(path)!r} names a folder, not a file; give a file name")
    try:
        info = os.lstat(target)  # lstat: a symlink is judged as itself, never followed
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UnsafeTarget(f"cannot write {target}: {_os_reason(exc)}") from None
    if info is not None:
        for test, kind in _KINDS:
            if test(info.st_mode):
                raise UnsafeTarget(f"{target} is {kind}; the tool only writes regular files, give a file path")
        if not overwrite:
            raise TargetExists(target)
    parent = target.parent
    try:
        parent_info = os.stat(parent)
    except FileNotFoundError:
        raise UnsafeTarget(
            f"cannot write {target}: the folder {parent} does not exist; create it first or choose another path"
        ) from None
    except OSError as exc:
        raise UnsafeTarget(f"cannot write into {parent}: {_os_reason(exc)}") from None
    if not stat.S_ISDIR(parent_info.st_mode):
        raise UnsafeTarget(f"{parent} is not a folder")


def place_file(tmp: Path, path: Path, *, overwrite: bool) -> None:
    """Rename `tmp` (a finished temp file in the same folder) over `path`, checking `path` first.

    `tmp` is removed when the target is refused or the rename fails.
    """
    try:
        check_target(path, overwrite=overwrite)
        if Path(tmp).resolve().parent != Path(path).parent.resolve():
            raise UnsafeTarget(f"internal: {tmp} is not in the folder of {path}")
        if not overwrite:
            # Between the check and the rename a file may appear; link() fails
            # if it did (rename would silently replace it).
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise TargetExists(Path(path)) from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                os.replace(tmp, path)  # a file system without hard links
            else:
                os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        raise WriteFailed(f"cannot write {path}: {_os_reason(exc)}; nothing was replaced") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_folder(Path(path).parent)


def temp_beside(path: Path) -> Path:
    """A new, empty temp file in `path`'s folder (hidden, removed by place_file or on failure).

    Its name carries our PID, so the temp files of a writer that was killed
    before it could remove them are recognised and removed here, next time.
    """
    folder = Path(path).parent
    _remove_dead_temps(Path(path))
    try:
        fd, name = tempfile.mkstemp(prefix=f".{Path(path).name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteFailed(f"cannot write into {folder}: {_os_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def _remove_dead_temps(path: Path) -> None:
    """Remove `.NAME.<pid>.*.tmp` beside `path` whose process is gone (a killed export)."""
    import glob

    prefix = f".{path.name}."
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid_text = leftover.name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _process_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                if leftover.is_file() and not leftover.is_symlink():
                    leftover.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def write_bytes(path: Path | str, data: bytes, *, overwrite: bool) -> None:
    """Write `data` to `path` atomically under the rules above."""
    target = Path(path)
    check_target(target, overwrite=overwrite)
    tmp = temp_beside(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
        try:
            write_synced(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteFailed(f"cannot write {target}: {_os_reason(exc)}; nothing was replaced") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    place_file(tmp, target, overwrite=overwrite)


def write_text(path: Path | str, text: str, *, overwrite: bool) -> None:
    """Write `text` as UTF-8 (a lone surrogate is an error, not a crash)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WriteFailed(
            f"cannot write {path}: the text holds a character UTF-8 cannot store ({exc.reason})"
        ) from None
    write_bytes(path, data, overwrite=overwrite)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: some file systems refuse fsync on a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

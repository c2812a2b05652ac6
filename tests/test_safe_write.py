"""services/safe_write.py: the one way the tool writes a file the user named."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dataset_tui.services import safe_write
from dataset_tui.services.errors import ServiceError


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file_and_refuses_to_replace_it_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "out.sql"
    safe_write.write_text(target, "SELECT 1\n", overwrite=False)
    assert target.read_text() == "SELECT 1\n"
    with pytest.raises(safe_write.TargetExists, match="already exists"):
        safe_write.write_text(target, "SELECT 2\n", overwrite=False)
    assert target.read_text() == "SELECT 1\n"
    safe_write.write_text(target, "SELECT 2\n", overwrite=True)
    assert target.read_text() == "SELECT 2\n"
    assert _leftovers(tmp_path) == []


def test_refuses_a_directory_a_fifo_and_a_socket_even_with_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        for path, kind in ((folder, "directory"), (fifo, "FIFO"), (sock_path, "socket")):
            with pytest.raises(safe_write.UnsafeTarget, match=kind):
                safe_write.write_bytes(path, b"x", overwrite=True)
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir() and list(folder.iterdir()) == []
    finally:
        server.close()
    assert _leftovers(tmp_path) == []


def test_refuses_a_device_node(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("mknod needs root")
    with pytest.raises(safe_write.UnsafeTarget, match="character device"):
        safe_write.write_text(device, "x", overwrite=True)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_symlink_is_replaced_as_a_link_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.sql"
    link.symlink_to(victim)
    with pytest.raises(safe_write.TargetExists):
        safe_write.write_text(link, "new", overwrite=False)
    safe_write.write_text(link, "new", overwrite=True)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "new"
    # A link to a device: the device is never opened.
    dev_link = tmp_path / "dev.sql"
    dev_link.symlink_to("/dev/null")
    safe_write.write_text(dev_link, "data", overwrite=True)
    assert dev_link.read_text() == "data" and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_missing_folder_and_root_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(safe_write.UnsafeTarget, match="does not exist"):
        safe_write.write_text(tmp_path / "nope" / "a.sql", "x", overwrite=False)
    with pytest.raises(safe_write.UnsafeTarget):
        safe_write.write_text("/", "x", overwrite=True)
    assert issubclass(safe_write.UnsafeTarget, ServiceError) and issubclass(safe_write.WriteFailed, ServiceError)


def test_disk_full_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.sql"
    target.write_text("old")

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_write.os, "write", full)
    with pytest.raises(safe_write.WriteFailed, match="no space left"):
        safe_write.write_text(target, "new", overwrite=True)
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        # root ignores permission bits: inject what the kernel answers a user.
        def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
            raise OSError(errno.EROFS, "Read-only file system")

        monkeypatch.setattr(safe_write.tempfile, "mkstemp", refuse)
    else:
        folder.chmod(0o555)
    try:
        with pytest.raises(safe_write.WriteFailed, match=r"read-only|permission"):
            safe_write.write_text(folder / "a.sql", "x", overwrite=False)
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_place_file_refuses_a_file_that_appeared_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "a.sql"
    tmp = safe_write.temp_beside(target)
    tmp.write_text("mine")
    target.write_text("theirs")  # created by someone between our check and the rename
    with pytest.raises(safe_write.TargetExists):
        safe_write.place_file(tmp, target, overwrite=False)
    assert target.read_text() == "theirs" and not tmp.exists()


def test_lone_surrogates_are_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(safe_write.WriteFailed, match="UTF-8"):
        safe_write.write_text(tmp_path / "a.txt", "bad \udc80", overwrite=False)
    assert list(tmp_path.iterdir()) == []


    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = tmp_path / "x_v1_full.sql"
    left = tmp_path / f".x_v1_full.sql.{dead.pid}.abc123.tmp"
    left.write_text("half")
    alive = tmp_path / f".x_v1_full.sql.{os.getppid()}.def456.tmp"
    alive.write_text("someone writing")
    safe_write.write_text(target, "SELECT 1\n", overwrite=False)
    assert target.read_text() == "SELECT 1\n"
    assert not left.exists() and alive.exists()

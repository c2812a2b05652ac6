"""Fault injection: kills during import / demo / export, a full disk, read-only file systems,
special files at output paths, and concurrent `warehouse demo --force`.

Each parametrized case is one fault tried; a passing case is one held (nothing the user had
was lost or half-written, the tool still works, no traceback). Disk-full and read-only cases
use a real small tmpfs when this machine lets us mount one (root in a container), else skip.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dataset_tui.cli import main

SRC = Path(__file__).resolve().parent.parent / "src"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "purchases_6m.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def spawn(*args: str) -> subprocess.Popen[str]:
    code = f"import sys; from dataset_tui.cli import main; sys.exit(main({list(args)!r}))"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill_after(proc: subprocess.Popen[str], seconds: float) -> str:
    """SIGKILL after `seconds` (unless it finished); its stderr."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    return err


def user_tables(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name = 'raw_data'"
        ).fetchall()
        return {t: con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in names}
    finally:
        con.close()


def _tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at `folder` with mount `options` while the test runs (skip where mounting is refused)."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: a real full disk."""
    yield from _tmpfs(tmp_path / "tiny", "size=3m")


@pytest.fixture
def read_only_fs(tmp_path: Path) -> Iterator[Path]:
    yield from _tmpfs(tmp_path / "ro", "ro,size=1m")


@pytest.fixture
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "events.csv"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT range AS id, 'user' || (range % 997) AS who, range * 0.5 AS v FROM range(600000)) "
        f"TO '{path}' (HEADER)"
    )
    con.close()
    return path


# -- kills ---------------------------------------------------------------------------------


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 1.8, 2.5, 4.0], ids=lambda d: f"kill@{d}s")
def test_kill_during_import(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path, big_csv: Path, delay: float
) -> None:
    before = user_tables(demo_copy)
    proc = spawn("--db", str(isolated_env / "store"), "--warehouse", str(demo_copy),
                 "warehouse", "import", str(big_csv), "--table", "events")
    kill_after(proc, delay)
    after = user_tables(demo_copy)  # the file opens
    assert after in (before, {**before, "events": 600000})  # the table is whole or absent
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "--warehouse", str(demo_copy),
                           "warehouse", "import", str(big_csv), "--table", "events", "--replace")
    assert code == 0, err
    assert user_tables(demo_copy) == {**before, "events": 600000}
    assert [p.name for p in demo_copy.parent.iterdir() if ".importing" in p.name] == []


@pytest.mark.parametrize("delay", [0.2, 1.0, 2.0, 3.5], ids=lambda d: f"kill@{d}s")
def test_kill_during_demo_rebuild(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path, delay: float
) -> None:
    before = digest(demo_copy)
    proc = spawn("--db", str(isolated_env / "store"), "--warehouse", str(demo_copy),
                 "warehouse", "demo", "--force", "--rows", "2000000", "--seed", "7")
    kill_after(proc, delay)
    if digest(demo_copy) != before:  # finished before the kill: the new demo, whole
        assert user_tables(demo_copy)["transactions"] == 2_000_000
    else:
        assert user_tables(demo_copy)["transactions"] > 0
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "--warehouse", str(demo_copy),
                           "warehouse", "demo", "--force", "--rows", "500")
    assert code == 0, err
    assert [p.name for p in demo_copy.parent.iterdir() if p.name.startswith(".")] == []


@pytest.fixture
def saved_dataset(capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path) -> str:
    # Imported with a warehouse at hand, so the columns carry their types (the TFX export needs them).
    store = ("--db", str(isolated_env / "store"), "--warehouse", str(demo_copy))
    code, _, err = run_cli(capsys, *store, "definition", "import", str(EXAMPLE))
    assert code == 0, err
    return str(json.loads(EXAMPLE.read_text())["name"])


@pytest.mark.parametrize("seed", range(6), ids=lambda s: f"kill#{s}")
def test_kill_during_export(isolated_env: Path, tmp_path: Path, saved_dataset: str, seed: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [
        "--db", str(isolated_env / "store"), "export", saved_dataset, "-o", str(out), "--split", "all", "--tfx", "--yes"
    ]
    first = spawn(*args)
    assert first.wait(timeout=60) == 0
    complete = {p.name: p.read_text() for p in out.iterdir()}
    for path in out.iterdir():
        path.write_text("OLD " + path.name)
    proc = spawn(*args)
    kill_after(proc, random.Random(seed).uniform(0.2, 1.2))
    for path in out.iterdir():
        if path.name.startswith("."):
            continue  # a killed writer's temp file: never the user's file
        assert path.read_text() in ("OLD " + path.name, complete[path.name])  # old or new, never half
    # The next export removes what the killed one left behind, and writes everything.
    assert spawn(*args).wait(timeout=60) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(complete)
    assert {p.name: p.read_text() for p in out.iterdir()} == complete


# -- a full disk, read-only, special files --------------------------------------------------------


def test_disk_full_during_export(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, saved_dataset: str, tiny_fs: Path
) -> None:
    filler = tiny_fs / "filler"
    # Fill the small file system to the brim: the write stops with ENOSPC part-way, as meant.
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        handle.write(b"x" * (3 * 1024 * 1024))
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "export", saved_dataset,
                           "-o", str(tiny_fs), "--split", "all")
    assert code == 1 and "no space left" in err
    assert [p.name for p in tiny_fs.iterdir()] == ["filler"]


def test_disk_full_during_import(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, big_csv: Path, tiny_fs: Path, demo_file: Path
) -> None:
    warehouse = tiny_fs / "w.duckdb"
    small = tiny_fs.parent / "small.csv"
    small.write_text("a,b\n1,2\n")
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "--warehouse", str(warehouse),
                           "warehouse", "import", str(small), "--table", "small")
    assert code == 0, err
    before = digest(warehouse)
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "--warehouse", str(warehouse),
                           "warehouse", "import", str(big_csv), "--table", "events")
    assert code == 1 and "error:" in err
    assert digest(warehouse) == before
    assert user_tables(warehouse) == {"small": 1}
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["w.duckdb"]


def test_disk_full_during_demo(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_file: Path, tiny_fs: Path
) -> None:
    code, _, err = run_cli(capsys, "--db", str(isolated_env / "store"), "--warehouse", str(tiny_fs / "w.duckdb"),
                           "warehouse", "demo", "--rows", "2000000")
    assert code == 1 and "error:" in err
    assert list(tiny_fs.iterdir()) == []


def test_read_only_file_system(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, saved_dataset: str, read_only_fs: Path
) -> None:
    store = ["--db", str(isolated_env / "store")]
    code, _, err = run_cli(capsys, *store, "export", saved_dataset, "-o", str(read_only_fs), "--split", "full")
    assert code == 1 and "read-only" in err
    code, _, err = run_cli(capsys, *store, "definition", "export", saved_dataset, "-o", str(read_only_fs / "d.json"))
    assert code == 1 and "read-only" in err
    small = read_only_fs.parent / "small.csv"
    small.write_text("a,b\n1,2\n")
    code, _, err = run_cli(capsys, *store, "--warehouse", str(read_only_fs / "w.duckdb"),
                           "warehouse", "import", str(small), "--table", "t")
    assert code == 1 and "error:" in err


@pytest.mark.parametrize("kind", ["fifo", "device-link", "mknod-device", "directory", "symlink-to-file", "socket"])
def test_special_files_at_output_paths(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, saved_dataset: str, tmp_path: Path, kind: str
) -> None:
    import socket

    out = tmp_path / "out"
    out.mkdir()
    target = out / f"{saved_dataset}_v1_full.sql"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    holder = None
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device-link":
        target.symlink_to("/dev/null")
    elif kind == "mknod-device":
        try:
            os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("mknod needs root")
    elif kind == "directory":
        target.mkdir()
    elif kind == "symlink-to-file":
        target.symlink_to(victim)
    else:
        holder = socket.socket(socket.AF_UNIX)
        holder.bind(str(target))
    before = os.lstat(target)
    try:
        store = ["--db", str(isolated_env / "store")]
        code, _, err = run_cli(capsys, *store, "export", saved_dataset, "-o", str(out), "--split", "full")
        assert code == 1  # refused without --yes at least
        code, _, err = run_cli(capsys, *store, "export", saved_dataset, "-o", str(out), "--split", "full", "--yes")
        if kind in ("device-link", "symlink-to-file"):
            # With --yes the link itself is replaced by a regular file; what it pointed at is untouched.
            assert code == 0, err
            assert not target.is_symlink() and target.read_text().strip()
        else:
            assert code == 1 and "only writes regular files" in err
            assert stat.S_IFMT(os.lstat(target).st_mode) == stat.S_IFMT(before.st_mode)
        code, _, err = run_cli(capsys, *store, "definition", "export", saved_dataset, "-o", str(target))
        assert code == 1
    finally:
        if holder is not None:
            holder.close()
    assert victim.read_text() == "precious"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# -- concurrent demo --force ----------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(3), ids=lambda r: f"round{r}")
def test_concurrent_demo_force_never_loses_a_committed_write(isolated_env: Path, demo_copy: Path, round_: int) -> None:
    """A writer holds the warehouse read-write and commits rows in a loop while `demo --force`
    runs again and again: every demo is refused and every committed row is still there."""
    writer_code = (
        "import duckdb, os, time\n"
        f"con = duckdb.connect({str(demo_copy)!r})\n"
        "con.execute('CREATE TABLE raw_data.mine (n INTEGER)')\n"
        "print('ready', flush=True)\n"
        "committed = 0\n"
        f"while not os.path.exists({str(demo_copy.parent / 'stop')!r}):\n"
        "    committed += 1\n"
        "    con.execute('INSERT INTO raw_data.mine VALUES (?)', [committed])\n"
        f"    time.sleep({0.002 * (round_ + 1)})\n"
        "con.close()\n"
        "print(committed, flush=True)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", writer_code], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    demos = []
    for _ in range(2):
        demo = spawn("--db", str(isolated_env / "store"), "--warehouse", str(demo_copy),
                     "warehouse", "demo", "--force", "--rows", "300")
        _, err = demo.communicate(timeout=120)
        demos.append((demo.returncode, err))
    (demo_copy.parent / "stop").touch()
    out, _ = writer.communicate(timeout=60)
    committed = int(out.split()[-1])
    for code, err in demos:
        assert code == 1 and "open in another process" in err and "Traceback" not in err
    assert user_tables(demo_copy)["mine"] == committed > 0

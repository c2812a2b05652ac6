"""The store under SIGKILL and under several processes at once (issue 3, "Show")."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import store_support
from dataset_tui.store import ConflictError, Store

KILLS = 60


def _fork_saver(store_dir: Path, prefix: str) -> tuple[int, int]:
    """A child (forked: no interpreter start-up) saving forever, reporting each save on a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            with os.fdopen(write_end, "w", buffering=1) as out:
                out.write("ready\n")
                store_support.saver_loop(store_dir, prefix, 10**9, out)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, read_end


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def _check_store(store_dir: Path, reported: dict[tuple[str, int], tuple[str, str]]) -> int:
    """The store opens, every reported save is there as reported, every version is whole."""
    with Store.open(store_dir) as store:
        total = 0
        for head in store.list("default"):
            versions = store.versions("default", head.name)
            assert [v.number for v in versions] == list(range(1, len(versions) + 1))
            for v in versions:
                # Whole: the definition parses and still has the hash it was saved with.
                assert v.definition.content_hash() == v.definition_hash
                assert v.definition.description.startswith("crash save ")
            total += len(versions)
        for (name, number), (digest, description) in reported.items():
            version = store.version("default", name, number)
            assert version.definition_hash == digest
            assert version.definition.description == description
        return total


def test_sigkill_at_random_moments_loses_no_reported_save(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    rng = random.Random(20240601)
    reported: dict[tuple[str, int], tuple[str, str]] = {}
    awaited = mid_write = 0
    for _ in range(KILLS):
        pid, fd = _fork_saver(store_dir, "crash")
        lines = os.fdopen(fd, "r")
        assert lines.readline() == "ready\n"
        # Let it report a few saves (none: kill it while it opens the store),
        # then kill it at a random moment of the next ones.
        wait_for = rng.randrange(0, 5)
        early = [lines.readline() for _ in range(wait_for)]
        awaited += wait_for
        time.sleep(rng.uniform(0, 0.012))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        # A temporary file left behind: the kill landed inside a file write.
        mid_write += any(store_dir.rglob("*.tmp"))
        text = "".join(early) + lines.read()
        lines.close()
        for name, number, digest, description in store_support.read_reports(text):
            # Numbers are never reused: a reported version is never replaced.
            assert reported.setdefault((name, number), (digest, description)) == (digest, description)
        total = _check_store(store_dir, reported)
        assert total >= len(reported)
    assert len(reported) >= awaited > KILLS
    assert mid_write >= 5


def _run_savers(tmp_path: Path, prefixes: list[str]) -> list[tuple[str, int, str, str]]:
    """Start one saver process per prefix, release them at once, collect their reports."""
    store_dir = tmp_path / "store"
    Store.open(store_dir).close()
    go = tmp_path / "go"
    script = Path(store_support.__file__)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(script.parent), *sys.path])}
    children = [
        subprocess.Popen(
            [sys.executable, str(script), "saver", str(store_dir), prefix, "100", str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for prefix in prefixes
    ]
    time.sleep(0.3)  # let them start and wait for the same moment
    go.touch()
    reports = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        lines = store_support.read_reports(out)
        assert len(lines) == 100
        reports += lines
    return reports


def _check_all_there(store_dir: Path, reports: list[tuple[str, int, str, str]], datasets: int) -> None:
    with Store.open(store_dir) as store:
        heads = store.list("default")
        assert len(heads) == datasets
        assert sum(h.versions for h in heads) == len(reports)
        for head in heads:
            assert head.revision == head.versions == len(store.versions("default", head.name))
        assert len({(name, number) for name, number, _, _ in reports}) == len(reports)
        for name, number, digest, description in reports:
            version = store.version("default", name, number)
            assert (version.definition_hash, version.definition.description) == (digest, description)


def test_three_processes_saving_different_datasets_lose_nothing(tmp_path: Path) -> None:
    reports = _run_savers(tmp_path, ["p0", "p1", "p2"])
    _check_all_there(tmp_path / "store", reports, datasets=9)


def test_three_processes_saving_the_same_datasets_lose_nothing(tmp_path: Path) -> None:
    # Harder than the issue asks: every save lands on top of another
    # process's, so without the lock two would take the same number.
    reports = _run_savers(tmp_path, ["same", "same", "same"])
    _check_all_there(tmp_path / "store", reports, datasets=3)


def _racer(store_dir: Path, base: int, description: str, go_read: int, result_write: int) -> None:
    store = Store.open(store_dir)
    os.read(go_read, 1)
    try:
        made = store.update(store_support.definition("shared", description=description), base_revision=base)
        outcome = f"won {made.number}"
    except ConflictError as exc:
        outcome = f"conflict {exc.current_revision}"
    os.write(result_write, outcome.encode())
    os._exit(0)


@pytest.mark.parametrize("round_", range(5))
def test_two_updates_from_one_base_revision_exactly_one_wins(tmp_path: Path, round_: int) -> None:
    store_dir = tmp_path / "store"
    with Store.open(store_dir) as store:
        store.create(store_support.definition("shared", description="start"))
        base = store.get("default", "shared").revision
    go_read, go_write = os.pipe()
    results = []
    pids = []
    for k in range(2):
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _racer(store_dir, base, f"edit {k}", go_read, result_write)
        os.close(result_write)
        pids.append(pid)
        results.append(result_read)
    time.sleep(0.05)
    os.write(go_write, b"xx")  # release both at once
    outcomes = sorted(_read_all(fd) for fd in results)
    for pid in pids:
        os.waitpid(pid, 0)
    assert outcomes == ["conflict 2", "won 2"]
    with Store.open(store_dir) as store:
        assert [v.number for v in store.versions("default", "shared")] == [1, 2]

"""The CLI as the tests run it: in-process `main`, one store and one warehouse, a fixed day."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataset_tui.cli import main
from dataset_tui.domain import clock
from dataset_tui.domain.definition import parse_definition
from dataset_tui.services import definitions
from dataset_tui.store import Store


class Cli:
    """`dataset-tui --db DB --warehouse WAREHOUSE …`, its output read from capsys."""

    def __init__(self, capsys: pytest.CaptureFixture[str], db: Path, warehouse: Path) -> None:
        self.capsys, self.db, self.warehouse = capsys, db, warehouse

    def run(self, *args: str) -> tuple[int, str, str]:
        """(exit code, stdout, stderr); a usage error raises SystemExit as argparse does."""
        code = main(["--db", str(self.db), "--warehouse", str(self.warehouse), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def __call__(self, *args: str) -> tuple[int, str, str]:
        """As `run`, with only this command's output and a usage error's exit code returned."""
        self.capsys.readouterr()
        try:
            return self.run(*args)
        except SystemExit as exc:  # argparse usage errors
            out, err = self.capsys.readouterr()
            return int(exc.code or 0), out, err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, err
        return out

    def json(self, *args: str) -> Any:
        code, out, err = self.run(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    def save(self, data: dict[str, Any]) -> None:
        """Save a definition into the CLI's store, as another session would."""
        store = Store.open(self.db)
        try:
            definitions.save(store, parse_definition(data))
        finally:
            store.close()


@pytest.fixture
def quiet_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file or store of the machine's user may leak in; the working folder is tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("DATASET_TUI_DB", "DATASET_TUI_CONFIG", "DATASET_TUI_PROFILE", "DATASET_TUI_TODAY"):
        monkeypatch.delenv(name, raising=False)


@contextlib.contextmanager
def cli_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> Iterator[None]:
    """The CLI's today (DATASET_TUI_TODAY); the CLI fixes the process clock from it, so unfix after."""
    monkeypatch.setenv("DATASET_TUI_TODAY", day.isoformat())
    try:
        yield
    finally:
        clock.fix(None)

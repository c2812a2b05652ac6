"""Fixtures shared by every test module."""

import datetime as _dt
import os as _os
import shutil as _shutil
import tempfile as _tempfile
from pathlib import Path as _Path

import pytest as _pytest

# No test may read or write the real user's data folder (the default store and
# the default warehouse live there): a test that passed only because an earlier
# run left a demo warehouse in $HOME would fail on a new machine. platformdirs
# reads XDG_DATA_HOME (and XDG_STATE_HOME for errors.log), so every process the
# tests start inherits these folders.
_os.environ["XDG_DATA_HOME"] = _tempfile.mkdtemp(prefix="dataset-tui-tests-data-")
_os.environ["XDG_STATE_HOME"] = _tempfile.mkdtemp(prefix="dataset-tui-tests-state-")

# --- BigQuery emulator fixtures (tests/emulator.py) ---------------------------
# bq_emulator: a bqemulator REST server for the session; bq_raw_data: the demo
# raw_data loaded into it and into a DuckDB file. Imported here so that every
# test module shares the one session-scoped instance.
from emulator import bq_emulator, bq_raw_data  # noqa: F401

# ---- embedded DuckDB warehouse (issue 4): demo, warehouse files, contexts ----
DEMO_TODAY = _dt.date(2025, 6, 15)
DEMO_ROWS = 20_000

_ENV_VARS = (
    "DATASET_TUI_DB",
    "DATASET_TUI_WAREHOUSE",
    "DATASET_TUI_PROFILE",
    "DATASET_TUI_TODAY",
    "DATASET_TUI_BQ_PROJECT",
    "DATASET_TUI_BQ_LOCATION",
    "DATASET_TUI_BQ_DATASET",
    "DATASET_TUI_BQ_CREDENTIALS",
    "DATASET_TUI_BQ_ENDPOINT",
)


@_pytest.fixture(scope="session")
def demo_file(tmp_path_factory: _pytest.TempPathFactory) -> _Path:
    """A small demo warehouse (20,000 transactions, today 2025-06-15), built once; open it read-only."""
    from dataset_tui.warehouse.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, rows=DEMO_ROWS, seed=42, today=DEMO_TODAY)
    return path


@_pytest.fixture
def demo_copy(demo_file: _Path, tmp_path: _Path) -> _Path:
    """A private copy of the small demo, for tests that write to it."""
    path = tmp_path / "warehouse.duckdb"
    _shutil.copyfile(demo_file, path)
    return path


@_pytest.fixture
def isolated_env(tmp_path: _Path, monkeypatch: _pytest.MonkeyPatch) -> _Path:
    """No config file, store or warehouse of the machine leaks in; returns a scratch folder."""
    home = tmp_path / "env"
    home.mkdir()
    config = home / "config.toml"
    config.write_text("")
    monkeypatch.setenv("DATASET_TUI_CONFIG", str(config))
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    return home


@_pytest.fixture
def open_context(isolated_env: _Path):  # type: ignore[no-untyped-def]
    """Open an AppContext on a warehouse file with a fresh store; closed after the test."""
    from dataset_tui.services.context import AppContext

    opened = []

    def open_(warehouse: _Path, db: _Path | None = None) -> AppContext:
        ctx = AppContext.open(db=db or isolated_env / "store", warehouse=warehouse)
        opened.append(ctx)
        return ctx

    yield open_
    for ctx in opened:
        ctx.close()


# ---- end of the embedded DuckDB warehouse block ----

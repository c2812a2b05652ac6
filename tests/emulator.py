"""The BigQuery emulator (bqemulator's REST server) for tests, and its test data.

`make test` installs the emulator in its own virtual environment
(`scripts/install-bqemulator.sh .venv-bqemu`) with DuckDB's spatial extension
imported under `.bqemu-home`, so it starts with no network. The fixtures here
start it on free 127.0.0.1 ports with that same HOME, wait until it answers,
hand out clients and warehouses pointed at it, and stop it by its PID.

A missing emulator is a failure, not a skip: the tests that need it are part
of `make test`, which installs it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BQEMU_VENV = ROOT / ".venv-bqemu"
BQEMU_BIN = BQEMU_VENV / "bin" / "bqemulator"
BQEMU_HOME = ROOT / ".bqemu-home"
PROJECT = "demo-project"
DATASET = "raw_data"
START_TIMEOUT_S = 60
# The demo's "today": definitions are rendered with the same as_of date so
# both engines agree on what today is.
AS_OF = dt.date(2025, 6, 30)
DEMO_ROWS = 3000  # FARM_FINGERPRINT runs in Python on the emulator: keep it small
DEMO_SEED = 7


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Emulator:
    """A running emulator: its endpoint, a client factory and warehouse factory."""

    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self) -> Any:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import bigquery

        return bigquery.Client(
            project=PROJECT, credentials=AnonymousCredentials(), client_options={"api_endpoint": self.endpoint}
        )

    def profile(self, **overrides: Any) -> Any:
        from dataset_tui.config import Profile

        settings = {
            "name": "emulator",
            "backend": "bigquery",
            "project": PROJECT,
            "api_endpoint": self.endpoint,
            "timeout_s": 60,
            "request_timeout_s": 30,
            "retry_deadline_s": 5,
            **overrides,
        }
        return Profile.model_validate(settings)

    def warehouse(self, **overrides: Any) -> Any:
        from dataset_tui.warehouse.bigquery import BigQueryWarehouse

        return BigQueryWarehouse.from_profile(self.profile(**overrides))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it by its PID (its own process group: uvicorn may fork workers)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_emulator(log: Path) -> Emulator:
    """Start bqemulator on free ports and wait until its REST API answers."""
    if not BQEMU_BIN.exists():
        pytest.fail(
            f"the BigQuery emulator is not installed ({BQEMU_BIN} is missing): run `make test`, "
            "or `bash scripts/install-bqemulator.sh .venv-bqemu`",
            pytrace=False,
        )
    rest, grpc = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "VIRTUAL_ENV"))}
    env["HOME"] = str(BQEMU_HOME)  # where the install script put DuckDB's spatial extension
    command = [
        str(BQEMU_BIN), "start",
        "--rest-host", "127.0.0.1", "--rest-port", str(rest),
        "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc),
        "--ephemeral", "--project", PROJECT, "--log-level", "warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(log.parent), start_new_session=True
        )
    emulator = Emulator(endpoint=f"http://127.0.0.1:{rest}", process=process, log=log)
    url = f"{emulator.endpoint}/bigquery/v2/projects/{PROJECT}/datasets"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the BigQuery emulator exited at start (code {process.returncode}):\n{_tail(log)}",
                        pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return emulator
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    emulator.stop(signal.SIGKILL)
    pytest.fail(f"the BigQuery emulator did not answer within {START_TIMEOUT_S} s:\n{_tail(log)}", pytrace=False)


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def bq_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """One emulator for the whole run (about 2 s to start)."""
    emulator = start_emulator(tmp_path_factory.mktemp("bqemulator") / "emulator.log")
    try:
        yield emulator
    finally:
        emulator.stop()


# -- test data: the demo raw_data, small, in both engines -----------------------------


@dataclass
class Seeded:
    """The same demo rows in the emulator's raw_data and in a DuckDB warehouse file."""

    emulator: Emulator
    duckdb_path: Path
    rows: dict[str, list[dict[str, Any]]]
    types: dict[str, dict[str, str]]


@pytest.fixture(scope="session")
def bq_raw_data(bq_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """The demo `raw_data` (DEMO_ROWS transactions) built once, loaded into the emulator."""
    from dataset_tui.warehouse.demo import TABLES, build_demo
    from dataset_tui.warehouse.duckdb import DuckDBWarehouse

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, rows=DEMO_ROWS, seed=DEMO_SEED, today=AS_OF)
    local = DuckDBWarehouse(path)
    rows: dict[str, list[dict[str, Any]]] = {}
    types: dict[str, dict[str, str]] = {}
    try:
        for table in TABLES:
            schema = local.schema(DATASET, table)
            types[table] = schema.types()
            result = local.query(f"SELECT * FROM `{DATASET}.{table}`")
            rows[table] = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    finally:
        local.close()
    load_into_bigquery(bq_emulator.client(), rows, types)
    return Seeded(emulator=bq_emulator, duckdb_path=path, rows=rows, types=types)


def load_into_bigquery(client: Any, rows: dict[str, list[dict[str, Any]]], types: dict[str, dict[str, str]]) -> None:
    from google.cloud import bigquery

    client.create_dataset(f"{PROJECT}.{DATASET}", exists_ok=True)
    for table, data in rows.items():
        schema = [bigquery.SchemaField(name, type_) for name, type_ in types[table].items()]
        created = client.create_table(bigquery.Table(f"{PROJECT}.{DATASET}.{table}", schema=schema), exists_ok=True)
        for start in range(0, len(data), 1000):
            chunk = [{k: _json_value(v) for k, v in row.items()} for row in data[start : start + 1000]]
            errors = client.insert_rows_json(created, chunk)
            assert not errors, f"inserting into {table}: {errors[:3]}"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value

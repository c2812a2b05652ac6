"""`--as-of DATE` on analyze, preview, validate and compare; import says which model it used."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import Cli, cli_today
from dataset_tui.cli import main
from dataset_tui.domain.definition import parse_definition
from dataset_tui.domain.sqlgen import generate_sql
from dataset_tui.domain.window import months_before
from dataset_tui.services import definitions
from dataset_tui.store import Store
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from example_definition import shop_dict

AS_OF = dt.date(2025, 1, 31)
LATER = dt.date(2030, 1, 1)  # a clock long after the demo's last row

ROLLING = shop_dict(
    "last_month",
    {"table": "transactions", "name": "transaction_id"},
    filters={"date_range": {"type": "rolling", "months": 1}},
    split={"type": "time", "eval_days": 7},
)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    # The clock is long after the demo's data: a live rolling window is empty.
    with cli_today(monkeypatch, LATER):
        yield Cli(capsys, isolated_env / "store", demo_file)


def _count(demo_file: Path, as_of: dt.date, split: str = "full") -> int:
    wh = DuckDBWarehouse(demo_file)
    try:
        sql = generate_sql(parse_definition(ROLLING), split, as_of=as_of)  # type: ignore[arg-type]
        return int(wh.query(f"SELECT COUNT(*) FROM ({sql})").rows[0][0])
    finally:
        wh.close()


def test_analyze_as_of_counts_historical_data_that_live_misses(cli: Cli, demo_file: Path) -> None:
    cli.save(ROLLING)
    live = cli.json("analyze", "last_month")
    assert (live["rows"], live["as_of"], live["live"]) == (0, LATER.isoformat(), True)
    pinned = cli.json("analyze", "last_month", "--as-of", AS_OF.isoformat())
    assert pinned["as_of"] == AS_OF.isoformat() and pinned["live"] is False
    assert pinned["rows"] == _count(demo_file, AS_OF) > 0
    assert pinned["split"]["train_rows"] == _count(demo_file, AS_OF, "train") > 0
    assert pinned["split"]["eval_rows"] == _count(demo_file, AS_OF, "eval") > 0
    assert months_before(AS_OF, 1).isoformat() <= pinned["date_min"] <= pinned["date_max"] <= AS_OF.isoformat()
    # The cache records the day it counted up to.
    store = Store.open(cli.db)
    try:
        cached = definitions.cached_analysis(store, "default", "last_month")
    finally:
        store.close()
    assert cached is not None and cached.result["as_of"] == AS_OF.isoformat() and cached.result["live"] is False
    code, out, _ = cli.run("analyze", "last_month", "--as-of", AS_OF.isoformat())
    assert code == 0 and f"(as of {AS_OF})" in out


def test_preview_as_of_shows_no_row_after_the_day(cli: Cli) -> None:
    cli.save(ROLLING)
    assert cli.json("preview", "last_month")["rows"] == []
    data = cli.json("preview", "last_month", "--as-of", AS_OF.isoformat(), "--split", "eval", "--limit", "500")
    assert data["as_of"] == AS_OF.isoformat() and data["rows"]
    ts = [c["role"] for c in data["columns"]].index("timestamp")
    days = {dt.datetime.fromisoformat(row[ts]).date() for row in data["rows"]}
    assert max(days) <= AS_OF and min(days) >= AS_OF - dt.timedelta(days=7)


def test_validate_as_of_dry_runs_the_pinned_sql(cli: Cli) -> None:
    cli.save(ROLLING)
    data = cli.json("validate", "last_month", "--as-of", AS_OF.isoformat())
    assert data["valid"] and data["as_of"] == AS_OF.isoformat()
    assert cli.json("validate", "last_month")["as_of"] is None


def test_compare_as_of_shows_only_analyses_of_that_day(cli: Cli) -> None:
    cli.save(ROLLING)
    cli.save({**ROLLING, "name": "last_month_random", "split": {"type": "random", "train_percent": 80}})
    cli.json("analyze", "last_month", "--as-of", AS_OF.isoformat())
    cli.json("analyze", "last_month_random")
    data = cli.json("compare", "last_month", "last_month_random", "--as-of", AS_OF.isoformat())
    assert data["as_of"] == AS_OF.isoformat()
    pinned, other = data["datasets"]
    assert pinned["analysis"]["as_of"] == AS_OF.isoformat() and pinned["analysis"]["rows"] > 0
    assert other["analysis"] is None and f"--as-of {AS_OF}" in other["note"]
    everything = cli.json("compare", "last_month", "last_month_random")
    assert all(d["analysis"] is not None for d in everything["datasets"])
    code, out, _ = cli.run("compare", "last_month", "last_month_random", "--as-of", AS_OF.isoformat())
    assert code == 0 and f"not analyzed as of {AS_OF}" in out


def test_a_bad_as_of_is_a_usage_error(cli: Cli) -> None:
    cli.save(ROLLING)
    with pytest.raises(SystemExit) as exited:
        cli.run("analyze", "last_month", "--as-of", "31/01/2025")
    assert exited.value.code == 2 and "YYYY-MM-DD" in cli.capsys.readouterr().err


def test_import_into_another_model_says_how_to_see_it(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({**ROLLING, "model": "ranking"}))
    code, out, err = cli.run("definition", "import", str(path))
    assert code == 0, err
    assert "into model 'ranking', not the current model 'default'" in out
    assert "dataset-tui --model ranking show last_month" in out
    # The hint works, and in the current model nothing is listed.
    code, out, err = main_json(cli, "--model", "ranking", "show", "last_month")
    assert code == 0 and json.loads(out)["name"] == "last_month"
    assert cli.json("list") == []
    # Importing into the current model says nothing extra.
    path.write_text(json.dumps({**ROLLING, "name": "here"}))
    code, out, _ = cli.run("definition", "import", str(path))
    assert code == 0 and "current model" not in out


def main_json(cli: Cli, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(cli.db), "--warehouse", str(cli.warehouse), *args, "--json"])
    out, err = cli.capsys.readouterr()
    return code, out, err

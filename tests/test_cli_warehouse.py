"""The warehouse commands end to end, in JSON (DESIGN §8 shapes), with their errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import Cli, cli_today
from conftest import DEMO_ROWS, DEMO_TODAY
from dataset_tui.cli import main
from dataset_tui.services import local_warehouse
from dataset_tui.warehouse.duckdb import DuckDBWarehouse
from example_definition import example_dict


@pytest.fixture(autouse=True)
def today(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with cli_today(monkeypatch, DEMO_TODAY):
        yield


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_file: Path) -> Cli:
    return Cli(capsys, isolated_env / "store", demo_file)


DEFINITION = example_dict(
    name="purchases", filters={"date_range": {"type": "rolling", "months": 6}, "min_transactions": 2}
)


def test_tables_and_schema(cli: Cli) -> None:
    tables = cli.json("tables")
    names = [t["name"] for t in tables]
    # The shop's four tables and the GA4-like family (one `events_YYYYMMDD` a day for 90 days) as one entry.
    assert names == ["customers", "events_*", "products", "returns", "transactions"]
    family = tables[1]["shards"]
    span = dt.date.fromisoformat(family["last"]) - dt.date.fromisoformat(family["first"])
    assert family["count"] == 90 and span == dt.timedelta(days=89)
    assert tables[1]["rows"] > 0 and tables[0]["shards"] is None
    tx = tables[-1]
    assert set(tx) >= {"name", "rows", "bytes", "columns", "modified"}
    assert (tx["rows"], tx["columns"]) == (DEMO_ROWS, 7) and tx["bytes"] > 0
    schema = cli.json("schema", "transactions")
    assert schema["table"] == "transactions"
    for column in schema["columns"]:
        assert set(column) >= {"name", "type", "mode", "suggested_role", "join_key"}
        assert isinstance(column["join_key"], bool)
    roles = {c["name"]: c["suggested_role"] for c in schema["columns"]}
    assert roles["customer_id"] == "user_id" and roles["ts"] == "timestamp" and roles["amount"] == "revenue"


def test_stats_match_the_rows(cli: Cli, demo_file: Path) -> None:
    stats = cli.json("stats", "transactions", "--column", "amount", "--column", "channel", "--column", "ts")
    assert stats["table"] == "transactions" and stats["row_count"] == DEMO_ROWS and not stats["cached"]
    by_name = {c["name"]: c for c in stats["columns"]}
    assert list(by_name) == ["amount", "channel", "ts"]
    for column in stats["columns"]:
        assert set(column) >= {
            "name", "type", "null_count", "distinct_count", "min", "max", "mean", "stddev", "range_days"
        }
    wh = DuckDBWarehouse(demo_file)
    amounts = [r[0] for r in wh.query("SELECT amount FROM raw_data.transactions").rows]
    wh.close()
    present = [a for a in amounts if a is not None]
    amount = by_name["amount"]
    assert amount["null_count"] == len(amounts) - len(present)
    assert amount["distinct_count"] == len(set(present))
    assert (amount["min"], amount["max"]) == (str(min(present)), str(max(present)))  # NUMERIC as strings
    assert amount["mean"] == pytest.approx(float(sum(present)) / len(present))
    assert by_name["ts"]["min"].endswith("Z") and by_name["ts"]["range_days"] >= 540
    assert cli.json("stats", "transactions", "--column", "amount")["cached"] is True


def test_samples_joins_and_suggest(cli: Cli) -> None:
    samples = cli.json("samples", "transactions", "channel", "--limit", "2")
    assert samples["values"] == ["web", "app"]
    joins = cli.json("joins", "transactions", "customers", "products", "returns")["joins"]
    assert joins and all(
        set(j) >= {"left_table", "left_column", "right_table", "right_column", "score", "confidence"} for j in joins
    )
    assert all(0 <= j["score"] <= 1 and j["confidence"] in ("high", "medium", "low") for j in joins)
    pairs = {(j["left_table"], j["left_column"], j["right_table"], j["right_column"]) for j in joins}
    assert ("returns", "transaction_id", "transactions", "transaction_id") in pairs
    mapping = cli.json("suggest", "transactions", "customers", "products")
    assert mapping["primary"] == "transactions"
    assert {r: v["column"] for r, v in mapping["roles"].items()} == {
        "user_id": "customer_id",
        "product_id": "product_id",
        "timestamp": "ts",
        "revenue": "amount",
    }


def test_validate_analyze_preview_and_compare(cli: Cli) -> None:
    cli.save(DEFINITION)
    cli.save({**DEFINITION, "name": "by_time", "split": {"type": "time", "eval_days": 28}})
    valid = cli.json("validate", "purchases")
    assert valid["valid"] and valid["bytes_processed"] > 0 and valid["estimated"] is True
    analysis = cli.json("analyze", "purchases")
    assert set(analysis) >= {"rows", "users", "products", "date_min", "date_max", "split", "quality"}
    assert set(analysis["split"]) == {"train_rows", "eval_rows", "null_key_rows"}
    assert sum(analysis["split"].values()) == analysis["rows"] > 0
    assert all(set(i) >= {"code", "severity", "message"} for i in analysis["quality"]["issues"])
    assert analysis["date_max"] == "2025-06-14"
    preview = cli.json("preview", "purchases", "--limit", "4")
    names = [c["name"] for c in preview["columns"]]
    assert names == ["user_id", "product_id", "timestamp", "revenue", "product_category"]
    assert len(preview["rows"]) == 4 and preview["truncated"]
    assert all(isinstance(r[3], (str, type(None))) for r in preview["rows"])  # NUMERIC as strings
    compared = cli.json("compare", "purchases", "by_time")
    assert [d["name"] for d in compared["datasets"]] == ["purchases", "by_time"]
    assert "split" in compared["differs"]
    code, out, _ = cli.run("compare", "purchases", "by_time")
    assert code == 0 and "* " in out and "purchases v1" in out


def test_validate_of_a_broken_dataset_exits_1(cli: Cli) -> None:
    gone = {"table": "transactions", "name": "gone"}
    broken = {**DEFINITION, "name": "broken", "columns": [*DEFINITION["columns"], gone]}
    cli.save(broken)
    code, out, _ = cli.run("validate", "broken", "--json")
    assert code == 1
    result = json.loads(out)
    assert not result["valid"] and "gone" in result["problems"][0]["message"]
    code, out, _ = cli.run("validate", "broken")
    assert code == 1 and "gone" in out


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("schema", "nope"), 1, "nope"),
        (("stats", "transactions", "--column", "nope"), 1, "nope"),
        (("samples", "nope", "x"), 1, "nope"),
        (("analyze", "no_such_dataset"), 1, "no_such_dataset"),
        (("joins", "transactions"), 2, "two different tables"),
        (("compare", "only_one"), 2, "2 to 5"),
    ],
)
def test_errors_are_messages_not_tracebacks(cli: Cli, args: tuple[str, ...], code: int, says: str) -> None:
    got, out, err = cli.run(*args)
    assert got == code and says in err and "Traceback" not in err and out == ""


def test_import_and_demo_commands(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, demo_copy: Path, tmp_path: Path
) -> None:
    cli = Cli(capsys, isolated_env / "store", demo_copy)
    good = tmp_path / "scores.csv"
    good.write_text("customer_id,score\nC0001,0.5\nC0002,0.75\n")
    row = cli.json("warehouse", "import", str(good), "--table", "scores")
    assert (row["name"], row["rows"], row["columns"]) == ("scores", 2, 2)
    assert cli.json("schema", "scores")["columns"][1]["type"] == "FLOAT64"
    code, _, err = cli.run("warehouse", "import", str(good), "--table", "scores")
    assert code == 1 and "--replace" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n")
    code, _, err = cli.run("warehouse", "import", str(bad), "--table", "bad")
    assert code == 1 and "line 3 has 3 fields" in err
    assert "bad" not in [t["name"] for t in cli.json("tables")]
    code, _, err = cli.run("warehouse", "demo", "--rows", "500")
    assert code == 1 and "raw_data.scores" in err and "--force" in err  # an import would be lost
    assert "scores" in [t["name"] for t in cli.json("tables")]
    built = cli.json("warehouse", "demo", "--rows", "500", "--seed", "7", "--force")
    assert {t["name"]: t["rows"] for t in built["tables"]}["transactions"] == 500
    assert "scores" not in [t["name"] for t in cli.json("tables")]  # the demo replaced the file
    again = cli.json("warehouse", "demo", "--rows", "300")  # a plain demo is rebuilt without --force
    assert {t["name"]: t["rows"] for t in again["tables"]}["transactions"] == 300


def test_first_run_builds_the_demo_with_progress(
    capsys: pytest.CaptureFixture[str], isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_warehouse, "FIRST_RUN_ROWS", 2000)
    # First run = no warehouse configured: the demo goes to the user data dir.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code = main(["--db", str(isolated_env / "store"), "tables", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and "first run" in err and "demo ready" in err, err
    assert (tmp_path / "data" / "dataset-tui" / "demo.duckdb").is_file()
    assert {t["name"]: t["rows"] for t in json.loads(out)}["transactions"] == 2000

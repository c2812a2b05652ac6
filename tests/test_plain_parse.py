"""The plain reader (no pydantic) never takes what pydantic refuses, and builds the same parts.

domain/plain_parse.py reads a plainly valid definition in pure Python so a
save need not import pydantic; anything it is unsure of goes to pydantic
(domain/definition_errors.py). Both read one set of declarations. These tests
mutate rich definitions at random and check, for every mutation, that
whatever the plain reader accepts pydantic accepts as equal parts with
values of the same types, and that a valid file is read, saved and listed
without importing pydantic at all.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.example_definition import example_dict

from dataset_tui.domain.definition import Definition, DefinitionError, read_definition
from dataset_tui.domain.definition_errors import read_or_word
from dataset_tui.domain.plain_parse import NotPlain, read

ROOT = Path(__file__).resolve().parent.parent

# Every kind of field the format has, each in use.
RICH: dict[str, Any] = {
    "format": "dataset-tui/1",
    "name": "rich_one",
    "model": "m-2",
    "description": "every field",
    "source": {
        "dataset": "raw_data",
        "primary": "events_*",
        "joins": [
            {"table": "products", "type": "inner", "on": [{"left": "events_*.item_id", "right": "products.id"}]},
            {"table": "users", "on": [{"left": "events_*.user_pseudo_id", "right": "users.id"}]},
        ],
    },
    "columns": [
        {"table": "events_*", "name": "user_pseudo_id", "role": "user_id", "type": "string"},
        {"table": "events_*", "name": "items.item_id", "unnest": "items", "role": "product_id"},
        {"table": "events_*", "name": "event_timestamp", "unit": "micros", "role": "timestamp"},
        {"table": "events_*", "name": "event_params", "param": {"key": "value", "value": "double_value"},
         "role": "revenue"},
        {"table": "events_*", "name": "event_params", "param": {"key": "page", "value": "string_value"}},
        {"table": "products", "name": "category", "alias": "cat", "type": "NUMERIC(10, 2)"},
        {"table": "users", "name": "signup_day", "partitioning": True},
    ],
    "filters": {
        "date_range": {"type": "fixed", "start": "2024-01-01", "end": "2024-06-30"},
        "top_products_percent": 20,
        "min_transactions": 2,
        "where": [
            {"table": "events_*", "column": "event_name", "in": ["purchase", "it's"]},
            {"table": "users", "column": "tier", "in": [1, 2.5, -3]},
        ],
    },
    "split": {"type": "random", "train_percent": 80, "key": "user_id"},
}
ROLLING_TIME = {
    **copy.deepcopy(RICH),
    "filters": {"date_range": {"type": "rolling", "months": 6}},
    "split": {"type": "time", "eval_days": 7},
}
BASES = [RICH, ROLLING_TIME, example_dict(), example_dict(typed=True)]

# Values that break or bend one rule or another: wrong types, bounds, spellings.
ODD_VALUES = [
    None, "", " ", "5", 5, 0, -1, 2**63, 5.0, 1e300, float("inf"), True, False, [], [1], ["a", 1], {}, {"x": 1},
    "x" * 70, "x" * 300, "bad name!", "a.b", "a.b.c", "2024-02-30", "2024-02-03", "20240203", "rolling", "time",
    "random", "fixed", "left", "outer", "user_id", "string_value", "micros", "events_*", "STRING", "a\x00b",
]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value: each key and each list item, at any depth."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += paths(item, (*prefix, index))
    return out


def mutate(data: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    if not path:
        return out
    holder = out
    for step in path[:-1]:
        holder = holder[step]
    last = path[-1]
    if how == "set":
        holder[last] = copy.deepcopy(value)
    elif how == "drop":
        del holder[last]
    elif how == "extra" and isinstance(holder[last], dict):
        holder[last]["surprise"] = copy.deepcopy(value)
    elif how == "rename" and isinstance(holder, dict):
        holder["values" if last == "in" else f"{last}_"] = holder.pop(last)
    return out


def typed(value: Any) -> Any:
    """A value with the type of every leaf spelled out (1 and 1.0 and True differ)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def agree(data: Any) -> None:
    """The plain reader takes `data` only if pydantic does, and then builds the same definition."""
    try:
        plain = read(Definition, data)
    except NotPlain:
        return
    strict = read_or_word(data)  # raises if pydantic refuses what the plain reader took
    assert plain == strict
    assert typed(plain.to_dict()) == typed(strict.to_dict())


@pytest.mark.parametrize("base", BASES, ids=["rich", "rolling_time", "example", "example_typed"])
def test_a_valid_definition_reads_plainly_as_pydantic_reads_it(base: dict[str, Any]) -> None:
    plain = read(Definition, base)  # plainly valid: no NotPlain
    assert plain == read_or_word(base)
    assert typed(plain.to_dict()) == typed(read_or_word(base).to_dict())


def test_every_single_change_of_the_rich_definitions_agrees() -> None:
    checked = plain_taken = 0
    for base in BASES[:2]:
        for path in paths(base):
            for how in ("drop", "extra", "rename"):
                agree(mutate(base, path, how, 1))
                checked += 1
            for value in ODD_VALUES:
                changed = mutate(base, path, "set", value)
                agree(changed)
                checked += 1
                try:
                    read(Definition, changed)
                    plain_taken += 1
                except NotPlain:
                    pass
    # The sweep reaches both outcomes: many changes stay valid, many do not.
    assert checked > 3000 and 100 < plain_taken < checked - 1000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_changes_agree(data: st.DataObject) -> None:
    value = copy.deepcopy(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths(value)))
        how = data.draw(st.sampled_from(["set", "set", "drop", "extra", "rename"]))
        value = mutate(value, path, how, data.draw(st.sampled_from(ODD_VALUES)))
    agree(value)


def test_what_the_plain_reader_leaves_to_pydantic_still_reads() -> None:
    # A part built in code (not JSON) is pydantic's to take.
    source = read(Definition, RICH).source
    data = {**copy.deepcopy(RICH), "source": source}
    with pytest.raises(NotPlain):
        read(Definition, data)
    assert read_definition(data).source == source


def test_a_row_filter_reads_under_its_key_or_its_field_name() -> None:
    # `in` is the key a file writes; `values` (the field's name) is read too, by both readers.
    for key in ("in", "values"):
        where = {"table": "users", "column": "tier", key: [1]}
        data = {**copy.deepcopy(RICH), "filters": {"where": [where]}}
        assert read(Definition, data) == read_or_word(data)
        assert read_definition(data).to_dict()["filters"]["where"] == [{"table": "users", "column": "tier", "in": [1]}]
    both = {"table": "users", "column": "tier", "in": [1], "values": [2]}
    agree({**copy.deepcopy(RICH), "filters": {"where": [both]}})


def test_problems_are_worded_by_pydantic_with_their_paths() -> None:
    data = copy.deepcopy(RICH)
    data["columns"][1]["unit"] = "hours"
    data["filters"]["where"][0]["surprise"] = 1
    data["split"]["train_percent"] = "80"
    data["filters"]["where"][1]["in"] = []
    with pytest.raises(DefinitionError) as caught:
        read_definition(data)
    found = {(p.path, p.message.split(",")[0]) for p in caught.value.problems}
    assert ("filters.where[0].surprise", "unknown key (not part of format dataset-tui/1)") in found
    assert ("split.train_percent", "Input should be a valid integer") in found
    assert ("filters.where[1].in", "needs at least 1 item(s) (has 0)") in found
    assert any(path == "columns[1].unit" for path, _ in found)


def test_a_valid_save_and_its_listing_import_no_pydantic(tmp_path: Path) -> None:
    path = tmp_path / "rich.json"
    path.write_text(json.dumps({**example_dict(), "name": "plain_save"}))
    code = f"""
import sys
from dataset_tui.cli import main
assert main(["--db", {str(tmp_path / "store")!r}, "definition", "import", {str(path)!r}]) == 0
assert main(["--db", {str(tmp_path / "store")!r}, "show", "plain_save"]) == 0
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))
print("LOADED", loaded)
"""
    (tmp_path / "config.toml").write_text("")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DATASET_TUI_CONFIG": str(tmp_path / "config.toml")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout, done.stdout

"""The definition file format (DESIGN §3): strict parsing, field paths, hashing."""

from __future__ import annotations

import copy
import json

import pytest

from dataset_tui.domain.definition import (
    DefinitionError,
    json_schema,
    parse_definition,
    parse_definition_json,
)
from example_definition import example_dict

EXAMPLE = example_dict()


def example(**changes):
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def paths(exc: DefinitionError) -> list[str]:
    return [p.path for p in exc.value.problems] if hasattr(exc, "value") else [p.path for p in exc.problems]


def test_example_round_trips_exactly():
    d = parse_definition(EXAMPLE)
    assert d.to_dict() == EXAMPLE
    assert parse_definition_json(d.to_json()) == d
    assert d.output_names == ["user_id", "product_id", "timestamp", "revenue", "product_category"]
    assert d.split_key().name == "customer_id"


def test_hash_ignores_name_and_description_but_not_rows():
    d = parse_definition(EXAMPLE)
    renamed = parse_definition(example(name="other", description="changed"))
    assert d.content_hash() == renamed.content_hash()
    narrower = copy.deepcopy(EXAMPLE)
    narrower["filters"]["min_transactions"] = 3
    assert parse_definition(narrower).content_hash() != d.content_hash()


def test_absent_and_empty_filters_hash_the_same():
    a = copy.deepcopy(EXAMPLE)
    a["filters"] = {}
    b = copy.deepcopy(EXAMPLE)
    del b["filters"]
    c = copy.deepcopy(EXAMPLE)
    c["filters"] = {"date_range": None}
    hashes = {parse_definition(d).content_hash() for d in (a, b, c)}
    assert len(hashes) == 1


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["columns"][4].update(alias="bad alias"), "columns[4].alias"),
        (lambda d: d["columns"][1].update(role="user_id"), "columns[1].role"),
        (lambda d: d["columns"][4].update(alias="USER_ID"), "columns[4].alias"),
        (lambda d: d["columns"][0].update(colour="red"), "columns[0].colour"),
        (lambda d: d["source"].update(primary="t;drop table x"), "source.primary"),
        (lambda d: d["source"]["joins"][0]["on"][0].update(left="nowhere.x"), "source.joins[0].on[0].left"),
        (lambda d: d["source"]["joins"][0].update(type="outer"), "source.joins[0].type"),
        (lambda d: d["filters"].update(top_products_percent=100), "filters.top_products_percent"),
        (lambda d: d["filters"].update(min_transactions=0), "filters.min_transactions"),
        (lambda d: d["filters"].update(date_range={"type": "rolling", "months": 121}), "filters.date_range.months"),
        (lambda d: d["filters"].update(date_range={"type": "weekly"}), "filters.date_range"),
        (
            lambda d: d["filters"].update(date_range={"type": "fixed", "start": "2025-05-01", "end": "2025-04-01"}),
            "filters.date_range.start",
        ),
        (
            lambda d: d["filters"].update(date_range={"type": "fixed", "start": 20250101, "end": "2025-04-01"}),
            "filters.date_range.start",
        ),
        (lambda d: d["split"].update(train_percent=0), "split.train_percent"),
        (lambda d: d["split"].update(key="nope"), "split.key"),
        (lambda d: d.update(split={"type": "time", "eval_days": 0}), "split.eval_days"),
        (lambda d: d.update(name="9lives"), "name"),
        (lambda d: d.update(name="x" * 65), "name"),
        (lambda d: d["columns"][2].update(name="device..category"), "columns[2].name"),
        (lambda d: d["columns"][3].update(type="STRING"), "columns[3].type"),
    ],
)
def test_each_rule_names_its_field_path(mutate, path):
    data = copy.deepcopy(EXAMPLE)
    mutate(data)
    with pytest.raises(DefinitionError) as exc:
        parse_definition(data)
    assert path in [p.path for p in exc.value.problems], exc.value


def test_every_problem_is_listed_at_once():
    data = copy.deepcopy(EXAMPLE)
    data["columns"] = [{"table": "transactions", "name": "customer_id"}]  # no roles at all
    with pytest.raises(DefinitionError) as exc:
        parse_definition(data)
    got = {p.path for p in exc.value.problems}
    assert got == {"filters.date_range", "filters.top_products_percent", "filters.min_transactions", "split.key"}


def test_fixed_range_and_time_split_lengths():
    data = example(split={"type": "time", "eval_days": 30})
    data["filters"] = {"date_range": {"type": "fixed", "start": "2025-01-01", "end": "2025-01-30"}}
    with pytest.raises(DefinitionError) as exc:
        parse_definition(data)
    assert [p.path for p in exc.value.problems] == ["split.eval_days"]
    # 29 eval days + the anchor day are all 30 days of the range: train would be empty.
    data["split"]["eval_days"] = 29
    with pytest.raises(DefinitionError):
        parse_definition(data)
    data["split"]["eval_days"] = 28
    assert parse_definition(data).split.eval_days == 28


def test_split_key_type_must_hash_the_same_everywhere():
    data = copy.deepcopy(EXAMPLE)
    data["columns"][0]["type"] = "FLOAT64"
    data["columns"][0]["role"] = None
    data["columns"][0]["alias"] = "score"
    data["filters"].pop("min_transactions")
    data["split"]["key"] = "score"
    del data["columns"][0]["role"]
    with pytest.raises(DefinitionError) as exc:
        parse_definition(data)
    assert "split.key" in [p.path for p in exc.value.problems]


def test_wrong_format_and_malformed_json():
    with pytest.raises(DefinitionError) as exc:
        parse_definition(example(format="dataset-tui/2"))
    assert exc.value.problems[0].path == "format"
    with pytest.raises(DefinitionError) as exc:
        parse_definition_json('{"format": "dataset-tui/1",', source="x.json")
    assert "not valid JSON" in str(exc.value) and "x.json" in str(exc.value)
    with pytest.raises(DefinitionError):
        parse_definition_json("[1, 2]")


def test_struct_paths_and_output_names():
    data = copy.deepcopy(EXAMPLE)
    data["columns"].append({"table": "transactions", "name": "device.category"})
    d = parse_definition(data)
    assert d.columns[-1].output_name == "category"


def test_json_schema_describes_the_format():
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert {"name", "source", "columns", "filters", "split"} <= set(schema["properties"])
    json.dumps(schema)  # serialisable for editors

"""The example definition of DESIGN §3, the one copy every test starts from.

It is read from examples/purchases_6m.json (the file the README imports and
the benchmarks read too), so the tests, the docs and the bench cannot drift.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "examples" / "purchases_6m.json"
_EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_FILE.read_text())

# The BigQuery types of the example's columns in the demo warehouse, for the
# tests that need a typed definition (activation and TFX check the types).
DEMO_TYPES = {
    ("transactions", "customer_id"): "STRING",
    ("transactions", "product_id"): "STRING",
    ("transactions", "ts"): "TIMESTAMP",
    ("transactions", "amount"): "NUMERIC",
    ("products", "category"): "STRING",
}


def example_dict(*, typed: bool = False, **changes: Any) -> dict[str, Any]:
    """A fresh copy of the example; `changes` replace whole top-level keys.

    With `typed`, each column carries its type in the demo warehouse.
    """
    data = copy.deepcopy(_EXAMPLE)
    if typed:
        for column in data["columns"]:
            column["type"] = DEMO_TYPES[(column["table"], column["name"])]
    data.update(copy.deepcopy(changes))
    return data


def shop_dict(name: str, *more_columns: dict[str, Any], typed: bool = False, **parts: Any) -> dict[str, Any]:
    """A definition of the shop's transactions alone: the example's four role columns, then `more_columns`.

    No join; `parts` add whole top-level keys (filters, split, description …). With `typed`,
    the role columns carry their types in the demo warehouse.
    """
    columns = [column for column in copy.deepcopy(_EXAMPLE["columns"]) if column["table"] == "transactions"]
    if typed:
        for column in columns:
            column["type"] = DEMO_TYPES[(column["table"], column["name"])]
    return {
        "format": _EXAMPLE["format"],
        "name": name,
        "source": {"dataset": "raw_data", "primary": "transactions"},
        "columns": columns + copy.deepcopy(list(more_columns)),
        **copy.deepcopy(parts),
    }

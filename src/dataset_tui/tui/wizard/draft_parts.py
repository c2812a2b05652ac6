"""The parts of a WizardDraft: a joined table, a column (with BigQuery's shapes), a row filter.

A column may be a plain column, a field of a STRUCT (`device.category`), a
field of the elements of a repeated record flattened with UNNEST
(`items.item_id` from `items`), the value of one key of a key/value array
(`event_params` key `ga_session_id`), or an INT64 epoch read as a timestamp
(`unit`). Plain data, no Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dataset_tui.domain.definition import output_name
from dataset_tui.domain.types import element_fields, struct_fields

ColumnKey = tuple[str, str]  # (table, the column's label: its path, or `array[key]` for a param)

UNITS = (None, "seconds", "millis", "micros")
PARAM_VALUES = {"string_value": "STRING", "int_value": "INT64", "float_value": "FLOAT64", "double_value": "FLOAT64"}


@dataclass
class JoinDraft:
    """One joined table: how it is joined, and where the join came from."""

    table: str
    type: str = "left"
    on: list[tuple[str, str]] = field(default_factory=list)  # ("t.c", "table.c") pairs
    # "high" / "medium" / "low" for a detected join, "manual" when the user
    # made or edited it, "saved" when it came from the definition being edited.
    confidence: str = "manual"
    reason: str = ""

    @property
    def left_tables(self) -> set[str]:
        return {left.split(".", 1)[0] for left, _ in self.on}

    def describe(self) -> str:
        conditions = " AND ".join(f"{left} = {right}" for left, right in self.on) or "(no condition)"
        return conditions


@dataclass
class ColumnDraft:
    table: str
    name: str
    type: str | None = None
    selected: bool = False
    role: str | None = None
    alias: str = ""
    # The repeated record this is an element field of (`items` for `items.item_id`).
    unnest: str | None = None
    # A key of the key/value array `name`, and the value field holding it.
    param_key: str | None = None
    param_value: str | None = None
    # An INT64 epoch's unit: the column is read as a TIMESTAMP.
    unit: str | None = None
    # A STRUCT or a repeated record: its leaves are chosen (and get roles), not it.
    container: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}[{self.param_key}]" if self.param_key else self.name

    @property
    def key(self) -> ColumnKey:
        return (self.table, self.label)

    @property
    def output_name(self) -> str:
        if self.param_key and not self.alias and not self.role:
            return self.param_key
        return output_name(self.name, self.role, self.alias)

    @property
    def is_epoch(self) -> bool:
        return (self.type or "").split("<", 1)[0].split("(", 1)[0].upper() == "INT64" and not self.param_key

    def to_item(self) -> dict[str, Any]:
        """The column as the definition file writes it."""
        item: dict[str, Any] = {"table": self.table, "name": self.name}
        if self.role:
            item["role"] = self.role
        if self.alias.strip():
            item["alias"] = self.alias.strip()
        if self.type:
            item["type"] = self.type
        if self.unnest:
            item["unnest"] = self.unnest
        if self.param_key:
            item["param"] = {"key": self.param_key, "value": self.param_value or "string_value"}
        if self.unit:
            item["unit"] = self.unit
        return item


@dataclass
class RowFilterDraft:
    """Step 4's "keep rows where COLUMN is one of VALUES", as typed."""

    table: str = ""  # "" = no row filter
    column: str = ""
    values: str = ""  # comma-separated, as typed

    def parsed_values(self, column_type: str | None) -> list[str | int | float]:
        """The values as the file writes them: numbers for a numeric column, else the text."""
        texts = [v.strip() for v in self.values.split(",") if v.strip()]
        kind = (column_type or "").upper()
        if kind.startswith(("INT", "FLOAT", "NUMERIC", "BIGNUMERIC")):
            out: list[str | int | float] = []
            for text in texts:
                if re.fullmatch(r"-?\d+", text):
                    out.append(int(text))
                else:
                    try:
                        out.append(float(text))
                    except ValueError:
                        out.append(text)  # the parser names it
            return out
        return list(texts)


# -- nested shapes from a schema's types ------------------------------------------------------


def is_key_value(kind: str) -> bool:
    """An ARRAY of STRUCT<key, value STRUCT<..._value>>, as GA4's event_params and user_properties."""
    fields = element_fields(kind)
    return "key" in fields and any(f in struct_fields(fields.get("value", "")) for f in PARAM_VALUES)


def schema_drafts(table: str, columns: list[tuple[str, str]]) -> list[ColumnDraft]:
    """The ColumnDrafts of a table's schema (name, type), in order: what `WizardDraft.add_schema` learns.

    A STRUCT and a repeated record are containers; a repeated record's
    element fields follow it as columns flattened with UNNEST (a key/value
    array's keys come from a sample). Pure and thread-safe: the wizard builds
    these in its schema worker (10,000 columns took 40-120 ms of the event
    loop) and hands them over in a message.
    """
    out: list[ColumnDraft] = []
    for name, type_ in columns:
        upper = type_.upper()
        if upper.startswith("ARRAY<STRUCT<"):
            out.append(ColumnDraft(table, name, type_, container=True))
            if not is_key_value(type_):
                for field_name, field_type in struct_fields(type_).items():
                    out.append(ColumnDraft(table, f"{name}.{field_name}", field_type, unnest=name))
        else:
            out.append(ColumnDraft(table, name, type_, container=upper.startswith("STRUCT<")))
    return out


def suggest_unit(name: str) -> str:
    """The unit an INT64 epoch column's name suggests: GA4's *_timestamp are micros."""
    lower = name.lower()
    if lower.endswith(("_micros", "_us", "_usec")) or lower in ("event_timestamp", "user_first_touch_timestamp"):
        return "micros"
    if lower.endswith(("_millis", "_ms", "_msec")):
        return "millis"
    if lower.endswith("_timestamp") and lower.startswith(("event_", "user_")):
        return "micros"  # GA4's other *_timestamp columns
    return "seconds"

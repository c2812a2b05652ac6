"""Differences between two definitions: by field path, and as a text diff."""

from __future__ import annotations

import difflib
import json
from typing import Any

from dataset_tui.store.report_records import Change


def changes(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every added, removed and changed leaf between two JSON values, in file order.

    Lists compare position by position (a column moved is a change at both
    places), which is exact: applying the changes to `old` gives `new`.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Change] = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else key
            if key not in new:
                out.append(Change(sub, "removed", old=old[key]))
            elif key not in old:
                out.append(Change(sub, "added", new=new[key]))
            else:
                out += changes(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(new):
                out.append(Change(sub, "removed", old=old[i]))
            elif i >= len(old):
                out.append(Change(sub, "added", new=new[i]))
            else:
                out += changes(old[i], new[i], sub)
        return out
    if old != new or type(old) is not type(new):
        return [Change(path, "changed", old=old, new=new)]
    return []


def unified(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> str:
    """A unified diff of the two definitions as their files are written."""
    a = (json.dumps(old, indent=2, ensure_ascii=False) + "\n").splitlines(keepends=True)
    b = (json.dumps(new, indent=2, ensure_ascii=False) + "\n").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=old_label, tofile=new_label))

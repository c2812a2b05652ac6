"""Where a BigQuery job must run: the location of the datasets its query reads.

A job runs in one location, and it must be the location of the data it reads
(an EU dataset is read by a job in "EU"); the profile's `location` is only the
fallback for a query that names no dataset. The datasets come from the SQL's
table references, found by a linear scan rather than a parse: a statistics
query over a thousand columns is 100 KB of SQL, which sqlglot takes over a
second to parse, and the cost guard dry-runs every query before it runs.

What the scan finds:
- one backticked path with dots: `` `project.dataset.table` ``, `` `dataset.table` ``
  (how the generated SQL writes every source; column paths are quoted part by
  part, `` `device`.`category` ``, so they hold no dot inside the backticks);
- an unquoted path after FROM or JOIN: ``FROM dataset.table``;
- `` `project.dataset.INFORMATION_SCHEMA.VIEW` `` and ``dataset.__TABLES__``: the dataset.
Comments and string literals are blanked first, so text in a header comment
("data from raw.events") is not taken for a table. A region-qualified
INFORMATION_SCHEMA (`` `region-eu` ``) names no dataset and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataset_tui.warehouse.base import BadQueryError

# Comments and string literals (triple-quoted first), blanked before the scan.
_NOISE = re.compile(
    r"--[^\n]*|#[^\n]*|/\*.*?\*/"
    r"|'''.*?'''|\"\"\".*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",
    re.DOTALL,
)
# Every backticked name, left to right (so the text between two of them is never taken for one).
_QUOTED = re.compile(r"`([^`\n]*)`")
_UNQUOTED_PATH = re.compile(
    r"\b(?:FROM|JOIN)\s+([A-Za-z_][\w-]*(?:\.[A-Za-z_*][\w*-]*)+)", re.IGNORECASE
)


@dataclass(frozen=True)
class DatasetRef:
    project: str | None
    dataset: str

    def __str__(self) -> str:
        return f"{self.project}.{self.dataset}" if self.project else self.dataset


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _dataset_of(path: str, default_project: str | None) -> DatasetRef | None:
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        return None
    upper = [p.upper() for p in parts]
    if "INFORMATION_SCHEMA" in upper:
        parts = parts[: upper.index("INFORMATION_SCHEMA")]
        if not parts or parts[-1].lower().startswith("region-"):
            return None
        return DatasetRef(parts[-2] if len(parts) >= 2 else default_project, parts[-1])
    if len(parts) == 2:
        return DatasetRef(default_project, parts[0])
    if len(parts) == 3:
        return DatasetRef(parts[0], parts[1])
    return None


def referenced_datasets(sql: str, default_project: str | None) -> list[DatasetRef]:
    """The datasets whose tables `sql` reads, in order of first mention, each once."""
    text = _NOISE.sub(_blank, sql)
    found: dict[DatasetRef, None] = {}
    for pattern in (_QUOTED, _UNQUOTED_PATH):
        for match in pattern.finditer(text):
            ref = _dataset_of(match.group(1), default_project)
            if ref is not None:
                found.setdefault(ref, None)
    return list(found)


def job_location(located: dict[DatasetRef, str | None], fallback: str | None) -> str | None:
    """The one location of the datasets read (unknown ones ignored), else `fallback`.

    Raises BadQueryError, before any job runs, when they lie in two locations:
    BigQuery cannot read them in one job.
    """
    by_location: dict[str, list[DatasetRef]] = {}
    spelling: dict[str, str] = {}
    for ref, location in located.items():
        if location:
            by_location.setdefault(location.upper(), []).append(ref)
            spelling.setdefault(location.upper(), location)
    if len(by_location) > 1:
        where = "; ".join(
            f"{', '.join(str(r) for r in sorted(refs, key=str))} in {spelling[loc]}"
            for loc, refs in sorted(by_location.items())
        )
        raise BadQueryError(
            f"the query reads tables in {len(by_location)} locations ({where}), and a BigQuery job runs "
            "in one location: copy the tables it needs into one location (a dataset there), "
            "and point the definition at the copies"
        )
    if by_location:
        return spelling[next(iter(by_location))]
    return fallback

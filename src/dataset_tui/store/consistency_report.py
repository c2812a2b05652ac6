"""What `store check` and `store repair` report (consistency.py does the work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from dataset_tui.store.records import DatasetHead
    from dataset_tui.store.versions import Docs

ProblemKind = Literal[
    "missing-heads", "damaged-heads", "missing-dataset", "damaged-dataset", "head-behind", "missing-active",
    "orphan", "damaged-cache", "damaged-index",
]  # fmt: skip


@dataclass(frozen=True)
class StoreProblem:
    kind: ProblemKind
    path: str
    detail: str
    dataset: str | None = None  # "model/name" when one dataset is concerned


@dataclass(frozen=True)
class StoreCheck:
    folder: str
    datasets: int  # dataset files found
    problems: list[StoreProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StoreRepair:
    folder: str
    fixed: list[str] = field(default_factory=list)  # one line per change made
    reattached: list[DatasetHead] = field(default_factory=list)  # orphans given a head again
    remaining: list[StoreProblem] = field(default_factory=list)  # what repair cannot fix (and why)


@dataclass
class Scan:
    """What a scan of the store found (consistency.py reads and repairs from it)."""

    heads: dict[str, tuple[int, int, dict[str, Any]]] = field(default_factory=dict)  # id -> bucket, doc id, doc
    bucket_docs: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    bad_buckets: dict[int, StoreProblem] = field(default_factory=dict)
    problems: list[StoreProblem] = field(default_factory=list)
    files: dict[str, Docs] = field(default_factory=dict)  # readable dataset files
    bad_files: set[str] = field(default_factory=set)

"""The names of a dataset's row sets (full, train, eval) and when each may be asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeGuard

if TYPE_CHECKING:  # the CLI reads the names while building its parser: keep this import light
    from dataset_tui.domain.definition import Definition

SplitName = Literal["full", "train", "eval"]
SPLIT_NAMES: tuple[SplitName, ...] = ("full", "train", "eval")


def is_split_name(name: str) -> TypeGuard[SplitName]:
    return name in SPLIT_NAMES


def split_name_problem(definition: Definition, split: str) -> str | None:
    """Why `split` cannot be asked of this definition (None: it can).

    `full` always exists; `train` and `eval` only when the definition has a split.
    """
    if not is_split_name(split):
        return f"split must be one of {', '.join(SPLIT_NAMES)}, not {split!r}"
    if split != "full" and definition.split is None:
        return (
            f"the {split} split was asked for, but the definition has no \"split\"; "
            "ask for the full data, or add a random or time split to the definition"
        )
    return None

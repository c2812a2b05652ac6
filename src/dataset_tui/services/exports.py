"""Export files of a dataset version: SQL per split, the TFX config and
snippet, the definition file (DESIGN §7 Export, §8 `export`).

File names: `<name>_v<N>_<split>.sql`, `<name>_v<N>_tfx.json`,
`<name>_v<N>_tfx.py`, `<name>_v<N>.json`. Everything is generated before
anything is written, so an error (a TFX type problem, a split the definition
lacks) leaves the folder as it was; existing files are replaced only when the
`confirm_overwrite` callback says yes (the CLI asks or takes --yes, the TUI
shows a modal); each file is written atomically (temp file + rename). Every
export is recorded in the store: version, paths, as-of date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dataset_tui.domain.definition import Definition
from dataset_tui.domain.split_names import (
    SPLIT_NAMES,
    SplitName,
    is_split_name,
    split_name_problem,
)
from dataset_tui.services.calling import in_model
from dataset_tui.services.errors import Declined, ServiceError
from dataset_tui.store import DatasetHead, Store, Version
from dataset_tui.store.materializations import Materialization

SPLITS = SPLIT_NAMES
# What `export` writes when nothing is chosen (the CLI without flags, the TUI form's first state).
DEFAULT_SPLIT = "all"
# What a caller may pick, as the export form lists it: SQL splits, the TFX pair, the definition file.
ITEMS = (*SPLITS, "tfx", "definition")
# Called with the files that exist already; True replaces them.
ConfirmOverwrite = Callable[[list[Path]], bool]
STDOUT = "-"


@dataclass(frozen=True)
class ExportItem:
    """One file to write: its name, its content, and what it is."""

    filename: str
    content: str
    kind: str  # "full" | "train" | "eval" | "tfx_config" | "tfx_snippet" | "definition"


@dataclass(frozen=True)
class ExportResult:
    head: DatasetHead
    version: int
    paths: list[Path]


def splits_for(definition: Definition, split: str | None) -> tuple[SplitName, ...]:
    """The SQL splits a `--split` choice means; "all" is full plus train and eval when there is a split."""
    if split is None:
        return ()
    if split == "all":
        return SPLITS if definition.split is not None else ("full",)
    if not is_split_name(split):
        raise ServiceError(f"unknown split {split!r}; choose full, train, eval or all")
    if split_name_problem(definition, split) is not None:
        raise ServiceError(
            f"{definition.name} has no split, so there is no {split} query; export --split full "
            "(or add a split in a new version)"
        )
    return (split,)


def base_name(name: str, version: int) -> str:
    return f"{name}_v{version}"


def plan(
    definition: Definition,
    version: int,
    *,
    splits: Sequence[str] = (),
    tfx: bool = False,
    definition_file: bool = False,
    as_of: dt.date | None = None,
    project: str | None = None,
    materialized: Materialization | None = None,
) -> list[ExportItem]:
    """Generate every file's content (nothing is written here).

    With `materialized`, the TFX config reads that materialization's tables.
    """
    from dataset_tui.domain.sqlgen import SqlContext, generate_sql
    from dataset_tui.domain.tfx import tfx_input_config, tfx_snippet

    stem = base_name(definition.name, version)
    label = f"{definition.name} v{version}"
    context = SqlContext(project=project, as_of=as_of, label=label)
    items = []
    for split in splits:
        if not is_split_name(split):
            raise ServiceError(f"unknown split {split!r}; choose full, train or eval")
        items.append(ExportItem(f"{stem}_{split}.sql", generate_sql(definition, split, context), split))
    if tfx:
        if materialized is not None:
            from dataset_tui.domain.materialized_tfx import tfx_table_config

            tables = {s.split: s.table for s in materialized.splits}
            typed = _with_types(definition, dict(materialized.columns))
            config = tfx_table_config(typed, tables, label=label, as_of=materialized.as_of)
        else:
            config = tfx_input_config(definition, context)
        items.append(ExportItem(f"{stem}_tfx.json", json.dumps(config, indent=2) + "\n", "tfx_config"))
        items.append(ExportItem(f"{stem}_tfx.py", tfx_snippet(definition, context, config=config), "tfx_snippet"))
    if definition_file:
        items.append(ExportItem(f"{stem}.json", definition.to_json(), "definition"))
    return items


def write_files(folder: Path, items: Sequence[ExportItem], *, confirm_overwrite: ConfirmOverwrite | None) -> list[Path]:
    """Write the items into `folder` (created if missing), replacing files only if confirmed.

    Every target is checked before anything is written (safe_write's rules:
    no device, FIFO, socket or folder at a file's path), so a refusal leaves
    the folder as it was.
    """
    from dataset_tui.services import safe_write

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ServiceError(f"{folder} is a file; give a folder to export into")
    paths = [folder / item.filename for item in items]
    existing = [p for p in paths if os.path.lexists(p)]
    if folder.is_dir():
        for path in paths:
            safe_write.check_target(path, overwrite=True)  # special files are refused even with --yes
    if existing and (confirm_overwrite is None or not confirm_overwrite(existing)):
        raise Declined(
            f"nothing exported: {', '.join(p.name for p in existing)} already "
            f"{'exists' if len(existing) == 1 else 'exist'} in {folder}"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServiceError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    for path, item in zip(paths, items, strict=True):
        safe_write.write_text(path, item.content, overwrite=path in existing)
    return paths


def _choose(
    store: Store, model: str, name: str, version: int | None
) -> tuple[DatasetHead, Version]:
    from dataset_tui.services.definitions import resolve

    return resolve(store, model, name, version)


@in_model
def export_dataset(
    store: Store,
    model: str,
    name: str,
    *,
    folder: str | Path,
    items: Sequence[str] | None = None,
    split: str | None = None,
    tfx: bool = False,
    definition_file: bool = False,
    version: int | None = None,
    as_of: dt.date | None = None,
    project: str | None = None,
    confirm_overwrite: ConfirmOverwrite | None = None,
    from_materialized: bool = False,
) -> ExportResult:
    """Write the chosen files of a version (default: active, else latest) and record it.

    Choose with `items` (any of ITEMS, as a form's checkboxes give them) or
    with `split` / `tfx` / `definition_file` (as the CLI's flags do); with no
    choice at all, every SQL split (`--split all`). Also callable as
    `export_dataset(ctx, name, ...)` with an AppContext.
    """
    head, chosen = _choose(store, model, name, version)
    if items is not None:
        unknown = [i for i in items if i not in ITEMS]
        if unknown or split is not None or not items:
            raise ServiceError(
                f"choose one or more items among {', '.join(ITEMS)}, and no split besides "
                f"(got {', '.join(map(repr, items)) or 'nothing'})"
            )
        splits: tuple[SplitName, ...] = tuple(s for s in SPLITS if s in items)
        for s in splits:
            splits_for(chosen.definition, s)  # a split the definition lacks is an error
        tfx, definition_file = "tfx" in items, "definition" in items
    else:
        if split is None and not tfx and not definition_file:
            split = DEFAULT_SPLIT
        splits = splits_for(chosen.definition, split)
    files = plan(
        chosen.definition,
        chosen.number,
        splits=splits,
        tfx=tfx,
        definition_file=definition_file,
        as_of=as_of,
        project=project,
        materialized=_materialized(store, model, head.name, chosen.number, tfx, from_materialized),
    )
    paths = write_files(Path(folder), files, confirm_overwrite=confirm_overwrite)
    store.record_export(model, head.name, chosen.number, [str(p.resolve()) for p in paths], as_of)
    return ExportResult(head, chosen.number, paths)


@in_model
def export_one(
    store: Store,
    model: str,
    name: str,
    *,
    split: str | None = None,
    tfx: bool = False,
    definition_file: bool = False,
    version: int | None = None,
    as_of: dt.date | None = None,
    project: str | None = None,
    from_materialized: bool = False,
) -> ExportItem:
    """The one item `-o -` prints; recorded as an export to standard output.

    For `--tfx` that item is the input_config JSON (the snippet is a file
    convenience that embeds the same queries).
    """
    head, chosen = _choose(store, model, name, version)
    chosen_kinds = sum([split is not None, tfx, definition_file])
    if chosen_kinds != 1 or split == "all":
        raise ServiceError(
            "-o - prints exactly one item: choose one of --split full|train|eval, --tfx or --definition"
        )
    items = plan(
        chosen.definition,
        chosen.number,
        splits=splits_for(chosen.definition, split),
        tfx=tfx,
        definition_file=definition_file,
        as_of=as_of,
        project=project,
        materialized=_materialized(store, model, head.name, chosen.number, tfx, from_materialized),
    )
    item = items[0]
    store.record_export(model, head.name, chosen.number, [STDOUT], as_of)
    return item


def _materialized(
    store: Store, model: str, name: str, version: int, tfx: bool, wanted: bool
) -> Materialization | None:
    """The version's most recent materialization, for `--tfx --from-materialized`."""
    if not wanted:
        return None
    if not tfx:
        raise ServiceError("--from-materialized applies to the TFX config: add --tfx")
    from dataset_tui.store.materializations import materializations

    found = materializations(store, model, name, version=version)
    if not found:
        raise ServiceError(
            f"{name} v{version} was never materialized; run `dataset-tui materialize {name} --version {version}` "
            "first, or export without --from-materialized"
        )
    return max(found, key=lambda m: m.created_at)


def _with_types(definition: Definition, types: dict[str, str]) -> Definition:
    """The definition with each column's type as the materialization recorded it (by output name)."""
    from dataset_tui.domain.definition import parse_definition

    data = definition.to_dict()
    for column, entry in zip(definition.columns, data["columns"], strict=True):
        if column.output_name in types:
            entry["type"] = types[column.output_name]
    return parse_definition(data)

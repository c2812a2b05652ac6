"""Use cases over the store: save with checks, import files, activate, export a definition."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataset_tui.cli.json_shapes import details_json
from dataset_tui.domain.definition import Definition, DefinitionError, Problem, parse_definition_json
from dataset_tui.services import definitions as svc
from dataset_tui.services.errors import ServiceError
from dataset_tui.store import ConflictError, NameTakenError, NotFoundError, Store
from store_support import definition, definition_dict, small_warehouse

M = "default"


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "store") as opened:
        yield opened


def _nothing_written(store: Store) -> bool:
    files = sorted(p.name for p in store.folder.rglob("*") if p.is_file())
    return store.list(M) == [] and files == [".lock", "meta.json"]


def test_an_invalid_definition_writes_nothing_and_lists_every_problem(store: Store) -> None:
    bad = definition_dict("bad name", extra_key=1)
    bad["columns"][0]["role"] = "revenue"  # now two revenue columns
    bad["split"] = {"type": "random", "train_percent": 120}
    with pytest.raises(DefinitionError) as caught:
        svc.save(store, bad)
    paths = {p.path for p in caught.value.problems}
    assert {"name", "extra_key", "split.train_percent"} <= paths
    assert _nothing_written(store)
    # Cross-field rules too, once the structure is sound.
    cross = definition_dict()
    cross["columns"][0]["role"] = "revenue"
    with pytest.raises(DefinitionError) as caught:
        svc.save(store, cross)
    assert [p.path for p in caught.value.problems] == [
        "columns[0].type",
        "columns[3].role",
        "columns[3]",
        "filters.min_transactions",
        "split.key",
    ]
    assert _nothing_written(store)


def test_save_modes(store: Store) -> None:
    created = svc.save(store, definition_dict(percent=80), mode="create", note="hello")
    assert created.created and created.version.number == 1 and created.head.revision == 1  # type: ignore[union-attr]
    with pytest.raises(NameTakenError):
        svc.save(store, definition_dict(percent=70), mode="create")
    with pytest.raises(NotFoundError):
        svc.save(store, definition_dict("missing"), mode="update")
    saved = svc.save(store, definition_dict(percent=70), mode="update", base_revision=1)
    assert not saved.created and saved.version.number == 2  # type: ignore[union-attr]
    assert saved.describe() == "saved purchases_6m v2"
    unchanged = svc.save(store, definition(percent=70), base_revision=2)
    assert unchanged.unchanged and unchanged.describe() == "purchases_6m unchanged (still v2)"
    with pytest.raises(ConflictError):
        svc.save(store, definition_dict(percent=60), mode="update", base_revision=1)


def _write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_import_many_files_each_all_or_nothing(store: Store, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", definition_dict("good"))
    other_model = _write(tmp_path / "other.json", definition_dict("good", model="ranking"))
    broken_json = _write(tmp_path / "broken.json", '{"format": "dataset-tui/1", ')
    invalid = _write(tmp_path / "invalid.json", definition_dict("fine", columns=[]))
    outcomes = svc.import_files(
        store, [good, broken_json, tmp_path / "missing.json", invalid, tmp_path, other_model], note="batch"
    )
    assert [o.ok for o in outcomes] == [True, False, False, False, False, True]
    assert "not valid JSON (line 1" in outcomes[1].error  # type: ignore[operator]
    assert "cannot read" in outcomes[2].error and "No such file" in outcomes[2].error  # type: ignore[operator]
    assert "columns" in outcomes[3].error and str(invalid) not in outcomes[3].error  # type: ignore[operator]
    assert "is a folder" in outcomes[4].error  # type: ignore[operator]
    assert [h.name for h in store.list(M)] == ["good"]
    assert [h.name for h in store.list("ranking")] == ["good"]  # the file's model decides
    assert store.version(M, "good", 1).note == "batch"


def test_import_treats_the_file_as_the_truth_on_top_of_the_latest(store: Store, tmp_path: Path) -> None:
    svc.save(store, definition_dict(percent=80))
    svc.save(store, definition_dict(percent=70), mode="update", base_revision=1)  # someone else's edit
    file = _write(tmp_path / "mine.json", definition_dict(percent=80))
    outcome = svc.import_file(store, file)
    assert outcome.version.number == 3  # type: ignore[union-attr]
    assert store.version(M, "purchases_6m", 3).definition == store.version(M, "purchases_6m", 1).definition
    # With a base revision, a stale file is refused instead.
    [refused] = svc.import_files(store, [_write(tmp_path / "x.json", definition_dict(percent=5))], base_revision=2)
    assert refused.conflict and "Nothing was saved" in refused.error  # type: ignore[operator]
    assert store.get(M, "purchases_6m").revision == 3


def test_activate_runs_the_checks_on_the_chosen_version(store: Store) -> None:
    svc.save(store, definition_dict(percent=80))
    svc.save(store, definition_dict(percent=70), mode="update")
    seen: list[Definition] = []

    def refuse(defn: Definition) -> list[Problem]:
        seen.append(defn)
        return [Problem(path="columns[0].name", message="column 'customer_id' does not exist in transactions")]

    with pytest.raises(svc.ActivationRefused) as caught:
        svc.activate(store, M, "purchases_6m", 1, checks=refuse)
    assert "v1 was not activated" in str(caught.value) and "customer_id" in str(caught.value)
    assert seen[0].split.train_percent == 80  # type: ignore[union-attr]
    assert store.get(M, "purchases_6m").active_version is None

    head = svc.activate(store, M, "purchases_6m", checks=lambda d: seen.append(d) or [])  # type: ignore[func-returns-value]
    assert head.active_version == 2 and seen[-1].split.train_percent == 70  # type: ignore[union-attr]


def test_delete_needs_force_for_an_active_dataset(store: Store) -> None:
    from dataset_tui.store import ActiveDatasetError

    svc.save(store, definition_dict())
    svc.activate(store, M, "purchases_6m")
    with pytest.raises(ActiveDatasetError):
        svc.delete(store, M, "purchases_6m")
    assert svc.delete(store, M, "purchases_6m", force=True).name == "purchases_6m"
    assert svc.undelete(store, M, "purchases_6m").status == "active"


def test_export_definition_uses_the_active_version_and_round_trips(store: Store, tmp_path: Path) -> None:
    svc.save(store, definition_dict(percent=80))
    svc.save(store, definition_dict(percent=70), mode="update")
    svc.activate(store, M, "purchases_6m", 1)
    version, text = svc.export_definition(store, M, "purchases_6m")
    assert version.number == 1
    assert parse_definition_json(text) == store.version(M, "purchases_6m", 1).definition
    out = tmp_path / "out.json"
    version, _ = svc.export_definition(store, M, "purchases_6m", version=2, output=out)
    assert parse_definition_json(out.read_text()).split.train_percent == 70  # type: ignore[union-attr]
    [record] = store.exports(M, "purchases_6m")
    assert (record.version, record.paths) == (2, [str(out.resolve())])
    # A file exported and imported again is unchanged.
    assert svc.import_file(store, out).unchanged
    with pytest.raises(ServiceError, match="cannot write"):
        svc.export_definition(store, M, "purchases_6m", output=tmp_path / "no" / "such" / "dir" / "x.json")


def test_show_gathers_definition_versions_analysis_and_exports(store: Store) -> None:
    v1 = svc.save(store, definition_dict(percent=80)).version
    store.save_analysis(M, "purchases_6m", v1.definition_hash, {"rows": 42})  # type: ignore[union-attr]
    svc.save(store, definition_dict(percent=70), mode="update")
    found = svc.details(store, M, "purchases_6m")
    assert found.version.number == 2 and found.version.definition.split.train_percent == 70  # type: ignore[union-attr]
    assert [v.number for v in found.versions] == [1, 2]
    assert found.analysis is not None
    assert found.analysis.stale is True and found.analysis.result == {"rows": 42}
    assert found.exports == []
    data = details_json(found)  # the `show --json` shape made from it
    assert data["definition_version"] == 2 and data["definition"]["split"]["train_percent"] == 70
    assert [v["version"] for v in data["versions"]] == [2, 1]
    assert data["analysis"]["stale"] is True and data["analysis"]["result"] == {"rows": 42}
    assert data["exports"] == []


def test_use_cases_take_an_app_context_too(store: Store, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from dataset_tui.services import exports

    ctx = SimpleNamespace(store=store, model=M)
    svc.save(ctx, definition_dict(percent=80))
    svc.save(ctx, definition_dict(percent=70), mode="update")
    assert svc.get_dataset(ctx, "purchases_6m").revision == 2
    assert svc.get_version(ctx, "purchases_6m", 1).definition.split.train_percent == 80  # type: ignore[union-attr]
    assert [v.number for v in svc.list_versions(ctx, "purchases_6m")] == [1, 2]
    assert svc.clone(ctx, "purchases_6m", "copy").definition.name == "copy"
    assert [h.name for h in svc.list_datasets(ctx, search="cop")] == ["copy"]
    assert svc.count_datasets(ctx) == 2 and svc.list_models(ctx) == [M]
    assert svc.restore(ctx, "purchases_6m", 1).number == 3
    assert svc.cached_analysis(ctx, "purchases_6m") is None
    result = exports.export_dataset(ctx, "purchases_6m", folder=tmp_path / "out", items=["eval", "definition"])
    assert [p.name for p in result.paths] == ["purchases_6m_v3_eval.sql", "purchases_6m_v3.json"]
    with pytest.raises(ServiceError, match="choose one or more items"):
        exports.export_dataset(ctx, "purchases_6m", folder=tmp_path / "out", items=["csv"])
    svc.delete(ctx, "copy")
    assert svc.count_datasets(ctx) == 1


def test_activating_through_a_context_checks_its_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataset_tui.services.context import AppContext

    monkeypatch.chdir(tmp_path)  # no config file of the machine's user
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("DATASET_TUI_CONFIG", "DATASET_TUI_PROFILE", "DATASET_TUI_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)
    ctx = AppContext.open(db=tmp_path / "db", warehouse=small_warehouse(tmp_path / "w.duckdb"))
    try:
        wrong = definition_dict()
        wrong["columns"][4]["name"] = "colour"
        svc.save(ctx, wrong)
        with pytest.raises(svc.ActivationRefused, match="colour"):
            svc.activate(ctx, "purchases_6m")
        svc.save(ctx, definition_dict())
        assert svc.activate(ctx, "purchases_6m").active_version == 2
    finally:
        ctx.close()


def test_details_are_typed_records_of_the_version_in_use(store: Store) -> None:
    svc.save(store, definition("ds", percent=80))
    svc.save(store, definition("ds", percent=70))
    store.activate("default", "ds", 1)
    store.save_analysis("default", "ds", store.version("default", "ds", 1).definition_hash, {"rows": 7})
    found = svc.details(store, "default", "ds")
    assert isinstance(found, svc.DatasetDetails)
    assert (found.head.active_version, found.version.number) == (1, 1)
    assert [v.number for v in found.versions] == [1, 2]
    assert found.analysis is not None and found.analysis.result == {"rows": 7} and not found.analysis.stale
    assert found.exports == []
    assert details_json(found)["definition_version"] == 1


def test_an_upsert_with_a_base_revision_never_creates(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no v3 to save on top of"):
        svc.save(store, definition("fresh"), base_revision=3)
    assert store.list("default") == []
    assert svc.deleted_datasets(store, "default") == []

"""Store speed at 1,000 and 5,000 datasets x 10 versions, beside stock TinyDB.

Figures (medians, milliseconds):
- save: one `update` that adds a version to an existing dataset (fsyncs included);
- open+list: a fresh `Store.open` on a folder nothing in this process has read,
  then listing every head of the model (the home screen's first query);
- process: the same in a new Python process, interpreter start and imports
  included (what `dataset-tui list` waits for before printing).

Baseline, measured in the same run: one stock TinyDB file (JSONStorage) with
a heads table and a versions table holding the same documents; its save is
the same two writes (insert the version, update the head) and its open+list
is `TinyDB(path).table("heads").all()`.

Fixtures are written in bulk, straight into each layout's files: going
through the API for 50,000 versions would take far longer than the figures.
Targets (issue 3): save <= 25 ms, open+list <= 150 ms at 5,000 x 10.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dataset_tui.domain.definition import parse_definition  # noqa: E402
from dataset_tui.store import Store, layout  # noqa: E402

VERSIONS = 10
SIZES = (1000, 5000)
SAVES = 40
OPENS = 7
STOCK_SAVES = {1000: 5, 5000: 3}
STOCK_OPENS = {1000: 3, 5000: 2}
WHEN = "2025-01-01T00:00:00+00:00"


# The example definition of DESIGN §3: the file the README imports and the
# tests start from (tests/example_definition.py), with the demo warehouse's
# column types, as a dataset saved from the wizard carries them.
EXAMPLE = json.loads((ROOT / "examples" / "purchases_6m.json").read_text())
DEMO_TYPES = {
    ("transactions", "customer_id"): "STRING",
    ("transactions", "product_id"): "STRING",
    ("transactions", "ts"): "TIMESTAMP",
    ("transactions", "amount"): "NUMERIC",
    ("products", "category"): "STRING",
}


def template(percent: int) -> dict:
    data = copy.deepcopy(EXAMPLE)
    data["name"] = "x"
    for column in data["columns"]:
        column["type"] = DEMO_TYPES[(column["table"], column["name"])]
    data["split"] = {"type": "random", "train_percent": percent}
    return data


# One parsed definition per version number: hashes leave out the name.
VARIANTS = [parse_definition(template(50 + v)) for v in range(1, VERSIONS + 1)]
DICTS = [d.to_dict() for d in VARIANTS]
HASHES = [d.content_hash() for d in VARIANTS]


def version_doc(name: str, v: int) -> dict:
    definition = {**DICTS[v - 1], "name": name}
    return {"definition": definition, "hash": HASHES[v - 1], "created_at": WHEN, "author": "bench", "note": None}


def head_doc(dataset_id: str, name: str) -> dict:
    return {
        "id": dataset_id,
        "model": "default",
        "name": name,
        "description": DICTS[0]["description"],
        "revision": VERSIONS,
        "active_version": 3,
        "tables": 2,
        "columns": 5,
        "versions": VERSIONS,
        "created_at": WHEN,
        "updated_at": WHEN,
        "latest_hash": HASHES[-1],
        "active_hash": HASHES[2],
        "last_analysis_rows": 123456,
        "deleted_at": None,
    }


def build_ours(folder: Path, n: int) -> list[str]:
    Store.open(folder).close()  # meta.json
    (folder / layout.DATASETS_DIR).mkdir()
    (folder / layout.HEADS_DIR).mkdir(exist_ok=True)
    buckets: list[dict] = [{} for _ in range(layout.HEAD_BUCKETS)]
    names = []
    for i in range(n):
        name = f"dataset_{i:05d}"
        dataset_id = f"{i:016x}"
        versions = {str(v): version_doc(name, v) for v in range(1, VERSIONS + 1)}
        layout.dataset_path(folder, dataset_id).write_text(json.dumps({"versions": versions}))
        bucket = buckets[layout.head_bucket(dataset_id)]
        bucket[str(len(bucket) + 1)] = head_doc(dataset_id, name)
        names.append(name)
    for b, docs in enumerate(buckets):
        if docs:
            layout.heads_path(folder, b).write_text(json.dumps({"heads": docs}))
    return names


def build_stock(path: Path, n: int) -> None:
    heads, versions = {}, {}
    for i in range(n):
        name = f"dataset_{i:05d}"
        heads[str(i + 1)] = head_doc(f"{i:016x}", name)
        for v in range(1, VERSIONS + 1):
            versions[str(i * VERSIONS + v)] = {**version_doc(name, v), "dataset": name, "number": v}
    with open(path, "w") as handle:
        json.dump({"heads": heads, "versions": versions}, handle)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def bench_ours(folder: Path, names: list[str]) -> tuple[float, float]:
    opens = []
    for _ in range(OPENS):
        start = time.perf_counter()
        store = Store.open(folder)
        heads = store.list("default")
        opens.append(time.perf_counter() - start)
        assert len(heads) == len(names)
        store.close()
    store = Store.open(folder)
    store.list("default")
    rng = random.Random(1)
    saves = []
    for i in range(SAVES):
        name = rng.choice(names)
        head = store.get("default", name)
        definition = VARIANTS[i % VERSIONS].replace(name=name, description=f"edit {i}")
        start = time.perf_counter()
        made = store.update(definition, base_revision=head.revision, note="bench")
        saves.append(time.perf_counter() - start)
        assert made is not None
    store.close()
    return statistics.median(saves), statistics.median(opens)


def bench_stock(path: Path, n: int) -> tuple[float, float]:
    from tinydb import TinyDB

    opens = []
    for _ in range(STOCK_OPENS[n]):
        start = time.perf_counter()
        db = TinyDB(path)
        heads = db.table("heads").all()
        opens.append(time.perf_counter() - start)
        assert len(heads) == n
        db.close()
    db = TinyDB(path)
    saves = []
    for i in range(STOCK_SAVES[n]):
        start = time.perf_counter()
        db.table("versions").insert({**version_doc("dataset_00001", 1), "dataset": "dataset_00001", "number": 11 + i})
        db.table("heads").update({"revision": 11 + i, "updated_at": WHEN}, doc_ids=[2])
        saves.append(time.perf_counter() - start)
    db.close()
    return statistics.median(saves), statistics.median(opens)


OURS_PROCESS = (
    "import sys; sys.path.insert(0, {src!r}); from dataset_tui.store import Store; "
    "assert len(Store.open({folder!r}).list('default')) == {n}"
)
STOCK_PROCESS = "from tinydb import TinyDB; assert len(TinyDB({path!r}).table('heads').all()) == {n}"


def process_ms(code: str, runs: int) -> float:
    import subprocess

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def disk_floor_ms() -> float:
    """What one durable small-file replace costs on this disk now (the floor under a save)."""
    from dataset_tui.store.storage import atomic_write_bytes

    folder = Path(tempfile.mkdtemp(prefix="store-bench-disk-"))
    times = []
    for i in range(30):
        start = time.perf_counter()
        atomic_write_bytes(folder / "f.json", b"x" * 4096 + str(i).encode())
        times.append(time.perf_counter() - start)
    shutil.rmtree(folder)
    return statistics.median(times)


def main() -> int:
    print(f"store benchmark: datasets x {VERSIONS} versions; medians; baseline = stock TinyDB single file")
    print(f"disk now: one 4 KiB file replaced durably (file + folder fsync) takes {ms(disk_floor_ms()).strip()}; "
          "a save replaces two")
    print(f"{'datasets':>9}  {'figure':<10} {'ours':>11} {'stock':>11} {'speed-up':>9}  target")
    for n in SIZES:
        work = Path(tempfile.mkdtemp(prefix="store-bench-"))
        try:
            names = build_ours(work / "ours", n)
            build_stock(work / "stock.json", n)
            os.sync()
            save, open_list = bench_ours(work / "ours", names)
            stock_save, stock_open = bench_stock(work / "stock.json", n)
            target_save = "<= 25 ms" if n == 5000 else ""
            target_open = "<= 150 ms" if n == 5000 else ""
            print(f"{n:>9}  {'save':<10} {ms(save)} {ms(stock_save)} {stock_save / save:8.0f}x  {target_save}")
            speedup = stock_open / open_list
            print(f"{n:>9}  {'open+list':<10} {ms(open_list)} {ms(stock_open)} {speedup:8.0f}x  {target_open}")
            ours_proc = process_ms(OURS_PROCESS.format(src=str(ROOT / "src"), folder=str(work / "ours"), n=n), 5)
            stock_proc = process_ms(STOCK_PROCESS.format(path=str(work / "stock.json"), n=n), STOCK_OPENS[n])
            print(f"{n:>9}  {'process':<10} {ms(ours_proc)} {ms(stock_proc)} {stock_proc / ours_proc:8.1f}x")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The keys cache beside each heads file (store/heads_keys.py): what it keeps and what it refuses."""

from __future__ import annotations

from pathlib import Path

from dataset_tui.store import heads_keys
from dataset_tui.store.heads_keys import BucketKeys


def _keys(names: list[str]) -> BucketKeys:
    count = len(names)
    return BucketKeys(
        (7, 8, 9),
        [f"id{i}" for i in range(count)],
        list(range(1, count + 1)),
        ["default"] * count,
        names,
        [i % 2 == 0 for i in range(count)],
    )


def test_keys_read_back_as_written(tmp_path: Path) -> None:
    for names in ([], ["a"], ["", "b-c", "été\n"], [f"n{i}" for i in range(500)]):
        path = heads_keys.cache_path(tmp_path, 3)
        heads_keys.save(path, _keys(names))
        assert path.name == "03.keys"
        assert heads_keys.load(path) == _keys(names)


def test_a_bucket_holding_the_separator_is_not_cached(tmp_path: Path) -> None:
    path = heads_keys.cache_path(tmp_path, 0)
    heads_keys.save(path, _keys(["a,b", "c"]))  # a hand-edited heads file: it could not be split back
    assert not path.exists()


def test_a_file_of_the_wrong_shape_is_not_believed(tmp_path: Path) -> None:
    path = tmp_path / "00.keys"
    good = '"format": 2, "stamp": [1, 2, 3], "count": 2, "ids": "a,b", "doc_ids": [1, 2], "models": "m,m"'
    for text in (
        "{" + good + ', "names": "x,y", "live": "10"}',  # the one that is fine
        "{" + good + ', "names": "x", "live": "10"}',  # a column too short
        "{" + good + ', "names": "x,y", "live": "12"}',  # live not 1s and 0s
        "{" + good + ', "names": ["x", "y"], "live": "10"}',  # a list, not a string
        "{" + good.replace("[1, 2]", '[1, "2"]') + ', "names": "x,y", "live": "10"}',  # a document id not a number
        "{" + good.replace("[1, 2]", "[1]") + ', "names": "x,y", "live": "10"}',  # too few document ids
        "{" + good.replace('"format": 2', '"format": 1') + ', "names": "x,y", "live": "10"}',
    ):
        path.write_text(text)
        loaded = heads_keys.load(path)
        if text.startswith("{" + good + ', "names": "x,y", "live": "10"'):
            assert loaded == BucketKeys((1, 2, 3), ["a", "b"], [1, 2], ["m", "m"], ["x", "y"], [True, False])
        else:
            assert loaded is None, text

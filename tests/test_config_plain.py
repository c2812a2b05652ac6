"""Config loading without pydantic: the plain reading agrees with the schema's.

config.py reads a plainly right file into dataclasses by itself and leaves
anything else to the pydantic schema (config_schema.py); both must give the
same profiles, and the schema must know exactly the keys the dataclass has.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from dataset_tui.config import Profile, load_settings
from dataset_tui.config_schema import ProfileSchema

ROOT = Path(__file__).resolve().parent.parent


def test_the_schema_and_the_dataclass_have_the_same_keys_and_defaults() -> None:
    plain = {f.name: f.default for f in dataclasses.fields(Profile)}
    schema = {name: info.default for name, info in ProfileSchema.model_fields.items()}
    assert plain == schema


BODIES = [
    "",
    'backend = "bigquery"\nproject = "p"\nlocation = "EU"\nprice_per_tib = 5\nconfirm_bytes = "10 GiB"\n'
    'max_bytes_billed = 1099511627776\napprox_distinct = true\ntimeout_s = 12.5\napi_endpoint = "http://127.0.0.1:9050"\n',
    'path = "wh.duckdb"\ndataset = "raw_2"\n',
    # Not plainly right, but accepted by the schema as before: a number written as text, an integer timeout.
    'backend = "bigquery"\nprice_per_tib = "6.5"\ntimeout_s = 30\n',
]


@pytest.mark.parametrize("body", BODIES)
def test_a_file_reads_as_the_schema_reads_it(body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'default_profile = "p1"\n[profiles.p1]\n{body}')
    monkeypatch.setenv("DATASET_TUI_CONFIG", str(path))
    profile = load_settings().profile()
    import tomllib

    data = tomllib.loads(path.read_text())["profiles"]["p1"]
    if "path" in data:
        data["path"] = str(tmp_path / data["path"])
    expected = ProfileSchema.model_validate({**data, "name": "p1"}).model_dump()
    assert dataclasses.asdict(profile) == expected
    assert {k: type(v) for k, v in dataclasses.asdict(profile).items()} == {k: type(v) for k, v in expected.items()}


def test_list_json_loads_no_pydantic(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[profiles.local]\nconfirm_bytes = "1 GiB"\n')
    code = f"""
import io, contextlib, sys
from dataset_tui.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    assert main(["--db", {str(tmp_path / 'store')!r}, "list", "--json"]) == 0
assert out.getvalue() == "[]\\n", out.getvalue()
print(sorted(m for m in sys.modules if m.startswith("pydantic") or m in ("duckdb", "numpy", "textual")))
"""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path),
           "DATASET_TUI_CONFIG": str(tmp_path / "config.toml")}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

"""verify on BigQuery (recording fake): one question for the whole check, and a "no" runs nothing.

The fake answers every fingerprint query with the same row, so the freshly
recorded materialization verifies as unchanged; what is checked is the cost
guard around the queries and the JSON and exit code the CLI makes of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataset_tui.services import materialize as mat, verify as ver
from dataset_tui.services.errors import Declined
from emulator import AS_OF
from test_materialize_bigquery import GIB, fake_ctx


def test_verify_asks_once_for_the_total_and_no_runs_nothing(tmp_path: Path) -> None:
    ctx, client = fake_ctx(tmp_path)
    try:
        mat.materialize(ctx, "recent", as_of=AS_OF)
        client.dry_run_bytes = 4 * GIB  # 2 pinned queries + 2 tables: 16 GiB, above confirm_bytes (10 GiB)
        before = client.count("query")
        asked: list[Any] = []
        with pytest.raises(Declined):
            ver.verify(ctx, "recent", confirm=lambda dry: asked.append(dry) or False)
        assert [a.bytes_processed for a in asked] == [16 * GIB]
        assert client.count("query") == before
        result = ver.verify(ctx, "recent", confirm=lambda dry: True)
        assert result.status == "unchanged"
        assert [c.table_state for c in result.checks] == ["intact", "intact"]
        fingerprint_jobs = client.of("query")[before:]
        assert len(fingerprint_jobs) == 4
        assert all(c.config.maximum_bytes_billed == 100 * GIB for c in fingerprint_jobs)
    finally:
        ctx.close()


def test_a_profile_on_another_engine_cannot_verify(tmp_path: Path, open_context: Any, demo_copy: Path) -> None:
    from dataset_tui.services.errors import ServiceError

    ctx, _ = fake_ctx(tmp_path)
    try:
        mat.materialize(ctx, "recent", as_of=AS_OF)
    finally:
        ctx.close()
    local = open_context(demo_copy, db=tmp_path / "store")
    with pytest.raises(ServiceError, match="materialized on bigquery"):
        ver.verify(local, "recent")

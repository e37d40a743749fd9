"""A run's files appear together; an interrupted run is rolled forward or leaves nothing visible."""

from __future__ import annotations

import datetime
import json
import os

from schemas import ERRORS
from schemas.errors import make_error
from transforms.sinks import commit, layout, parquet

UTC = datetime.timezone.utc


def _write_temp(output: str, run_id: str, shard: int) -> tuple[str, str]:
    row = make_error("fetch", f"https://a.example/{run_id}/{shard}", "timeout", "slow", now=datetime.datetime(2026, 11, 18, tzinfo=UTC))
    args = (output, ERRORS.name, "2026-11-18", run_id, shard)
    temp, final = layout.temp_file_path(*args), layout.final_file_path(*args)
    parquet.write_parquet_file(temp, ERRORS, [row._asdict()])
    return temp, final


def test_commit_moves_all_files_and_leaves_no_manifest(tmp_path):
    output = str(tmp_path)
    moves = [_write_temp(output, "run", shard) for shard in range(3)]
    assert commit.commit_files(output, "run", moves) == 3
    assert all(os.path.exists(final) and not os.path.exists(temp) for temp, final in moves)
    assert not list((tmp_path / "_temp" / "run").glob("commit-*.json"))


def test_interrupted_commit_is_rolled_forward_by_the_next_run(tmp_path):
    output = str(tmp_path)
    moves = [_write_temp(output, "crashed", shard) for shard in range(2)]
    parquet.publish(*moves[0])  # the crash came after the first move
    manifest = tmp_path / "_temp" / "crashed" / "commit-x.json"
    manifest.write_text(json.dumps({"run_id": "crashed", "moves": moves}))
    assert commit.recover_interrupted_runs(output) == ["crashed"]
    assert all(os.path.exists(final) for _, final in moves)
    assert not manifest.exists()


def test_run_that_died_before_committing_shows_nothing_and_is_discarded_by_the_lock_holder(tmp_path, query):
    output = str(tmp_path / "out")
    _write_temp(output, "died", 0)
    _write_temp(output, "current", 0)
    assert query("select count(*) as n from errors")[0]["n"] == 0
    assert commit.recover_interrupted_runs(output) == []
    assert commit.discard_unfinished_runs(output, keep="current") == ["died"]
    assert not (tmp_path / "out" / "_temp" / "died").exists()
    assert (tmp_path / "out" / "_temp" / "current").exists()

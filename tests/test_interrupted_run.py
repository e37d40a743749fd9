"""A run that dies shows nothing half-done, and the next run completes the work."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from sample_corpus import CORPUS_FOLDER
from transforms.sinks import commit

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())


class Crash(Exception):
    pass


def _rows(query, output):
    return {
        table: query(f"select count(*) as n from {table}", output)[0]["n"] for table in ("articles", "events", "errors")
    }


def test_run_dying_before_its_commit_leaves_nothing_and_the_next_run_does_everything(tmp_path, query, monkeypatch, capsys):
    output = tmp_path / "out"

    def die(*_args, **_kwargs):
        raise Crash("worker lost before the commit")

    monkeypatch.setattr(commit, "commit_files", die)
    assert main(["run", "--sample", "--output", str(output), "--run-id", "dies"]) == 1
    err = capsys.readouterr().err
    assert "worker lost before the commit" in err and "Traceback" not in err
    assert _rows(query, output) == {"articles": 0, "events": 0, "errors": 0}
    record = json.loads((output / "_state" / "runs" / "dies.json").read_text())
    assert record["status"] == "failed" and "nothing of it was written" in record["state"]
    assert not (output / "_state" / "feeds" / "validators.json").exists()

    monkeypatch.undo()
    assert main(["run", "--sample", "--output", str(output), "--run-id", "completes"]) == 0
    rows = _rows(query, output)
    assert rows["articles"] == len(MANIFEST) and rows["events"] > 0
    assert query("select count(distinct article_id) as n from articles", output)[0]["n"] == len(MANIFEST)


def test_run_dying_in_the_middle_of_its_commit_is_rolled_forward_by_the_next(tmp_path, query, monkeypatch, capsys):
    output = tmp_path / "out"
    real_publish = commit.publish
    moved = []

    def publish_then_die(temp_path, final_path):
        if moved:
            raise Crash("worker lost during the commit")
        real_publish(temp_path, final_path)
        moved.append(final_path)

    monkeypatch.setattr(commit, "publish", publish_then_die)
    assert main(["run", "--sample", "--output", str(output), "--run-id", "half"]) == 1
    assert len(moved) == 1

    monkeypatch.undo()
    capsys.readouterr()
    assert main(["run", "--sample", "--output", str(output), "--run-id", "next"]) == 0
    assert "Completed the interrupted commit of run half." in capsys.readouterr().out
    record = json.loads((output / "_state" / "runs" / "next.json").read_text())
    assert record["recovered_runs"] == ["half"]
    assert query("select count(*) as n, count(distinct article_id) as ids from articles", output) == [
        {"n": len(MANIFEST), "ids": len(MANIFEST)}
    ]
    # Everything came from the interrupted run: the next one found it all stored.
    assert record["rows"]["articles"] == 0


def test_an_interrupt_beam_swallowed_is_raised_before_the_next_job():
    # Beam logs and drops an interrupt that lands in a DoFn's teardown; a stream asks after each job.
    import signal as signals

    from transforms.sinks import interrupts

    with interrupts.interrupts_as_exceptions():
        interrupts.raise_if_received()  # nothing received: nothing raised
        interrupts._received.append(signals.SIGTERM)
        with pytest.raises(interrupts.Terminated):
            interrupts.raise_if_received()

"""Unattended runs: a typo, a reused run id, an overlapping run, an interrupt or a dead source
never costs stored data, and each ends with one clear line and a status a scheduler can act on.

Each test is one operational fault of issue 10, run the way a user or a scheduler would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from pipeline.cli import EXIT_LOCKED, EXIT_USAGE
from pipeline.output_lock import Holder, acquire_output_lock
from pipeline.run import EXIT_NO_SOURCE_READ
from sample_corpus import SAMPLE_ARTICLES
from tests.local_servers import Reply, html_page
from tests.test_cli import run_cli
from tests.test_end_to_end import newsbeam_command


def _articles(query, output) -> int:
    return query("select count(*) as n from articles", output)[0]["n"]


# --- fault 1: a typo never runs something else ----------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "hint"),
    [
        (["--html_dir", "saved/"], "--html-dir"), (["--feedz", "x"], "--feeds"), (["--runer=FnApiRunner"], "--runner"),
        (["--version"], None),
        # Beam's own --user_agent would leave newsbeam's --user-agent at its default.
        (["--sample", "--user_agent", "MyBot/1.0"], "--user-agent"),
    ],
)
def test_an_unknown_option_is_a_usage_error_naming_the_closest_spelling(capsys, tmp_path, typo, hint):
    output = tmp_path / "data"
    code, out, err = run_cli(capsys, "run", *typo, "--output", str(output))
    assert code == EXIT_USAGE
    option = next(argument for argument in typo if argument.startswith("--") and argument != "--sample")
    assert f"unknown option {option.split('=')[0]}" in err and "Traceback" not in err
    assert (f"did you mean {hint}?" in err) if hint else ("did you mean" not in err)
    assert not output.exists() and out == ""


def test_no_source_is_a_usage_error_listing_the_sources(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--output", str(tmp_path / "data"))
    assert code == EXIT_USAGE
    assert all(source in err for source in ("--feeds", "--urls", "--html-dir", "--sample"))
    assert not (tmp_path / "data").exists()


def test_beam_options_still_reach_beam(capsys, tmp_path, query):
    output = tmp_path / "data"
    code, out, _ = run_cli(
        capsys, "run", "--sample", "--output", str(output), "--run-id", "beam-opts", "--quiet",
        "--direct_num_workers=1", "--job_name", "nightly-job",
    )
    assert code == 0 and "(bundled sample corpus)" in out
    assert _articles(query, output) == SAMPLE_ARTICLES


def test_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("newsbeam ") and "Apache Beam" in out


# --- fault 2: a reused run id never replaces a run's files ------------------------------------------


def test_a_reused_run_id_is_refused_before_any_work_and_the_first_run_is_intact(capsys, tmp_path, query):
    output = tmp_path / "data"
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--run-id", "nightly", "--quiet")[0] == 0
    files_before = sorted(path.relative_to(output) for path in output.rglob("*.parquet"))
    record_before = (output / "_state" / "runs" / "nightly.json").read_bytes()

    pages = tmp_path / "other"
    pages.mkdir()
    (pages / "a.html").write_bytes(html_page("Another story", "A different article text, long enough to keep. " * 20))
    code, _, err = run_cli(capsys, "run", "--html-dir", str(pages), "--output", str(output), "--run-id", "nightly")
    assert code == EXIT_USAGE and "run id 'nightly' is already used" in err
    assert sorted(path.relative_to(output) for path in output.rglob("*.parquet")) == files_before
    assert (output / "_state" / "runs" / "nightly.json").read_bytes() == record_before
    assert _articles(query, output) == SAMPLE_ARTICLES


@pytest.mark.parametrize("trace", ["temp_folder", "table_file"])
def test_a_run_id_known_only_from_a_temp_folder_or_a_file_is_refused_too(capsys, tmp_path, trace):
    output = tmp_path / "data"
    if trace == "temp_folder":
        (output / "_temp" / "old" / "articles").mkdir(parents=True)
        (output / "_temp" / "old" / "articles" / "2026-11-18-00000.parquet").write_bytes(b"x")
    else:
        (output / "errors" / "ingest_date=2026-11-18").mkdir(parents=True)
        (output / "errors" / "ingest_date=2026-11-18" / "old-00000.parquet").write_bytes(b"x")
    code, _, err = run_cli(capsys, "run", "--sample", "--output", str(output), "--run-id", "old")
    assert code == EXIT_USAGE and "already used" in err
    # a longer id that merely starts the same way is a different run
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--run-id", "old-2", "--quiet")[0] == 0


# --- fault 3: two writers never overlap --------------------------------------------------------------


def test_a_second_writer_exits_naming_the_lock_holder(capsys, tmp_path):
    output = tmp_path / "data"
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")[0] == 0
    files_before = sorted(output.rglob("*.parquet"))
    holder = Holder(command="run", run_id="nightly-0300")
    with acquire_output_lock(str(output), holder):
        code, out, err = run_cli(capsys, "run", "--sample", "--output", str(output))
        assert code == EXIT_LOCKED and out == ""
        assert "run nightly-0300" in err and f"pid {os.getpid()}" in err and holder.started_at in err
        code, _, err = run_cli(capsys, "compact", "--output", str(output))
        assert code == EXIT_LOCKED and "nightly-0300" in err
        code, _, err = run_cli(capsys, "check", "--repair", "--output", str(output))
        assert code == EXIT_LOCKED and "nightly-0300" in err
    assert sorted(output.rglob("*.parquet")) == files_before


def test_a_second_writer_waits_up_to_lock_timeout(capsys, tmp_path, query):
    output = tmp_path / "data"
    output.mkdir()
    lock = acquire_output_lock(str(output), Holder(command="compact", run_id=""))
    threading.Timer(1.0, lock.release).start()
    code, _, _ = run_cli(capsys, "run", "--sample", "--output", str(output), "--lock-timeout", "30", "--quiet")
    assert code == 0 and _articles(query, output) == SAMPLE_ARTICLES


def test_two_runs_started_together_store_every_article_once(tmp_path, query, server):
    """Two scheduler ticks overlapping on a slow site: one run works, the other is refused at once."""
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(
        server.route(f"/story-{n}", Reply(body=html_page(f"Story {n}", f"Text of story number {n}. " * 40), delay=0.3))
        for n in range(4)
    ))
    output = tmp_path / "data"
    command = [*newsbeam_command(), "run", "--urls", str(urls), "--output", str(output), "--quiet",
               "--allow-host", server.host_port, "--host-delay", "0"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [process.communicate(timeout=300) + (process.returncode,) for process in (first, second)]
    codes = sorted(code for _, _, code in results)
    assert codes == [0, EXIT_LOCKED], results
    refused_err = next(err for _, err, code in results if code == EXIT_LOCKED)
    assert "is being written by run" in refused_err and "Traceback" not in refused_err
    assert query("select count(*) as n, count(distinct url) as urls from articles", output) == [{"n": 4, "urls": 4}]


def killed_once_ready(script: str, output, ready: str) -> int:
    """Run ``script`` (given the output folder) in a process, kill it once it prints ``ready``: a
    writer that died without cleaning up. Returns its pid."""
    process = subprocess.Popen([sys.executable, "-c", script, str(output)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == ready
    process.kill()
    process.wait()
    return process.pid


def test_a_lock_left_by_a_killed_run_is_taken_over_and_reported(tmp_path, capsys, query):
    output = tmp_path / "data"
    output.mkdir()
    holder_script = (
        "import sys, time; from pipeline.output_lock import Holder, acquire_output_lock;"
        "acquire_output_lock(sys.argv[1], Holder(command='run', run_id='killed-run'));"
        "print('locked', flush=True); time.sleep(600)"
    )
    pid = killed_once_ready(holder_script, output, "locked")
    code, out, _ = run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")
    assert code == 0
    assert f"Took over the lock left by run killed-run (host {os.uname().nodename}, pid {pid}" in out
    assert _articles(query, output) == SAMPLE_ARTICLES


# --- fault 6: Ctrl-C and SIGTERM -------------------------------------------------------------------


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_says_in_one_line_what_the_output_holds(tmp_path, server, query, sent, status):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(
        server.route(f"/slow-{n}", Reply(body=html_page(f"Slow {n}", "Words of a slow page. " * 40), delay=1.0))
        for n in range(30)
    ))
    output = tmp_path / "data"
    process = subprocess.Popen(
        [*newsbeam_command(), "run", "--urls", str(urls), "--output", str(output), "--run-id", "cut", "--quiet",
         "--allow-host", server.host_port, "--host-delay", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    while server.hits("/slow-0") == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(sent)
    _, err = process.communicate(timeout=120)
    assert process.returncode == status
    assert err.strip().splitlines() == ["newsbeam run: run cut was interrupted before its commit; nothing of it was written to the tables"]
    assert _articles(query, output) == 0 and not (output / "_temp" / "cut").exists()
    record = json.loads((output / "_state" / "runs" / "cut.json").read_text())
    assert record["status"] == "interrupted"


def test_an_interrupt_during_the_commit_waits_for_the_moves_to_end(tmp_path):
    """held_back: the signal is raised only when the block is done, so no run is half visible."""
    from transforms.sinks.interrupts import held_back, interrupts_as_exceptions

    moved = []
    with interrupts_as_exceptions():
        with pytest.raises(KeyboardInterrupt):
            with held_back():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
                moved.append("every file")
    assert moved == ["every file"]


# --- fault 8: a scheduler can tell a dead source from a quiet hour --------------------------------


def test_every_feed_failing_exits_3(tmp_path, server, capsys):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(server.route("/gone.xml", Reply(status=404)) + "\n" + str(tmp_path / "missing.xml") + "\n")
    code, out, err = run_cli(capsys, "run", "--feeds", str(feeds), "--output", str(tmp_path / "data"), "--allow-host", server.host_port)
    assert code == EXIT_NO_SOURCE_READ
    assert "none of the 2 feed(s) could be read" in err
    assert "Errors by type:" in out


def test_every_sitemap_failing_exits_3(tmp_path, server, capsys):
    sitemaps = tmp_path / "sitemaps.txt"
    sitemaps.write_text(server.route("/sitemap.xml", Reply(status=404)) + "\n")
    argv = ["run", "--sitemaps", str(sitemaps), "--output", str(tmp_path / "data"), "--allow-host", server.host_port, "--quiet"]
    code, _, err = run_cli(capsys, *argv)
    assert code == EXIT_NO_SOURCE_READ
    assert "none of the 1 listed sitemap(s) or site(s) could be read" in err


def test_every_listed_url_failing_exits_3_but_an_all_stored_list_exits_0(tmp_path, server, capsys):
    urls = tmp_path / "urls.txt"
    urls.write_text(server.route("/gone", Reply(status=500)) + "\n")
    argv = ["run", "--urls", str(urls), "--output", str(tmp_path / "data"), "--allow-host", server.host_port, "--quiet"]
    code, _, err = run_cli(capsys, *argv)
    assert code == EXIT_NO_SOURCE_READ and "none of the 1 listed URL(s) could be fetched" in err

    good = tmp_path / "good.txt"
    good.write_text(server.route("/fine", Reply(body=html_page("Fine", "A fine article text. " * 40))) + "\n")
    argv = ["run", "--urls", str(good), "--output", str(tmp_path / "data2"), "--allow-host", server.host_port, "--quiet"]
    assert run_cli(capsys, *argv)[0] == 0
    assert run_cli(capsys, *argv)[0] == 0  # nothing new to fetch is not a failure


# --- fault 9: progress ------------------------------------------------------------------------------


def test_a_long_run_prints_progress_lines_unless_quiet(tmp_path, server):
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(
        server.route(f"/p-{n}", Reply(body=html_page(f"Page {n}", "Some article words here. " * 40), delay=0.4))
        for n in range(6)
    ))
    base = [*newsbeam_command(), "run", "--urls", str(urls), "--allow-host", server.host_port, "--host-delay", "0",
            "--max-per-host", "1", "--fetch-workers", "1", "--progress-interval", "0.5"]
    shown = subprocess.run([*base, "--output", str(tmp_path / "a")], capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr[-2000:]
    lines = [line for line in shown.stderr.splitlines() if line.startswith("newsbeam: ")]
    assert len(lines) >= 2 and all(" s: " in line and "errors " in line for line in lines)
    assert any("pages fetched" in line for line in lines)
    quiet = subprocess.run([*base, "--output", str(tmp_path / "b"), "--quiet"], capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and "newsbeam: " not in quiet.stderr


def test_a_bad_value_of_a_beam_option_is_one_line(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--sample", "--direct_running_mode=fast", "--output", str(tmp_path / "data"))
    assert code == EXIT_USAGE and err.count("\n") == 1 and "--direct_running_mode" in err


# --- recovery: what dead runs left is settled by the next writer, and the summary says so ----------


def test_the_next_run_discards_a_dead_runs_temp_files_and_says_so(capsys, tmp_path, query):
    output = tmp_path / "data"
    leftover = output / "_temp" / "killed-9" / "articles"
    leftover.mkdir(parents=True)
    (leftover / "2026-11-18-00000.parquet").write_bytes(b"half a file of a run killed with -9")
    code, out, _ = run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")
    assert code == 0
    assert "Discarded the uncommitted files of run killed-9, which stopped before its commit." in out
    assert not (output / "_temp" / "killed-9").exists()
    assert _articles(query, output) == SAMPLE_ARTICLES


def test_a_commit_manifest_naming_lost_files_does_not_stop_the_next_run(capsys, tmp_path, query):
    output = tmp_path / "data"
    manifest = output / "_temp" / "lost" / "commit-0000000000000000.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"run_id": "lost", "moves": [[str(output / "_temp/lost/x.parquet"), str(output / "articles/ingest_date=2026-11-18/lost-00000.parquet")]]}))
    code, out, _ = run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")
    assert code == 0 and _articles(query, output) == SAMPLE_ARTICLES
    assert f"Left manifest {manifest} as it is" in out and "newsbeam check --repair" in out
    assert manifest.exists()  # kept for check --repair, which moves it to _quarantine/


# --- a moved or copied output is settled where it lies, and never touches another -----------------


def _interrupted_commit(output, run_id: str, monkeypatch) -> list[tuple[str, str]]:
    """Two error files of ``run_id`` behind a manifest, the first moved in, then a crash."""
    import datetime

    from schemas import ERRORS
    from schemas.errors import make_error
    from transforms.sinks import commit, layout, parquet

    moves = []
    for shard in range(2):
        row = make_error("fetch", f"https://a.example/{shard}", "timeout", "slow", now=datetime.datetime(2026, 11, 18, tzinfo=datetime.timezone.utc))
        args = (str(output), ERRORS.name, "2026-11-18", run_id, shard)
        parquet.write_parquet_file(layout.temp_file_path(*args), ERRORS, [row._asdict()])
        moves.append((layout.temp_file_path(*args), layout.final_file_path(*args)))
    real_publish, published = commit.publish, []

    def publish_then_crash(temp, final):
        if published:
            raise KeyboardInterrupt("power cut")
        real_publish(temp, final)
        published.append(final)

    monkeypatch.setattr(commit, "publish", publish_then_crash)
    with pytest.raises(KeyboardInterrupt):
        commit.commit_files(str(output), run_id, moves)
    monkeypatch.undo()
    return moves


def test_an_output_moved_with_an_interrupted_commit_is_completed_in_its_new_place(tmp_path, capsys, query, monkeypatch):
    _interrupted_commit(tmp_path / "before", "cut", monkeypatch)
    moved = tmp_path / "after"
    (tmp_path / "before").rename(moved)
    code, out, _ = run_cli(capsys, "run", "--sample", "--output", str(moved), "--quiet")
    assert code == 0 and "Completed the interrupted commit of run cut." in out
    assert "Discarded" not in out
    assert query("select count(*) as n from errors where url like 'https://a.example/%'", moved) == [{"n": 2}]


def test_repairing_a_copy_never_touches_the_original_output(tmp_path, monkeypatch):
    import shutil

    from pipeline.cli import main as newsbeam

    original = tmp_path / "original"
    _interrupted_commit(original, "cut", monkeypatch)
    before = sorted(str(path.relative_to(original)) for path in original.rglob("*"))
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    assert newsbeam(["check", "--repair", "--output", str(copy)]) == 0
    assert sorted(str(path.relative_to(original)) for path in original.rglob("*")) == before
    assert len(list((copy / "errors").rglob("*.parquet"))) == 2


def test_a_manifest_naming_another_location_is_never_acted_on(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere" / "errors" / "ingest_date=2026-11-18"
    elsewhere.mkdir(parents=True)
    (elsewhere / "theirs-00000.parquet").write_bytes(b"another output's file")
    output = tmp_path / "data"
    manifest = output / "_state" / "compaction" / "0123456789abcdef.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({
        "temp": str(tmp_path / "elsewhere" / "_temp" / "compact-x" / "merged.parquet"),
        "merged": str(elsewhere / "compacted-x.parquet"),
        "replaces": [str(elsewhere / "theirs-00000.parquet")],
    }))
    (elsewhere / "compacted-x.parquet").write_bytes(b"merged")
    code, out, _ = run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")
    assert code == 0 and f"Left manifest {manifest} as it is" in out
    assert (elsewhere / "theirs-00000.parquet").read_bytes() == b"another output's file"


def test_a_damaged_articles_file_costs_no_duplicate_events(tmp_path, capsys, query):
    output = tmp_path / "data"
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")[0] == 0
    events = query("select count(*) as n from events", output)[0]["n"]
    (articles_file,) = (output / "articles").rglob("*-00000.parquet")
    articles_file.write_bytes(articles_file.read_bytes()[:100])
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--quiet")[0] == 0
    # the articles are stored again from their pages; their events were never lost
    assert _articles(query, output) == SAMPLE_ARTICLES
    assert query("select count(*) as n, count(distinct event_id) as ids from events", output) == [{"n": events, "ids": events}]


def test_the_record_of_a_killed_run_says_it_died(tmp_path, capsys):
    output = tmp_path / "data"
    holder_script = (
        "import sys, time; from pipeline.claim import claim_output;"
        "claim = claim_output(sys.argv[1], 'run', 'killed-run'); claim.__enter__();"
        "print('claimed', flush=True); time.sleep(600)"
    )
    killed_once_ready(holder_script, output, "claimed")
    assert json.loads((output / "_state" / "runs" / "killed-run.json").read_text())["status"] == "running"
    assert run_cli(capsys, "run", "--sample", "--output", str(output), "--run-id", "after", "--quiet")[0] == 0
    record = json.loads((output / "_state" / "runs" / "killed-run.json").read_text())
    assert record["status"] == "died" and record["noticed_by"] == "after"


def test_a_runner_that_reports_no_metrics_is_not_taken_for_a_failed_source():
    """Some portable job services drop metrics: no counters at all must not mean "nothing was read"."""
    from pipeline.plan import FeedSource, HtmlDirSource
    from pipeline.run import no_source_read

    feeds = FeedSource(urls=("https://a.example/rss",), sample=False)
    assert no_source_read(feeds, {}) is None
    assert no_source_read(HtmlDirSource("/pages"), {}) is None
    assert no_source_read(feeds, {"feeds/feed_errors": 1, "error_types/http_status": 1}) is not None

"""The `newsbeam` command: bad input gets one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import EXIT_FAILED, EXIT_USAGE, main
from tests.test_end_to_end import newsbeam_command


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_missing_feed_file(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--feeds", str(tmp_path / "nope.txt"), "--output", str(tmp_path / "o"))
    assert code == EXIT_USAGE
    assert "cannot read feed list" in err and "no such file" in err and "Traceback" not in err


def test_empty_feed_list(capsys, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# only a comment\n\n")
    code, _, err = run_cli(capsys, "run", "--feeds", str(feeds), "--output", str(tmp_path / "o"))
    assert code == EXIT_USAGE and "has no entries" in err


@pytest.mark.parametrize("option", ["--feeds", "--urls", "--sitemaps"])
def test_a_web_address_or_a_feed_itself_given_for_a_list_is_refused_before_anything_is_written(
    capsys, tmp_path, option
):
    output = tmp_path / "o"
    code, _, err = run_cli(capsys, "run", option, "https://example.com/rss.xml", "--output", str(output))
    assert code == EXIT_USAGE and "is a web address: give a file that lists" in err and "Traceback" not in err
    feed = tmp_path / "world.rss"
    feed.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>\n</channel></rss>\n')
    code, _, err = run_cli(capsys, "run", option, str(feed), "--output", str(output))
    assert code == EXIT_USAGE and "is itself an XML or HTML document, not a list" in err
    assert len(err.strip().splitlines()) == 1 and not output.exists()


def test_html_dir_without_pages(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--html-dir", str(tmp_path), "--output", str(tmp_path / "o"))
    assert code == EXIT_USAGE and "holds no *.html" in err


@pytest.mark.parametrize("make_output", ["a_file", "under_a_file"])
def test_unwritable_output_location(capsys, tmp_path, make_output):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    output = blocker if make_output == "a_file" else blocker / "out"
    code, _, err = run_cli(capsys, "run", "--urls", str(_url_list(tmp_path)), "--output", str(output))
    assert code == EXIT_USAGE
    assert "output location" in err and "Traceback" not in err


def test_bad_option_values_and_run_id(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--fetch-workers", "0")
    assert code == EXIT_USAGE and "positive" in err
    code, _, err = run_cli(capsys, "run", "--urls", str(_url_list(tmp_path)), "--run-id", "a:b", "--output", str(tmp_path / "o"))
    assert code == EXIT_USAGE and "--run-id" in err


def test_unknown_subcommand_and_no_subcommand():
    for argv, message in (
        (["bogus"], "invalid choice: 'bogus'"), ([], "a command is needed"), (["cod"], "did you mean code?"),
        (["--quiet", "run", "--sample"], "--quiet comes before the command: options go after it"),
    ):
        completed = subprocess.run([*newsbeam_command(), *argv], capture_output=True, text=True, timeout=60)
        assert completed.returncode == EXIT_USAGE
        assert completed.stderr.startswith("newsbeam: error: ") and message in completed.stderr
        assert completed.stderr.count("\n") == 1 and "usage:" not in completed.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sql"], "required: query"),
        (["sql", "select 1", "--format", "xml"], "invalid choice: 'xml'"),
        (["sql", "select 1", "surplus"], "unrecognised arguments: surplus"),
        (["code"], "required: --input"),
        (["code", "--inptu", "in.jsonl"], "did you mean --input?"),
        # A shortened option is no option: "--inp" never runs as "--input".
        (["code", "--inp", "in.jsonl", "--output", "out.jsonl"], "did you mean --input?"),
        (["code", "--input", "in.jsonl", "--outptu", "out.jsonl"], "unrecognised arguments: --outptu out.jsonl (--outptu is no option of this command; did you mean --output?)"),
        (["code", "--input", "in.jsonl", "--out", "out.jsonl"], "did you mean --output?"),
        (["code", "--in", "in.jsonl", "--output", "out.jsonl"], "did you mean --input?"),
        # An option given twice would silently keep the last.
        (["code", "--input", "a.jsonl", "--input", "b.jsonl", "--output", "c.jsonl"], "--input is given more than once"),
        (["schema", "--format=json", "--format", "spark"], "--format is given more than once"),
        (["clean", "--input"], "expected one argument"),
        (["schema"], "required: --format"),
        (["export"], "required: {gdelt}"),
        (["export", "gdelt", "--since", "2026-11-01"], "required: --to"),
        (["run", "--sample", "--fetch-workers", "0"], "argument --fetch-workers: must be a positive whole number"),
        (["run", "--sample", "--urls", "urls.txt"], "not allowed with argument --sample"),
        (["compact", "--lock-timeout"], "expected one argument"),
        (["check", "--bogus"], "unrecognised arguments: --bogus"),
    ],
)
def test_every_malformed_command_line_is_one_line_and_exit_2(capsys, argv, message):
    """argparse printed its usage block before the error; the error line alone says it, and where help is."""
    code, out, err = run_cli(capsys, *argv)
    command = "newsbeam " + " ".join(argv[:2] if argv[0] == "export" and len(argv) > 1 else argv[:1])
    assert code == EXIT_USAGE and out == ""
    assert err.count("\n") == 1 and err.startswith(f"{command}: error: ") and message in err
    assert err.endswith(f"(see {command} --help)\n") and "usage:" not in err


def test_a_shortened_run_option_names_newsbeams_own_option(capsys):
    """Beam has many --output_... options: "--out" once got no hint at all."""
    code, _, err = run_cli(capsys, "run", "--sample", "--out", "dir")
    assert code == EXIT_USAGE and "unknown option --out; did you mean --output?" in err


def test_an_option_value_outside_its_choices_is_not_called_a_misplaced_command(capsys):
    """"--format xml" after the command once got the hint that --format comes before the command."""
    code, _, err = run_cli(capsys, "sql", "select 1", "--format", "xml")
    assert code == EXIT_USAGE and "invalid choice: 'xml'" in err and "comes before the command" not in err
    code, _, err = run_cli(capsys, "export", "--output", "o2", "gdelt")
    assert code == EXIT_USAGE and "--output comes before the command" in err


def test_a_usage_error_of_the_installed_command_is_one_line():
    completed = subprocess.run([*newsbeam_command(), "sql"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == EXIT_USAGE and completed.stdout == ""
    assert completed.stderr == "newsbeam sql: error: the following arguments are required: query (see newsbeam sql --help)\n"


@pytest.mark.parametrize("argv", [["--help"], ["sql", "--help"], ["export", "gdelt", "--help"], ["run", "--help"]])
def test_help_is_still_the_full_help(capsys, argv):
    code, out, err = run_cli(capsys, *argv)
    assert code == 0 and err == ""
    assert out.startswith("usage: newsbeam") and "options:" in out and "--help" in out


def test_sql_on_missing_folder_and_bad_query(capsys, tmp_path):
    code, _, err = run_cli(capsys, "sql", "select 1", "--output", str(tmp_path / "missing"))
    assert code == EXIT_USAGE and "does not exist" in err
    (tmp_path / "a-file").write_text("not an output")
    code, _, err = run_cli(capsys, "sql", "select 1", "--output", str(tmp_path / "a-file"))
    assert code == EXIT_USAGE and "is a file, not a folder" in err and "does not exist" not in err
    (tmp_path / "out" / "_state").mkdir(parents=True)
    code, _, err = run_cli(capsys, "sql", "select nonsense from nowhere", "--output", str(tmp_path / "out"))
    assert code == EXIT_FAILED and "SQL error" in err


def test_code_command_writes_one_line_per_event_with_the_input_id(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "s1", "text": "Russian forces shelled the Ukrainian city of Kharkiv.", "date": "2026-11-18"})
        + "\n"
        + json.dumps({"id": "s2", "text": "The home side won the cup final 3-1 on Sunday."})
        + "\n"
    )
    target = tmp_path / "out.jsonl"
    completed = subprocess.run(
        [*newsbeam_command(), "code", "--input", str(source), "--output", str(target)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    events = [json.loads(line) for line in target.read_text().splitlines()]
    assert events and {e["id"] for e in events} == {"s1"}
    assert any(e["event_root_code"] in {"18", "19", "20"} for e in events)
    assert {"event_id", "actor1_code", "goldstein", "quad_class", "event_date"} <= set(events[0])


def test_code_command_holds_weak_article_events_back_unless_asked(tmp_path):
    # A minister of no known country accusing: confidence 0.45, under the article floor (0.6).
    article = {"id": "a", "text": "The weather was fine on Monday.\n\nThe minister accused the opposition of lying."}
    command = [*newsbeam_command(), "code", "--input", "-"]
    default = subprocess.run(command, input=json.dumps(article) + "\n", capture_output=True, text=True, timeout=120)
    assert default.returncode == 0 and default.stdout == ""
    every = subprocess.run(
        [*command, "--min-article-confidence", "0"], input=json.dumps(article) + "\n",
        capture_output=True, text=True, timeout=120,
    )
    assert every.returncode == 0 and [json.loads(line)["event_root_code"] for line in every.stdout.splitlines()] == ["11"]
    for bad in ("1.5", "-1", "high", "nan"):
        refused = subprocess.run([*command, "--min-article-confidence", bad], input="", capture_output=True, text=True, timeout=120)
        assert refused.returncode == 2 and "not a number from 0 to 1" in refused.stderr
        assert "Traceback" not in refused.stderr


def test_code_command_reports_bad_lines_and_exits_non_zero(tmp_path):
    completed = subprocess.run(
        [*newsbeam_command(), "code", "--input", "-"],
        input='{"id": 1, "text": "Kenya and Ethiopia signed a trade deal."}\nnot json\n{"id": 3}\n{"id": 4, "text": "x", "date": "soon"}\n',
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 1
    assert "line 2: not valid JSON" in completed.stderr and "line 3: missing" in completed.stderr
    assert "line 4: date" in completed.stderr and "3 of 4 lines skipped" in completed.stderr
    assert all(json.loads(line)["id"] == 1 for line in completed.stdout.splitlines())


def test_a_file_with_old_mac_line_ends_is_told_what_is_wrong(capsys, tmp_path):
    source = tmp_path / "mac.jsonl"
    source.write_bytes(b'{"id": 1, "text": "Kenya criticised Uganda."}\r{"id": 2, "text": "Peru praised Chile."}\r')
    code, out, err = run_cli(capsys, "code", "--input", str(source))
    assert code == EXIT_FAILED and out == ""
    assert "line 1: not valid JSON" in err and "lines must end with a line feed" in err


@pytest.mark.parametrize("command, written", [("code", "events"), ("clean", "articles")])
def test_an_empty_input_is_said_on_stderr_and_exits_0(tmp_path, command, written):
    completed = subprocess.run(
        [*newsbeam_command(), command, "--input", "-"], input="", capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0 and completed.stdout == ""
    assert completed.stderr == f"newsbeam {command}: read 0 lines from stdin; wrote 0 {written}\n"


def test_an_empty_input_file_is_named(capsys, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n  \n")
    code, _, err = run_cli(capsys, "code", "--input", str(tmp_path / "empty.jsonl"), "--output", str(tmp_path / "o.jsonl"))
    assert code == 0 and err == f"newsbeam code: read 0 lines from {str(tmp_path / 'empty.jsonl')!r}; wrote 0 events\n"
    assert (tmp_path / "o.jsonl").read_text() == ""


def test_clean_command_extracts_the_article(tmp_path):
    html = (
        "<html lang='en'><head><title>Ministers meet</title></head><body><nav>Home | World | Sport</nav>"
        "<article><h1>Ministers meet in Nairobi</h1>"
        + "".join(f"<p>Paragraph {i} of the report on the talks between the two governments in Nairobi.</p>" for i in range(6))
        + "</article><footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"
    )
    completed = subprocess.run(
        [*newsbeam_command(), "clean", "--input", "-", "--output", "-"],
        input=json.dumps({"id": "p1", "url": "https://news.example/a", "html": html}) + "\n",
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    (record,) = [json.loads(line) for line in completed.stdout.splitlines()]
    assert record["id"] == "p1" and "Paragraph 3 of the report" in record["text"]
    assert "All rights reserved" not in record["text"] and record["language"] == "en"
    assert set(record) == {"id", "title", "author", "published", "published_local_date", "language", "text", "canonical_url"}
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (documented,) = re.findall(r"^newsbeam clean .*-> (\{.*\})$", readme, re.M)
    assert set(json.loads("[" + documented[1:-1] + "]")) == set(record)


def _url_list(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("https://news.example/a\n")
    return urls


def test_module_entry_point_matches_console_script():
    completed = subprocess.run([sys.executable, "-m", "pipeline.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0 and "{run,code,clean,sql,schema,compact,check,export}" in completed.stdout


def test_a_damaged_syntax_model_stops_the_run_with_one_line(capsys, tmp_path, monkeypatch):
    """A model with a file missing would fail every article's coding in the workers; the run and
    ``newsbeam code`` refuse to start instead, saying what to do."""
    import shutil

    from transforms.coding.syntax import parse

    damaged = tmp_path / "model"
    shutil.copytree(parse.MODEL_DIR, damaged)
    (damaged / "vocab" / "strings.json").unlink()
    monkeypatch.setattr(parse, "MODEL_DIR", damaged)

    status, _, err = run_cli(capsys, "run", "--sample", "--output", str(tmp_path / "out"))
    assert status == 1
    assert "syntax model" in err and "damaged" in err and "make model" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "events").exists()


def test_code_whose_reader_stops_early_exits_141_without_a_message(tmp_path):
    """`newsbeam code ... --output - | head -c 100`: the reader closes the pipe after a few bytes;
    part of the output was never delivered, so the exit status is not 0, and there is no traceback."""
    from pipeline.cli import EXIT_BROKEN_PIPE

    source = tmp_path / "in.jsonl"
    sentence = "Russia attacked Ukraine and China criticised the United States."
    source.write_text("".join(json.dumps({"id": f"s{i}", "text": sentence}) + "\n" for i in range(400)))
    process = subprocess.Popen(
        [*newsbeam_command(), "code", "--input", str(source), "--output", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout.read(100)
    process.stdout.close()  # the reader goes away, as `head -c 100` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert "Traceback" not in stderr and "Broken pipe" not in stderr


@pytest.mark.parametrize("redirect, argv", [("<&-", ["--input", "-"]), (">&-", ["--output", "-"])])
def test_code_with_a_closed_standard_stream_says_so_in_one_line(tmp_path, redirect, argv):
    """`newsbeam code --input - <&-` (or `--output - >&-`): the stream does not exist; one usage line."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "s1", "text": "Russia attacked Ukraine."}) + "\n")
    if "--input" not in argv:
        argv = ["--input", str(source), *argv]
    script = " ".join(shlex.quote(word) for word in [*newsbeam_command(), "code", *argv]) + " " + redirect
    completed = subprocess.run(["bash", "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    assert completed.returncode == 2
    assert "closed" in completed.stderr and "Traceback" not in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1


def test_run_passes_the_article_confidence_floor_to_the_plan(tmp_path):
    from pipeline.cli import _build_parser
    from pipeline.plan import plan_from_args

    parser = _build_parser()
    default = plan_from_args(parser.parse_args(["run", "--sample", "--output", str(tmp_path / "a")]), [])
    assert default.min_article_confidence == 0.6
    lowered = parser.parse_args(["run", "--sample", "--output", str(tmp_path / "b"), "--min-article-confidence", "0"])
    assert plan_from_args(lowered, []).min_article_confidence == 0.0


@pytest.mark.parametrize(
    "argv",
    [
        ("run", "--sample", "--output", ""),
        ("run", "--feeds", "", "--output", "out"),
        ("run", "--warc", " ", "--output", "out"),
        ("code", "--input", "-", "--output", ""),
        ("clean", "--input", ""),
        ("sql", "select 1", "--output", ""),
        ("check", "--output", ""),
        ("compact", "--output", ""),
        ("export", "gdelt", "--since", "2024-01-01", "--to", ""),
    ],
)
def test_an_empty_path_is_a_usage_error_not_the_current_folder(capsys, tmp_path, monkeypatch, argv):
    # "--output ''" once wrote a run's tables into the current folder.
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == EXIT_USAGE and "an empty path names no file or folder" in err
    assert list(tmp_path.iterdir()) == []

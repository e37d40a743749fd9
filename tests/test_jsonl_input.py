"""``newsbeam code`` and ``newsbeam clean`` on hostile input: each bad line is reported and skipped,
every good line is still written, and the output is always UTF-8 JSON lines."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.errors import UsageError
from pipeline.jsonl import LineRejected, require_distinct_files, transform_lines, wide_encoding
from transforms.clean.extract import Cleaner
from transforms.coding import Coder

POLITICAL = "Russian forces shelled the Ukrainian city of Kharkiv on Tuesday."
ARTICLE_HTML = (
    "<html lang='en'><head><title>Ministers meet</title></head><body><article><h1>Ministers meet in Nairobi</h1>"
    + "".join(f"<p>Paragraph {i} of the report on the talks between the two governments in Nairobi.</p>" for i in range(6))
    + "</article></body></html>"
)


def line(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def run_command(capsys, tmp_path, command: str, lines: list[bytes]) -> tuple[int, list[str], list[dict]]:
    """Run ``newsbeam COMMAND`` over these input lines; (exit status, stderr lines, output records)."""
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    code = main([command, "--input", str(source), "--output", str(target)])
    errors = capsys.readouterr().err.splitlines()
    return code, errors, [json.loads(text) for text in target.read_bytes().decode("utf-8").splitlines()]


def test_code_skips_each_bad_line_and_writes_the_good_ones(capsys, tmp_path):
    code, errors, events = run_command(capsys, tmp_path, "code", [
        line(id="good-1", text=POLITICAL),
        b'{"id": "latin-1", "text": "Caf\xe9 owners protested."}',
        b'{"id": "surrogate", "text": "Kenya \\ud800 protested."}',
        b"[" * 100_000,
        line(id=["not", "an", "id"], text=POLITICAL),
        b'{"id": ' + b"9" * 5000 + b', "text": "x"}',
        line(id=2**70, text=POLITICAL),
        line(id=True, text=POLITICAL),
        line(id="no-text", text=5),
        b'"just a string"',
        line(id="bad-url", text=POLITICAL, url=["x"]),
        line(id=7, text=POLITICAL),
    ])
    assert code == 1
    assert errors == [
        "line 2: not UTF-8 text (invalid continuation byte at byte 30); skipped",
        "line 3: field(s) 'text' hold a lone surrogate (an unpaired \\ud800-\\udfff escape); skipped",
        "line 4: JSON nested too deeply; skipped",
        "line 5: id is not a string or a 64-bit integer; skipped",
        "line 6: not readable JSON (a number of more than 4,300 digits); skipped",
        "line 7: id is not a string or a 64-bit integer; skipped",
        "line 8: id is not a string or a 64-bit integer; skipped",
        "line 9: field text is not text; skipped",
        "line 10: not a JSON object; skipped",
        "line 11: url ['x'] is not a string; skipped",
        "newsbeam code: 10 of 12 lines skipped",
    ]
    assert {event["id"] for event in events} == {"good-1", 7}


def test_clean_skips_bad_urls_ids_and_bytes_and_writes_the_good_pages(capsys, tmp_path):
    code, errors, pages = run_command(capsys, tmp_path, "clean", [
        line(id="p1", url="https://news.example/a", html=ARTICLE_HTML),
        line(id="p2", url=5, html=ARTICLE_HTML),
        line(id="p3", url=["x"], html=ARTICLE_HTML),
        line(id="p4", url="http://[zz]", html=ARTICLE_HTML),
        line(id="p5", url="http://[::1/x", html=ARTICLE_HTML),
        line(id={"p": 6}, html=ARTICLE_HTML),
        b'{"id": "p7", "html": "<p>\\udfff</p>"}',
        b'{"id": "p8", "html": "\xff\xfe"}',
        line(id="p9", html=ARTICLE_HTML),
    ])
    assert code == 1
    assert errors == [
        "line 2: url 5 is not a string; skipped",
        "line 3: url ['x'] is not a string; skipped",
        "line 4: url 'http://[zz]' cannot be parsed; skipped",
        "line 5: url 'http://[::1/x' cannot be parsed; skipped",
        "line 6: id is not a string or a 64-bit integer; skipped",
        "line 7: field(s) 'html' hold a lone surrogate (an unpaired \\ud800-\\udfff escape); skipped",
        "line 8: not UTF-8 text (invalid start byte at byte 22); skipped",
        "newsbeam clean: 7 of 9 lines skipped",
    ]
    assert [page["id"] for page in pages] == ["p1", "p9"]
    assert all("Paragraph 3 of the report" in page["text"] for page in pages)


def test_a_cleaner_that_raises_on_one_line_costs_that_line_only(capsys, tmp_path, monkeypatch):
    clean = Cleaner.clean

    def fragile_clean(self: Cleaner, html: str, url: str | None = None):
        if "boom" in html:
            raise RuntimeError("boom\nsecond line of the message")
        return clean(self, html, url)

    monkeypatch.setattr(Cleaner, "clean", fragile_clean)
    code, errors, pages = run_command(capsys, tmp_path, "clean", [
        line(id="p1", html=ARTICLE_HTML), line(id="p2", html="<p>boom</p>"), line(id="p3", html=ARTICLE_HTML),
    ])
    assert code == 1
    assert errors == ["line 2: failed with RuntimeError: boom; skipped", "newsbeam clean: 1 of 3 lines skipped"]
    assert [page["id"] for page in pages] == ["p1", "p3"]


def test_a_coder_that_raises_on_one_line_costs_that_line_only(capsys, tmp_path, monkeypatch):
    code_text = Coder.code_text

    def fragile_code_text(self: Coder, text: str, *args: object, **kwargs: object):
        if text.startswith("boom"):
            raise KeyError("actor")
        return code_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Coder, "code_text", fragile_code_text)
    code, errors, events = run_command(capsys, tmp_path, "code", [
        line(id="s1", text=POLITICAL), line(id="s2", text="boom " + POLITICAL), line(id="s3", text=POLITICAL),
    ])
    assert code == 1
    assert errors == ["line 2: failed with KeyError: 'actor'; skipped", "newsbeam code: 1 of 3 lines skipped"]
    assert {event["id"] for event in events} == {"s1", "s3"}


def echo(record: dict) -> list[dict]:
    """A handler that writes back what it was given, and raises where a line asks it to."""
    if "raise" in record:
        raise ValueError(record["raise"])
    if "reject" in record:
        raise LineRejected("rejected")
    return [record]


def test_output_that_is_not_utf8_json_skips_its_line():
    source = io.BytesIO(b'{"text": "a", "nested": ["\\ud800"]}\n{"text": "b", "n": NaN}\n{"text": "c"}\n')
    sink = io.BytesIO()
    assert transform_lines(source, sink, echo, ("text",)) == (3, 2)
    assert sink.getvalue() == b'{"text": "c"}\n'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
json_lines = st.dictionaries(
    st.sampled_from(["text", "id", "raise", "reject", "extra"]), json_values, max_size=4
).map(lambda record: json.dumps(record, ensure_ascii=False).encode("utf-8"))
surrogate_lines = st.sampled_from([b'{"text": "\\ud800"}', b'{"text": "x", "id": "\\udc00"}', b'{"text": "x", "l": ["\\udbff"]}'])
byte_lines = st.binary().map(lambda data: data.replace(b"\n", b""))


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(byte_lines, json_lines, surrogate_lines), max_size=8))
def test_transform_lines_takes_any_bytes_and_writes_only_utf8_json_lines(lines):
    sink = io.BytesIO()
    if lines and wide_encoding(lines[0]) is not None:
        # A first line in UTF-16 or UTF-32 stops the command with one message, before any output.
        with pytest.raises(UsageError, match="not UTF-8: convert it first"):
            transform_lines(io.BytesIO(b"\n".join(lines)), sink, echo, ("text",))
        assert sink.getvalue() == b""
        return
    read, rejected = transform_lines(io.BytesIO(b"\n".join(lines)), sink, echo, ("text",))
    assert read == sum(1 for text in lines if text.strip()) and 0 <= rejected <= read
    written = sink.getvalue().decode("utf-8").splitlines()
    assert len(written) == read - rejected
    assert all(isinstance(json.loads(text), dict) for text in written)


def test_html_that_is_not_text_or_holds_no_article_is_named_and_skipped(capsys, tmp_path):
    """A page without article text is what the pipeline records as `empty_content`: reported, not
    written as an empty row."""
    code, errors, pages = run_command(capsys, tmp_path, "clean", [
        line(id="p1", html=123),
        line(id="p2", html=None),
        line(id="p3"),
        line(id="p4", html=ARTICLE_HTML),
        line(id="p5", html=""),
        line(id="p6", html="not html at all"),
    ])
    assert code == 1
    assert errors == [
        "line 1: field html is not text; skipped",
        "line 2: field(s) html null, not text; skipped",
        "line 3: missing field(s) html; skipped",
        "line 5: no article text found on the page (empty_content); skipped",
        "line 6: no article text found on the page (empty_content); skipped",
        "newsbeam clean: 5 of 6 lines skipped",
    ]
    assert [page["id"] for page in pages] == ["p4"] and pages[0]["text"].strip()


def test_an_output_naming_the_input_file_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    source.write_bytes(line(id="a", text=POLITICAL) + b"\n")
    (tmp_path / "link.jsonl").symlink_to(source)
    (tmp_path / "hard.jsonl").hardlink_to(source)
    monkeypatch.chdir(tmp_path)
    for output in (str(source), "in.jsonl", "./sub/../in.jsonl", "link.jsonl", "hard.jsonl"):
        with pytest.raises(UsageError, match="is the input file"):
            require_distinct_files(str(source), output)
    for input_location, output in ((str(source), "out.jsonl"), ("-", "-"), ("-", str(source)), (str(source), "-")):
        require_distinct_files(input_location, output)


@pytest.mark.parametrize("command", ["code", "clean"])
def test_code_and_clean_refuse_to_write_over_their_input(capsys, tmp_path, command):
    source = tmp_path / "in.jsonl"
    data = line(id="a", text=POLITICAL, html=ARTICLE_HTML) + b"\n"
    source.write_bytes(data)
    assert main([command, "--input", str(source), "--output", str(source)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is the input file" in err
    assert source.read_bytes() == data


@pytest.mark.parametrize("command", ["clean", "code"])
def test_a_url_that_is_no_absolute_web_or_file_url_is_reported(capsys, tmp_path, command):
    """``ht!tp://`` and ``not a url`` parse as relative paths; they were accepted without a word."""
    bad = ["ht!tp://", "not a url", "news.example/a", "mailto:desk@news.example", "https:///no-host", "https://news.example/a b"]
    good = ["https://news.example/a", "http://news.example/b?x=1", "file:///pages/saved.html"]
    records = [line(id=url, url=url, text=POLITICAL, html=ARTICLE_HTML) for url in bad + good]
    code, errors, outputs = run_command(capsys, tmp_path, command, records)
    assert code == 1
    assert errors == [
        *(f"line {number}: url {url!r} is not an absolute http, https or file URL; skipped" for number, url in enumerate(bad, 1)),
        f"newsbeam {command}: {len(bad)} of {len(bad + good)} lines skipped",
    ]
    assert {output["id"] for output in outputs} == set(good)


def test_code_needs_an_id_and_an_iso_date_it_can_count_from(capsys, tmp_path):
    code, errors, events = run_command(capsys, tmp_path, "code", [
        line(text=POLITICAL),
        line(id=None, text=POLITICAL),
        line(id="garbage-date", text=POLITICAL, date="2024-03-05 garbage"),
        line(id="number-date", text=POLITICAL, date=20240305),
        line(id="year-1", text="Yesterday " + POLITICAL, date="0001-01-01"),
        line(id="timestamp", text=POLITICAL, date="2024-03-05T10:00:00Z"),
        line(id="day", text=POLITICAL, date="2024-03-05"),
        # Python's fromisoformat reads these too; nobody means them as YYYY-MM-DD.
        line(id="week-date", text=POLITICAL, date="2024-W10"),
        line(id="compact-date", text=POLITICAL, date="20240305"),
        line(id="long-date", text=POLITICAL, date="9" * 5000),
        line(id="list-date", text=POLITICAL, date=["2024-03-05"]),
        b'{"id": "huge-number", "text": "x", "date": 1' + b"0" * 5000 + b"}",
    ])
    assert code == 1
    assert errors == [
        "line 1: missing id (a string or a 64-bit whole number); skipped",
        "line 2: missing id (a string or a 64-bit whole number); skipped",
        "line 3: date '2024-03-05 garbage' is not an ISO date (YYYY-MM-DD); skipped",
        "line 4: date 20240305 is not an ISO date (YYYY-MM-DD); skipped",
        "line 5: date '0001-01-01' is out of range (years 2 to 9998); skipped",
        "line 8: date '2024-W10' is not an ISO date (YYYY-MM-DD); skipped",
        "line 9: date '20240305' is not an ISO date (YYYY-MM-DD); skipped",
        "line 10: date '" + "9" * 40 + "...' is not an ISO date (YYYY-MM-DD); skipped",
        "line 11: date of type list is not an ISO date (YYYY-MM-DD); skipped",
        "line 12: not readable JSON (a number of more than 4,300 digits); skipped",
        "newsbeam code: 10 of 12 lines skipped",
    ]
    assert {event["id"] for event in events} == {"timestamp", "day"}
    assert {event["event_date"] for event in events} == {"2024-03-05"}


def test_a_line_that_is_no_json_says_where_and_what_a_line_should_be(capsys, tmp_path):
    code, errors, _ = run_command(capsys, tmp_path, "code", [
        b'{"id": "1", "text": "a\tb"}', b"plain sentence", b'{"id": 10, "text": "cut short"', b'{"id": "x",',
    ])
    assert code == 1
    assert errors[:4] == [
        "line 1: not valid JSON (Invalid control character at column 23); skipped",
        'line 2: not valid JSON (Expecting value at column 1; each line is one JSON object, such as {"id": 1, "text": "..."}); skipped',
        # A line cut short is wrong at its end, not at "column 1" of a line after it.
        "line 3: not valid JSON (Expecting ',' delimiter at column 31); skipped",
        "line 4: not valid JSON (Expecting property name enclosed in double quotes at column 12); skipped",
    ]


@pytest.mark.parametrize("command, field", [("code", "text"), ("clean", "html")])
def test_an_id_given_twice_or_empty_is_reported_and_a_skipped_line_frees_its_id(capsys, tmp_path, command, field):
    body = POLITICAL if field == "text" else ARTICLE_HTML
    extra = {"date": "2024-03-05"} if command == "code" else {}
    code, errors, outputs = run_command(capsys, tmp_path, command, [
        line(id="a", **{field: body}, **extra),
        line(id="a", **{field: body}, **extra),
        line(id=1, **{field: body}, **extra),
        line(id="1", **{field: body}, **extra),
        line(id="", **{field: body}, **extra),
        line(id="b", **{field: body}, url=["not a url"]),
        line(id="b", **{field: body}, **extra),
    ])
    assert code == 1
    assert errors == [
        "line 2: id 'a' was given to an earlier line (one id per text); skipped",
        "line 4: id '1' was given to an earlier line (one id per text); skipped",
        "line 5: empty id (a string or a 64-bit whole number); skipped",
        "line 6: url ['not a url'] is not a string; skipped",
        f"newsbeam {command}: 4 of 7 lines skipped",
    ]
    assert {output["id"] for output in outputs} == {"a", 1, "b"}


def test_a_long_url_is_shown_short_and_a_bad_host_name_is_named(capsys, tmp_path):
    long_host = "https://" + "c" * 100_000 + ".com/"
    code, errors, _ = run_command(capsys, tmp_path, "clean", [
        line(id="a", html=ARTICLE_HTML, url="https://" + "b" * 300 + "/"),
        line(id="b", html=ARTICLE_HTML, url=long_host),
    ])
    assert code == 1
    assert all(len(error) < 200 for error in errors)
    assert errors[0].endswith("... has a host that is not a valid name; skipped")
    assert errors[1].endswith("... has a host that is not a valid name; skipped")


@pytest.mark.parametrize("command", ["code", "clean"])
def test_code_and_clean_never_replace_an_existing_output_file(capsys, tmp_path, command):
    source = tmp_path / "in.jsonl"
    source.write_bytes(line(id="a", text=POLITICAL, html=ARTICLE_HTML) + b"\n")
    kept = tmp_path / "kept.jsonl"
    kept.write_bytes(b"data someone wrote\n")
    assert main([command, "--input", str(source), "--output", str(kept)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists" in err
    assert kept.read_bytes() == b"data someone wrote\n"
    fresh = tmp_path / "fresh.jsonl"
    assert main([command, "--input", str(source), "--output", str(fresh)]) == 0
    assert fresh.read_bytes().count(b"\n") >= 1


def test_code_writes_to_dev_null_and_refuses_a_dangling_link(capsys, tmp_path):
    """/dev/null exists but is no file: it is written as it is; a link to nothing is never followed."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(line(id="a", text=POLITICAL) + b"\n")
    assert main(["code", "--input", str(source), "--output", "/dev/null"]) == 0
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "nowhere.jsonl")
    assert main(["code", "--input", str(source), "--output", str(dangling)]) == 2
    assert "exists" in capsys.readouterr().err
    assert not (tmp_path / "nowhere.jsonl").exists()


@pytest.mark.parametrize("command", ["code", "clean"])
def test_an_interrupted_command_leaves_no_cut_off_output(capsys, tmp_path, monkeypatch, command):
    """Ctrl-C or SIGTERM mid-run left the lines written so far at --output, looking like a
    whole output, and the name taken: now the output appears whole or not at all."""
    import pipeline.jsonl

    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(line(id=str(n), text=POLITICAL, html=ARTICLE_HTML) for n in range(3)) + b"\n")
    handled = []

    def interrupt_on_second(handle):
        def handler(record):
            handled.append(record)
            if len(handled) == 2:
                raise KeyboardInterrupt
            return handle(record)
        return handler

    real_transform = pipeline.jsonl.transform_lines
    monkeypatch.setattr(
        pipeline.jsonl, "transform_lines",
        lambda source, sink, handle, required: real_transform(source, sink, interrupt_on_second(handle), required),
    )
    output = tmp_path / "out.jsonl"
    assert main([command, "--input", str(source), "--output", str(output)]) in (130, 143)
    assert "no output written" in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]  # no output, no partial file
    monkeypatch.setattr(pipeline.jsonl, "transform_lines", real_transform)
    assert main([command, "--input", str(source), "--output", str(output)]) == 0  # the name is free again
    assert output.read_bytes().count(b"\n") >= 3 and sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_code_says_which_text_had_a_sentence_too_long_to_code(capsys, tmp_path):
    """A run-on text with no sentence end was coded as nothing, with exit 0 and no word."""
    code, errors, events = run_command(capsys, tmp_path, "code", [
        line(id="run-on", text="word " * 3000), line(id="news", text=POLITICAL),
    ])
    assert code == 0
    assert errors == ["newsbeam code: id 'run-on': 1 sentence(s) longer than 5,000 characters not coded (no sentence end in them)"]
    assert {event["id"] for event in events} == {"news"}


def test_nothing_is_at_the_output_name_until_the_output_is_whole(tmp_path, monkeypatch):
    """An empty file used to hold the name during the run, and stayed after a SIGKILL."""
    import pipeline.jsonl

    source = tmp_path / "in.jsonl"
    source.write_bytes(line(id="a", text=POLITICAL) + b"\n")
    output = tmp_path / "out.jsonl"
    seen_during_run = []
    real_transform = pipeline.jsonl.transform_lines

    def watching(source, sink, handle, required):
        seen_during_run.append(sorted(path.name for path in tmp_path.iterdir()))
        return real_transform(source, sink, handle, required)

    monkeypatch.setattr(pipeline.jsonl, "transform_lines", watching)
    assert main(["code", "--input", str(source), "--output", str(output)]) == 0
    assert "out.jsonl" not in seen_during_run[0] and any(name.endswith(".partial") for name in seen_during_run[0])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("encoding, named", [
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"),
])
def test_a_utf16_or_utf32_input_is_named_in_one_line_and_nothing_is_written(capsys, tmp_path, encoding, named):
    # Editors on Windows save "Unicode" text as UTF-16: every line would be skipped as not UTF-8.
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes('{"id": 1, "text": "Russia attacked Ukraine."}\n{"id": 2, "text": "x"}\n'.encode(encoding))
    code = main(["code", "--input", str(source), "--output", str(target)])
    errors = capsys.readouterr().err.splitlines()
    assert code == 2 and sorted(path.name for path in tmp_path.iterdir()) == ["in.jsonl"]
    assert errors == [f"newsbeam code: error: the input is {named} text, not UTF-8: convert it first (iconv -f {named} -t UTF-8 FILE > NEW_FILE)"]

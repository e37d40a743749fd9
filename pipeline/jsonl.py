"""``newsbeam code`` and ``newsbeam clean``: the pipeline's coding and cleaning over JSON lines."""

from __future__ import annotations

import codecs
import contextlib
import datetime
import json
import os
import sys
import tempfile
from typing import Any, BinaryIO, Callable, Iterator, Optional

from pipeline.errors import UsageError
from transforms.coding.dates import MAX_YEAR, MIN_YEAR, iso_day, quoted_start
from transforms.fetch.urls import UrlProblem, checked_http_url, safe_split

LineHandler = Callable[[dict[str, Any]], list[dict[str, Any]]]
# Ids are strings or integers a database column can hold; anything else is not an id.
ID_RANGE = range(-(2**63), 2**63)


class LineRejected(ValueError):
    """A line whose fields cannot be used (a handler raises it; the line is reported and skipped)."""


@contextlib.contextmanager
def open_text(location: str, mode: str) -> Iterator[BinaryIO]:
    """``-`` is stdin/stdout; anything else a local file, with a clear message when it fails.
    An output file must not exist yet (UsageError): nothing the user or another run wrote is
    replaced. It appears whole or not at all: lines go to a hidden file beside it, which gets the
    name ``location`` when the command ends normally and is removed when it is interrupted or
    fails, so a file at ``location`` is never a cut-off output.

    Both are opened as bytes: each input line is decoded on its own, so a line that is not UTF-8
    costs that line only, and each output line is encoded (and so checked) before it is written.
    """
    if location == "-":
        stream = sys.stdin if mode == "r" else sys.stdout
        if stream is None:  # started with the descriptor closed (`<&-`, `>&-`)
            raise UsageError(f"standard {'input' if mode == 'r' else 'output'} is closed; give a file instead of -")
        yield stream.buffer
        return
    # An output never replaces a file (another run's output, or data of the user's): "x" creates
    # it or fails. /dev/null and pipes exist but are no files, and are written as they are.
    special = os.path.exists(location) and not os.path.isfile(location)
    if mode == "w" and not special:
        with _whole_file(location) as handle:
            yield handle
        return
    try:
        handle = open(location, mode + "b")
    except OSError as error:
        raise UsageError(f"cannot open {location!r}: {error.strerror or error}") from error
    with handle:
        yield handle


@contextlib.contextmanager
def _whole_file(location: str) -> Iterator[BinaryIO]:
    """A new file at ``location`` that only ever holds a finished output (see ``open_text``): the
    lines go to a hidden ``.newsbeam-*.partial`` file in the same folder, hard-linked to
    ``location`` at the end (a link, unlike a rename, never replaces a file that appeared
    meanwhile) and then unlinked. Nothing exists at ``location`` before that."""
    if os.path.lexists(location):
        raise UsageError(f"--output {location!r} exists; newsbeam never replaces a file: name a new one")
    folder = os.path.dirname(os.path.abspath(location))
    try:
        descriptor, partial = tempfile.mkstemp(prefix=".newsbeam-", suffix=".partial", dir=folder)
    except OSError as error:
        raise UsageError(f"cannot write {location!r}: {error.strerror or error}") from error
    try:
        # mkstemp makes the file private (0600); the output gets the mode any new file would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
        _link_new(partial, location)
    finally:
        with contextlib.suppress(OSError):
            os.remove(partial)  # this command's own partial lines; the output, if any, is linked


def _link_new(partial: str, location: str) -> None:
    """Give the finished ``partial`` the name ``location``, which must still be free."""
    try:
        os.link(partial, location)
    except FileExistsError as error:
        raise UsageError(f"--output {location!r} appeared while newsbeam was writing; nothing written") from error
    except OSError:
        # A file system without hard links: a rename, after checking once more that the name is free.
        if os.path.lexists(location):
            raise UsageError(f"--output {location!r} appeared while newsbeam was writing; nothing written") from None
        os.rename(partial, location)


def require_distinct_files(input_location: str, output_location: str) -> None:
    """Raise UsageError when the output names the input file: opening it for writing would empty
    the input before a line of it is read. ``-`` (stdin, stdout) is never a file here."""
    if "-" in (input_location, output_location):
        return
    if os.path.exists(input_location) and os.path.exists(output_location):
        same = os.path.samefile(input_location, output_location)
    else:
        same = os.path.realpath(input_location) == os.path.realpath(output_location)
    if same:
        raise UsageError(f"--output {output_location!r} is the input file; write the output to another file")


def transform_lines(source: BinaryIO, sink: BinaryIO, handle: LineHandler, required: tuple[str, ...]) -> tuple[int, int]:
    """Apply ``handle`` to each JSON object line; bad lines are reported on stderr and skipped.

    Whatever one line holds, and whatever the handler raises on it, costs that line only: the
    other lines are still processed and written. Returns (lines read, lines rejected).
    """
    read = rejected = 0
    for number, line in enumerate(source, start=1):
        if number == 1:
            encoding = wide_encoding(line)
            if encoding is not None:
                # Every line would be skipped, each with a message that hides why.
                raise UsageError(
                    f"the input is {encoding} text, not UTF-8: convert it first "
                    f"(iconv -f {encoding} -t UTF-8 FILE > NEW_FILE)"
                )
        if not line.strip():
            continue
        read += 1
        problem, encoded = _transform_line(line, handle, required)
        if problem:
            rejected += 1
            print(f"line {number}: {problem}; skipped", file=sys.stderr)
            continue
        sink.writelines(encoded)
    return read, rejected


def wide_encoding(first_line: bytes) -> Optional[str]:
    """"UTF-16" or "UTF-32" when the input's first line is in that encoding (its byte-order mark,
    or ASCII characters each followed or preceded by zero bytes), else None."""
    if first_line.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if first_line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    # Without a mark: JSON starts with "{" (or spaces), which UTF-16 writes with a zero byte.
    if first_line[:4] in (b"{\x00\x00\x00", b"\x00\x00\x00{"):
        return "UTF-32"
    if first_line[:2] in (b"{\x00", b"\x00{"):
        return "UTF-16"
    return None


def _transform_line(line: bytes, handle: LineHandler, required: tuple[str, ...]) -> tuple[Optional[str], list[bytes]]:
    """The output lines of one input line, encoded, or why the input line is skipped."""
    problem, record = _parse(line, required)
    if problem:
        return problem, []
    try:
        outputs = handle(record)
    except LineRejected as error:
        return str(error), []
    except Exception as error:  # noqa: BLE001 - a coder or cleaner bug on one line must not stop the others
        return f"failed with {type(error).__name__}: {_first_line(error)}", []
    try:
        # allow_nan=False: NaN and Infinity are not JSON; encoding refuses lone surrogates
        return None, [
            json.dumps(output, ensure_ascii=False, default=_json_value, allow_nan=False).encode("utf-8") + b"\n"
            for output in outputs
        ]
    except ValueError as error:
        return f"output cannot be written as UTF-8 JSON ({_first_line(error)})", []


def _parse(line: bytes, required: tuple[str, ...]) -> tuple[Optional[str], dict[str, Any]]:
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text ({error.reason} at byte {error.start})", {}
    try:
        # Without its line break: a line cut short is then wrong at its end, not at "column 1" of
        # the next line.
        record = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        # json's own message may end in "at" ("Invalid control character at"): say where.
        where = f"{error.msg.removesuffix(' at')} at column {error.colno}"
        if error.pos == 0:
            where += '; each line is one JSON object, such as {"id": 1, "text": "..."}'
        elif error.msg == "Extra data" and "\r" in text.rstrip("\r\n"):
            where += "; the line holds carriage returns: lines must end with a line feed (\\n), not \\r alone"
        return f"not valid JSON ({where})", {}
    except ValueError:  # an integer of more digits than Python converts ("Exceeds the limit ...")
        return "not readable JSON (a number of more than 4,300 digits)", {}
    except RecursionError:
        return "JSON nested too deeply", {}
    if not isinstance(record, dict):
        return "not a JSON object", {}
    missing = [key for key in required if key not in record]
    if missing:
        return f"missing field(s) {', '.join(missing)}", {}
    null = [key for key in required if record[key] is None]
    if null:
        return f"field(s) {', '.join(null)} null, not text", {}
    not_text = [key for key in required if not isinstance(record[key], str)]
    if not_text:
        return f"field {', '.join(not_text)} is not text", {}
    broken = [key for key, value in record.items() if isinstance(value, str) and not _is_unicode_text(value)]
    if broken:
        return f"field(s) {', '.join(map(repr, broken))} hold a lone surrogate (an unpaired \\ud800-\\udfff escape)", {}
    if not _is_valid_id(record.get("id")):
        return "id is not a string or a 64-bit integer", {}
    return None, record


def _is_unicode_text(value: str) -> bool:
    """False for strings with lone surrogates, which JSON escapes can make and UTF-8 cannot hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_valid_id(value: Any) -> bool:
    if value is None or isinstance(value, str):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and value in ID_RANGE


def _json_value(value: Any) -> str:
    """Dates and timestamps as ISO 8601 (``2026-12-01T02:45:06+00:00``), anything else as its text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, printable on any stderr (surrogates escaped)."""
    text = str(error).strip().encode("utf-8", "backslashreplace").decode("utf-8")
    return text.splitlines()[0] if text else "no message"


def code_handler(min_article_confidence: Optional[float] = None) -> LineHandler:
    """``{"id","text","date"?,"url"?}`` -> one dict per event: the events columns plus ``id``; the
    text is the article, so ``tone`` is the text's own. ``min_article_confidence``: the coder's
    floor for texts of two or more sentences (None: its default)."""
    from transforms.clean.tone import ToneLexicon
    from transforms.coding import Coder
    from transforms.coding.rows import to_events
    from transforms.coding.text import MAX_SENTENCE_CHARS, overlong_sentences

    coder = Coder() if min_article_confidence is None else Coder(min_article_confidence=min_article_confidence)
    tone_lexicon = ToneLexicon.load()

    seen_ids: set[str] = set()

    def handle(record: dict[str, Any]) -> list[dict[str, Any]]:
        record_id = _unique_id(record, seen_ids)
        coded = coder.code_text(record["text"], _date_field(record.get("date")))
        if len(record["text"]) > MAX_SENTENCE_CHARS and (skipped := overlong_sentences(record["text"])):
            print(
                f"newsbeam code: id {record_id!r}: {skipped} sentence(s) longer than {MAX_SENTENCE_CHARS:,} "
                "characters not coded (no sentence end in them)", file=sys.stderr,
            )
        tone = tone_lexicon.tone(record["text"]) if coded else None
        events = to_events(coded, record_id, None, _url_field(record.get("url")), tone=tone.tone if tone else None)
        seen_ids.add(record_id)
        return [{"id": record.get("id"), **event._asdict()} for event in events]

    return handle


def _required_id(record: dict[str, Any]) -> Any:
    """A line's ``id``, which ties every output line to its input line; LineRejected when missing
    or empty."""
    if record.get("id") is None:
        raise LineRejected("missing id (a string or a 64-bit whole number)")
    if record.get("id") == "":
        raise LineRejected("empty id (a string or a 64-bit whole number)")
    return record["id"]


def _unique_id(record: dict[str, Any], seen: set[str]) -> str:
    """The line's id as text; LineRejected when an earlier line written out had it (as text: 1 and
    "1" are one id), since event ids are made from it and would collide. The caller adds it to
    ``seen`` once the line is done, so a line skipped for another fault frees its id."""
    record_id = str(_required_id(record))
    if record_id in seen:
        raise LineRejected(f"id {quoted_start(record_id)} was given to an earlier line (one id per text)")
    return record_id


def _date_field(value: Any) -> Optional[datetime.date]:
    """The optional ``date`` of a line: absent, null or "" (then today, UTC), an ISO date
    ("2024-03-05") or an ISO date and time ("2024-03-05T10:00:00Z", its day; ``iso_day``, as the
    coder's API reads it); LineRejected otherwise, and for years the coder's date arithmetic cannot
    reach (before 2, after 9998)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        shown = str(value) if isinstance(value, (bool, int, float)) and len(str(value)) <= 40 else f"of type {type(value).__name__}"
        raise LineRejected(f"date {shown} is not an ISO date (YYYY-MM-DD)")
    try:
        day = iso_day(value)
    except ValueError as error:
        raise LineRejected(str(error)) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise LineRejected(f"date {quoted_start(value)} is out of range (years {MIN_YEAR} to {MAX_YEAR})")
    return day


def _url_field(value: Any) -> Optional[str]:
    """The optional ``url`` of a line: absent, or an absolute http, https or file URL, as the pipeline
    knows pages (a fetched page by its http(s) URL, a saved one by its file URL); LineRejected otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise LineRejected(f"url {_short(value)} is not a string")
    parts = safe_split(value)
    if parts is None:
        raise LineRejected(f"url {_short(value)} cannot be parsed")
    if parts.scheme.lower() == "file":
        return value
    try:
        checked_http_url(value)
    except UrlProblem as problem:
        if parts.scheme.lower() in ("http", "https") and parts.netloc and "not a valid name" in str(problem):
            # "https://bbb...(300 b's)/": absolute, but its host name breaks the rules for names.
            raise LineRejected(f"url {_short(value)} has a host that is not a valid name") from None
        raise LineRejected(f"url {_short(value)} is not an absolute http, https or file URL") from None
    return value


def _short(value: Any) -> str:
    """A value as an error message shows it: its repr, cut after 80 characters."""
    try:
        shown = repr(value)
    except ValueError:  # an integer of more digits than Python prints
        shown = f"<{type(value).__name__}>"
    return shown if len(shown) <= 80 else shown[:80] + "..."


def clean_handler() -> LineHandler:
    """``{"id","url"?,"html"}`` -> ``{"id","title","author","published","language","text",...}``."""
    from transforms.clean.extract import Cleaner

    cleaner = Cleaner()
    seen_ids: set[str] = set()

    def handle(record: dict[str, Any]) -> list[dict[str, Any]]:
        text_id = _unique_id(record, seen_ids)
        record_id = record["id"]
        page = cleaner.clean(record["html"], _url_field(record.get("url")))
        if not page.text.strip():
            # What the pipeline records as an `empty_content` error row.
            raise LineRejected("no article text found on the page (empty_content)")
        seen_ids.add(text_id)
        return [
            {
                "id": record_id,
                "title": page.title,
                "author": page.author,
                "published": page.published_at.isoformat() if page.published_at else None,
                "published_local_date": page.published_local_date.isoformat() if page.published_local_date else None,
                "language": page.language,
                "text": page.text,
                "canonical_url": page.canonical_url,
            }
        ]

    return handle

"""``newsbeam code`` and ``newsbeam clean``: the pipeline's coding and cleaning over JSON lines."""

from __future__ import annotations

import contextlib
import datetime
import json
import sys
from typing import Any, Callable, Iterator, Optional, TextIO

from pipeline.errors import UsageError

LineHandler = Callable[[dict[str, Any]], list[dict[str, Any]]]


class LineRejected(ValueError):
    """A line whose fields cannot be used (a handler raises it; the line is reported and skipped)."""


@contextlib.contextmanager
def open_text(location: str, mode: str) -> Iterator[TextIO]:
    """``-`` is stdin/stdout; anything else a local file, with a clear message when it fails."""
    if location == "-":
        yield sys.stdin if mode == "r" else sys.stdout
        return
    try:
        handle = open(location, mode, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot open {location!r}: {error.strerror or error}") from error
    with handle:
        yield handle


def transform_lines(source: TextIO, sink: TextIO, handle: LineHandler, required: tuple[str, ...]) -> tuple[int, int]:
    """Apply ``handle`` to each JSON object line; bad lines are reported on stderr and skipped.

    Returns (lines read, lines rejected).
    """
    read = rejected = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        read += 1
        problem, record = _parse(line, required)
        if problem:
            rejected += 1
            print(f"line {number}: {problem}; skipped", file=sys.stderr)
            continue
        try:
            outputs = handle(record)
        except LineRejected as error:
            rejected += 1
            print(f"line {number}: {error}; skipped", file=sys.stderr)
            continue
        for output in outputs:
            sink.write(json.dumps(output, ensure_ascii=False, default=str) + "\n")
    return read, rejected


def _parse(line: str, required: tuple[str, ...]) -> tuple[Optional[str], dict[str, Any]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not valid JSON ({error.msg})", {}
    if not isinstance(record, dict):
        return "not a JSON object", {}
    missing = [key for key in required if not isinstance(record.get(key), str)]
    if missing:
        return f"missing text field(s) {', '.join(missing)}", {}
    return None, record


def code_handler() -> LineHandler:
    """``{"id","text","date"?,"url"?}`` -> one dict per event: the events columns plus ``id``."""
    from transforms.coding import Coder
    from transforms.coding.rows import to_events

    coder = Coder()

    def handle(record: dict[str, Any]) -> list[dict[str, Any]]:
        record_id = str(record.get("id", ""))
        coded = coder.code_text(record["text"], _date_field(record.get("date")))
        events = to_events(coded, record_id, None, record.get("url"))
        return [{"id": record.get("id"), **event._asdict()} for event in events]

    return handle


def _date_field(value: Any) -> Optional[datetime.date]:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise LineRejected(f"date {value!r} is not an ISO date (YYYY-MM-DD)") from error


def clean_handler() -> LineHandler:
    """``{"id","url"?,"html"}`` -> ``{"id","title","author","published","language","text",...}``."""
    from transforms.clean.extract import Cleaner

    cleaner = Cleaner()

    def handle(record: dict[str, Any]) -> list[dict[str, Any]]:
        page = cleaner.clean(record["html"], record.get("url"))
        return [
            {
                "id": record.get("id"),
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

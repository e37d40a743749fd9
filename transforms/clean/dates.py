"""Publication date of an article page, normalised to UTC.

In order, each only when the one before finds nothing:

1. the Open Graph ``article:published_time`` meta tag, read directly: htmldate picks the same day
   on 270 of the 273 wcxb pages that have one, and skipping it there saves most of the date's cost;
2. htmldate's markup pass (JSON-LD, other meta tags, ``<time>``, the URL), which on the wcxb dev
   set is right as often as preferring JSON-LD or meta tags ourselves;
3. the date printed just under the headline ("March 5, 2024", "5. März 2024", "2024-03-05").

htmldate's extensive search through the whole page's text is left out: after the steps above it
dates 5 more of the 588 dated wcxb pages right, but costs about 100 ms on each page left undated,
more than all the rest of the cleaning of such a page apart from trafilatura itself.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime
from importlib import resources

from htmldate import find_date
from lxml.html import HtmlElement

_EARLIEST_PLAUSIBLE = datetime.datetime(1995, 1, 1, tzinfo=datetime.timezone.utc)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?")
_TRAILING_UTC = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_COLONLESS_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
# htmldate keeps the time and the publisher's offset when the markup has them
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# How much of the text after the headline is searched for a printed date (byline, dateline).
HEADLINE_DATE_WINDOW_CHARS = 800
HEADLINE_DATE_WINDOW_NODES = 60


def parse_timestamp(value: str) -> datetime.datetime | None:
    """Parse an ISO 8601, compact or RFC 2822 timestamp; a time without zone is taken as UTC.

    The result is timezone-aware and in UTC; ``None`` when the value is not a timestamp.
    """
    text = value.strip()
    if not text:
        return None
    text = _COLONLESS_OFFSET.sub(r"\1:\2", _TRAILING_UTC.sub("+00:00", text))
    try:
        parsed = datetime.datetime.fromisoformat(text if "T" in text else text.replace(" ", "T", 1))
    except ValueError:
        parsed = _parse_compact(text) or _parse_rfc2822(value)
        if parsed is None:
            return None
    return to_utc(parsed)


def _parse_compact(text: str) -> datetime.datetime | None:
    compact = _COMPACT_DATE.match(text)
    if not compact:
        return None
    try:
        return datetime.datetime(*(int(group) for group in compact.groups() if group))
    except ValueError:
        return None


def _parse_rfc2822(text: str) -> datetime.datetime | None:
    # the format of RSS and HTTP headers, which some sites also put in their meta tags
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def to_utc(moment: datetime.datetime) -> datetime.datetime:
    """Attach UTC to naive values, convert aware ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def is_plausible(moment: datetime.datetime, now: datetime.datetime) -> bool:
    """Not before the web had news sites, not after tomorrow (publishers' clocks run ahead)."""
    return _EARLIEST_PLAUSIBLE <= moment <= now + datetime.timedelta(days=1)


def load_month_names() -> dict[str, int]:
    """Month names and abbreviations in several languages -> month number, from ``data/``."""
    text = resources.files("transforms.clean").joinpath("data", "month_names.tsv").read_text(encoding="utf-8")
    months: dict[str, int] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            number, names = line.split("\t")
            months.update(dict.fromkeys(names.split(), int(number)))
    return months


class PrintedDateParser:
    """Finds dates written for readers: month names in several languages, ISO and dotted numbers."""

    def __init__(self, month_names: dict[str, int]) -> None:
        self._months = month_names
        month = "|".join(sorted(map(re.escape, month_names), key=len, reverse=True))
        day, year = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º)?", r"(?P<year>(?:19|20)\d{2})"
        self._patterns = [
            # "March 5, 2024", "Mar. 5 2024"
            re.compile(rf"\b(?P<month>{month})\.?\s+{day},?\s+{year}\b", re.IGNORECASE),
            # "5 March 2024", "5. März 2024", "5 de marzo de 2024"
            re.compile(rf"\b{day}\.?\s+(?:de\s+)?(?P<month>{month})\.?,?\s+(?:de\s+)?{year}\b", re.IGNORECASE),
            # "2024-03-05", "05.03.2024"
            re.compile(rf"\b{year}-(?P<number>\d{{2}})-(?P<day>\d{{2}})\b"),
            re.compile(rf"\b(?P<day>\d{{1,2}})\.(?P<number>\d{{1,2}})\.{year}\b"),
        ]

    def first_date(self, text: str) -> datetime.datetime | None:
        """The earliest-placed valid date in the text, as midnight UTC."""
        found: list[tuple[int, datetime.datetime]] = []
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                parts = match.groupdict()
                month_number = int(parts["number"]) if parts.get("number") else self._months[parts["month"].lower()]
                try:
                    moment = datetime.datetime(int(parts["year"]), month_number, int(parts["day"]))
                except ValueError:
                    continue
                found.append((match.start(), moment.replace(tzinfo=datetime.timezone.utc)))
                break
        return min(found)[1] if found else None


def open_graph_date(tree: HtmlElement) -> datetime.datetime | None:
    """The ``article:published_time`` meta tag, in UTC."""
    for meta in tree.iterfind(".//meta[@property='article:published_time']"):
        if moment := parse_timestamp(meta.get("content") or ""):
            return moment
    return None


def text_after_headline(tree: HtmlElement) -> str:
    """The first few hundred characters of text that follow the page's first ``<h1>``."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return ""
    pieces = headline.xpath(f"following::text()[normalize-space()][position() <= {HEADLINE_DATE_WINDOW_NODES}]")
    return " ".join(piece.strip() for piece in pieces)[:HEADLINE_DATE_WINDOW_CHARS]


class DateFinder:
    """Finds a page's original publication date; month names and patterns are built once."""

    def __init__(self) -> None:
        self._printed = PrintedDateParser(load_month_names())

    def find(self, tree: HtmlElement, url: str | None = None) -> datetime.datetime | None:
        """The publication time in UTC, or ``None`` when the page gives nothing plausible."""
        now = datetime.datetime.now(datetime.timezone.utc)
        declared = open_graph_date(tree)
        if declared and is_plausible(declared, now):
            return declared
        found = find_date(
            tree,
            url=url,
            extensive_search=False,
            original_date=True,
            outputformat=HTMLDATE_FORMAT,
            max_date=(now + datetime.timedelta(days=1)).strftime("%Y-%m-%d"),
        )
        from_markup = parse_timestamp(found) if found else None
        if from_markup and is_plausible(from_markup, now):
            return from_markup
        printed = self._printed.first_date(text_after_headline(tree))
        return printed if printed and is_plausible(printed, now) else None

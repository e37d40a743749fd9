"""Publication date of an article page, normalised to UTC.

The evidence, in the order it is trusted (``publication_date`` and ``DateFinder.find``); the order
comes from measuring each kind of evidence on the dev sets, see docs/cleaning.md:

1. a date printed under the headline whose label says it is the publication ("Published",
   "Publié le"), else an unlabelled one ("By Ada Moor · March 5, 2024") that is either in the byline
   (the first ``BYLINE_CHARS`` characters) or on a day the markup also gives as published or created.
   A printed date labelled as an update ("Last updated", "Aktualisiert am"), or unlabelled but on the
   markup's update day, is an update, not the publication. A date inside a longer run of text is one
   that a sentence or a photo caption mentions, not a byline's, and is not read at all;
2. the markup's publication date, in this order: JSON-LD ``datePublished`` of the article itself (a
   live blog's own, not its entries'), meta tags (Open Graph, Dublin Core, parsely, sailthru, ...),
   ``<time itemprop=datePublished>``, JSON-LD of the web page around the article, other
   ``<time datetime>`` elements;
3. the date in the URL's path (``/2024/03/05/``);
4. htmldate's markup pass (classes, ``<abbr>`` and other places not read here);
5. better than none, never preferred to a publication date: a creation date, an unlabelled printed
   date further down the page (it may be a related article's), an update date.

A printed or URL date, or a bare date in the markup, has no time of day: when the markup has a
timestamp on the same day in the publisher's own zone, that timestamp is returned instead, else the
date is midnight UTC and stays on its day. Results keep the offset the page gave, so that the caller
has both the moment (converted to UTC for ``published_at``) and the publisher's own calendar day,
which is the day printed on the page and the one "yesterday" in the text counts from.

htmldate's extensive search through the whole page's text is left out: it costs about 100 ms on
each page left undated, and on those pages of the wcxb dev set it finds the right day on 4, a wrong
one on 8 (copyright years, other numbers), and a date on 69 that have none.
"""

from __future__ import annotations

import datetime
import enum
import json
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from importlib import resources
from typing import NamedTuple

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

UTC = datetime.timezone.utc
_EARLIEST_PLAUSIBLE = datetime.datetime(1995, 1, 1, tzinfo=UTC)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?")
_TRAILING_UTC = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_COLONLESS_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/_-]|$)")
# the elements that carry a date in their attributes; other elements with an ``itemprop`` date are
# rare and left to htmldate's pass (looking for them too costs a second walk through every element)
_DATE_MARKUP = etree.XPath("//meta[@content] | //script[@type='application/ld+json'] | //time[@datetime]")
# schema.org types of the article itself, as opposed to the WebPage, WebSite or Organization around it
_ARTICLE_TYPE = re.compile(r"Article|Posting|Report|Review|HowTo|Recipe", re.IGNORECASE)
# htmldate keeps the time and the publisher's offset when the markup has them
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# How much of the text after the headline is searched for a printed date (byline, dateline).
HEADLINE_DATE_WINDOW_CHARS = 800
HEADLINE_DATE_WINDOW_NODES = 60
# Where the byline ends: a date printed this close under the headline is the article's own.
BYLINE_CHARS = 250
_TEXT_AFTER = etree.XPath(
    "following::text()[normalize-space()][not(parent::script or parent::style)]"
    f"[position() <= {HEADLINE_DATE_WINDOW_NODES}]"
)
# A date in a longer run of text is one that a sentence or a photo caption mentions ("... in Nepal
# April 24, 2023 in this picture obtained from social media"), not the page's own: bylines and
# datelines are short.
MAX_DATELINE_CHARS = 60
# How far before a printed date its label ("Last updated on") may start.
LABEL_WINDOW_CHARS = 40


class DateKind(enum.IntEnum):
    """What a date says about the article, in order of preference."""

    PUBLISHED = 0
    CREATED = 1
    MODIFIED = 2


_JSON_LD_DATE_KEYS = {
    "datePublished": DateKind.PUBLISHED,
    "uploadDate": DateKind.PUBLISHED,
    "dateCreated": DateKind.CREATED,
    "dateModified": DateKind.MODIFIED,
}


class Evidence(enum.IntEnum):
    """Where in the markup a date is, in the order that publication dates found there are trusted."""

    JSON_LD_ARTICLE = 0
    META = 1
    TIME_ITEMPROP = 2
    JSON_LD_PAGE = 3
    TIME = 4


class MarkupDate(NamedTuple):
    """A date from the page's markup; ``moment`` keeps the publisher's offset when it had one."""

    kind: DateKind
    source: str
    moment: datetime.datetime
    evidence: Evidence


class PrintedDate(NamedTuple):
    """A date written for readers: where it starts in the text, the day, and what its label says."""

    position: int
    moment: datetime.datetime
    kind: DateKind | None


def parse_local_timestamp(value: str) -> datetime.datetime | None:
    """Parse an ISO 8601, compact or RFC 2822 timestamp, keeping the offset it was written with.

    A time without a zone is taken as UTC; ``None`` when the value is not a timestamp, or names a
    moment that has no UTC equivalent (an offset of 24 hours or more, year 1 east of Greenwich), so
    that every result can be converted and compared.
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
    moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return None
    return moment


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
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def is_plausible(moment: datetime.datetime, now: datetime.datetime) -> bool:
    """Not before the web had news sites, not after tomorrow (publishers' clocks run ahead)."""
    return _EARLIEST_PLAUSIBLE <= moment <= now + datetime.timedelta(days=1)


def _data_rows(name: str) -> Iterator[list[str]]:
    text = resources.files("transforms.clean").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def load_month_names() -> dict[str, int]:
    """Month names and abbreviations in several languages -> month number, from ``data/``."""
    months: dict[str, int] = {}
    for number, names in _data_rows("month_names.tsv"):
        months.update(dict.fromkeys(names.split(), int(number)))
    return months


def load_markup_names() -> dict[str, DateKind]:
    """Meta tag and ``itemprop`` names that carry a date -> what kind of date, from ``data/``."""
    kinds: dict[str, DateKind] = {}
    for kind, names in _data_rows("date_markup.tsv"):
        kinds.update(dict.fromkeys(names.split(), DateKind[kind.upper()]))
    return kinds


def load_date_labels() -> dict[str, DateKind]:
    """Words printed before a date ("Published", "Updated on") -> what kind of date follows."""
    labels: dict[str, DateKind] = {}
    for kind, phrases in _data_rows("date_labels.tsv"):
        labels.update(dict.fromkeys(phrases.split("|"), DateKind[kind.upper()]))
    return labels


class PrintedDateParser:
    """Finds dates written for readers: month names in several languages, ISO and dotted numbers."""

    def __init__(self, month_names: dict[str, int], labels: dict[str, DateKind] | None = None) -> None:
        self._months = month_names
        self._labels = labels or {}
        # any word, looked up afterwards: much faster than an alternation of every month name
        month = r"[^\W\d_]{3,10}"
        day, year = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º)?", r"(?P<year>(?:19|20)\d{2})"
        self._patterns = [
            # "March 5, 2024", "Mar. 5 2024"
            re.compile(rf"\b(?P<month>{month})\.?\s+{day},?\s+{year}\b", re.IGNORECASE),
            # "5 March 2024", "5. März 2024", "5 de marzo de 2024", "29th August, 2023"
            re.compile(rf"\b{day}\.?\s+(?:de\s+)?(?P<month>{month})\.?,?\s+(?:de\s+)?{year}\b", re.IGNORECASE),
            # "2024-03-05", "05.03.2024"
            re.compile(rf"\b{year}-(?P<number>\d{{2}})-(?P<day>\d{{2}})\b"),
            re.compile(rf"\b(?P<day>\d{{1,2}})\.(?P<number>\d{{1,2}})\.{year}\b"),
        ]
        # "2/24/2026" (US) or "24/2/2026": read in the order that the text's unambiguous dates show
        self._slashed = re.compile(rf"\b(?P<first>\d{{1,2}})/(?P<second>\d{{1,2}})/{year}\b")
        label = "|".join(sorted(map(re.escape, self._labels), key=len, reverse=True))
        # a label is the phrase right before the date, separated from it only by punctuation
        self._label_before = re.compile(rf"\b({label})[\s:|•·,\-–—]*$", re.IGNORECASE) if label else None

    def dates(self, text: str) -> list[PrintedDate]:
        """Every valid date in the text, in reading order, with the kind its label gives it."""
        found: list[PrintedDate] = []
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                parts = match.groupdict()
                month = int(parts["number"]) if parts.get("number") else self._months.get(parts["month"].lower())
                if month:
                    self._add(found, text, match, int(parts["day"]), month)
        slashed = [(match, int(match["first"]), int(match["second"])) for match in self._slashed.finditer(text)]
        day_first = any(first > 12 for _, first, _ in slashed)
        month_first = any(second > 12 for _, _, second in slashed)
        if day_first != month_first:
            for match, first, second in slashed:
                day, month = (first, second) if day_first else (second, first)
                self._add(found, text, match, day, month)
        return sorted(found)

    def _add(self, found: list[PrintedDate], text: str, match: re.Match[str], day: int, month: int) -> None:
        try:
            moment = datetime.datetime(int(match["year"]), month, day, tzinfo=UTC)
        except ValueError:
            return
        found.append(PrintedDate(match.start(), moment, self._label_kind(text, match.start())))

    def _label_kind(self, text: str, start: int) -> DateKind | None:
        if self._label_before is None:
            return None
        label = self._label_before.search(text[max(0, start - LABEL_WINDOW_CHARS) : start])
        return self._labels[label.group(1).lower()] if label else None


class HeadlineText(NamedTuple):
    """The text under the headline, and where in it are the runs too long to be a byline or dateline."""

    text: str
    long_runs: list[tuple[int, int]]

    def in_long_run(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.long_runs)


def text_after_headline(tree: HtmlElement) -> HeadlineText:
    """The first few hundred characters of visible text that follow the page's first ``<h1>``."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return HeadlineText("", [])
    pieces: list[str] = []
    long_runs: list[tuple[int, int]] = []
    length = 0
    for piece in _TEXT_AFTER(headline):
        if length >= HEADLINE_DATE_WINDOW_CHARS:
            break
        piece = " ".join(piece.split())
        if len(piece) > MAX_DATELINE_CHARS:
            long_runs.append((length, length + len(piece)))
        pieces.append(piece)
        length += len(piece) + 1
    return HeadlineText(" ".join(pieces)[:HEADLINE_DATE_WINDOW_CHARS], long_runs)


def url_date(url: str | None) -> datetime.datetime | None:
    """A full date in the URL's path (``/2024/03/05/``), as midnight UTC."""
    if not url or not (match := _URL_DATE.search(url)):
        return None
    try:
        return datetime.datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        return None


def json_ld_dates(document: object) -> list[MarkupDate]:
    """Dates of a parsed JSON-LD document, those of article types first, an enclosing node's before
    those of the nodes inside it (a live blog's own date before its entries')."""
    found: list[MarkupDate] = []
    pending: list[tuple[object, str]] = [(document, "")]
    while pending:
        node, enclosing_type = pending.pop()
        if isinstance(node, list):
            pending.extend((item, enclosing_type) for item in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        declared = node.get("@type")
        declared = declared[0] if isinstance(declared, list) and declared else declared
        node_type = declared if isinstance(declared, str) else enclosing_type
        for key, value in node.items():
            if key in _JSON_LD_DATE_KEYS and isinstance(value, str):
                if moment := parse_local_timestamp(value):
                    evidence = Evidence.JSON_LD_ARTICLE if _ARTICLE_TYPE.search(node_type) else Evidence.JSON_LD_PAGE
                    found.append(MarkupDate(_JSON_LD_DATE_KEYS[key], f"json-ld {node_type}.{key}", moment, evidence))
            elif isinstance(value, (dict, list)):
                pending.append((value, node_type))
    return sorted(found, key=lambda date: date.evidence)


def publication_date(markup: list[MarkupDate], printed: list[PrintedDate]) -> datetime.datetime | None:
    """The publication date that the printed byline and the markup give together, in the page's zone.

    A printed date wins when its label says "Published", or when it has no label and is either
    right under the headline or on a day the markup also gives; else the markup's publication date,
    the first in ``Evidence`` order. A day without a time takes it from the markup (``with_time_of_day``).
    """
    original_days = {date.moment.date() for date in markup if date.kind is not DateKind.MODIFIED}
    update_days = {date.moment.date() for date in markup if date.kind is DateKind.MODIFIED} - original_days
    labelled_published = [date.moment for date in printed if date.kind is DateKind.PUBLISHED]
    # an unlabelled date on the markup's update day is that update, shown without saying so
    unlabelled = [date for date in printed if date.kind is None and date.moment.date() not in update_days]
    # one further down may be a related article's, unless the markup has that day too
    bylines = [
        date.moment for date in unlabelled if date.position < BYLINE_CHARS or date.moment.date() in original_days
    ]
    if day := next(iter(labelled_published + bylines), None):
        found = with_time_of_day(day, markup)
    elif published := next((date.moment for date in markup if date.kind is DateKind.PUBLISHED), None):
        found = with_time_of_day(published, markup) if is_bare_date(published) else published
    else:
        return None
    return with_stated_offset(found, markup)


def is_bare_date(moment: datetime.datetime) -> bool:
    """Midnight UTC: a day that the page gave without a time of day ("2024-05-03", "2024-05-03T00:00:00Z")."""
    return moment.utcoffset() == datetime.timedelta(0) and moment.time() == datetime.time(0)


def with_stated_offset(moment: datetime.datetime, markup: list[MarkupDate]) -> datetime.datetime:
    """A UTC timestamp whose clock time another publication date of the page gives with an offset is
    that local time mislabelled as UTC ("18:11:01Z" beside "18:11:01+02:00"): the one with the offset.
    A bare date stays as it is, on its day."""
    if moment.utcoffset() or is_bare_date(moment):
        return moment
    clock = moment.replace(tzinfo=None)
    stated = (
        date.moment
        for date in markup
        if date.kind is DateKind.PUBLISHED and date.moment.utcoffset() and date.moment.replace(tzinfo=None) == clock
    )
    return next(stated, moment)


def with_time_of_day(day: datetime.datetime, markup: list[MarkupDate]) -> datetime.datetime:
    """The first published, else created, timestamp of the markup on that day in the publisher's own
    zone, else the day itself: an update's time on the same day is not the publication's. The day
    is compared as the publisher wrote it, never converted, so that a bare date stays on its day."""
    same_day = [
        date
        for date in markup
        if date.kind is not DateKind.MODIFIED and date.moment.date() == day.date() and not is_bare_date(date.moment)
    ]
    return min(same_day, key=lambda date: date.kind).moment if same_day else day


class DateFinder:
    """Finds a page's publication date; word lists and patterns are built once, here."""

    def __init__(self) -> None:
        self._printed = PrintedDateParser(load_month_names(), load_date_labels())
        self._markup_names = load_markup_names()

    def markup_dates(self, tree: HtmlElement) -> list[MarkupDate]:
        """Dates in JSON-LD, meta tags and ``<time datetime>`` elements, in ``Evidence`` order and in
        the order of the page within each."""
        found: list[MarkupDate] = []
        for element in _DATE_MARKUP(tree):
            if element.tag == "script":
                try:
                    found.extend(json_ld_dates(json.loads(element.text or "")))
                except (ValueError, RecursionError):  # malformed, or nested deeper than Python recurses
                    continue
            elif element.tag == "meta":
                found.extend(self._meta_date(element))
            else:
                found.extend(self._time_date(element))
        return sorted(found, key=lambda date: date.evidence)

    def _meta_date(self, element: HtmlElement) -> list[MarkupDate]:
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            name = (element.get(attribute) or "").lower()
            if name in self._markup_names:
                content = element.get("content") or ""
                moment = parse_local_timestamp(content) or self._written_day(content)
                return [MarkupDate(self._markup_names[name], f"meta {name}", moment, Evidence.META)] if moment else []
        return []

    def _written_day(self, content: str) -> datetime.datetime | None:
        # some sites put the day as it is printed in their meta tags ("July 17, 2025", "Dec 19th 2025")
        days = self._printed.dates(content)
        return days[0].moment if len(days) == 1 else None

    def _time_date(self, element: HtmlElement) -> list[MarkupDate]:
        moment = parse_local_timestamp(element.get("datetime") or "")
        if moment is None:
            return []
        itemprop = (element.get("itemprop") or "").lower()
        if itemprop in self._markup_names:
            kind = self._markup_names[itemprop]
            return [MarkupDate(kind, f"time itemprop={itemprop}", moment, Evidence.TIME_ITEMPROP)]
        # otherwise a <time> says what it is only through its class ("entry-date published", "updated")
        classes = (element.get("class") or "").lower()
        kind = DateKind.MODIFIED if "updated" in classes or "modified" in classes else DateKind.PUBLISHED
        return [MarkupDate(kind, "time", moment, Evidence.TIME)]

    def printed_dates(self, tree: HtmlElement) -> list[PrintedDate]:
        """Dates printed in the text under the headline, in reading order, but not those that a
        sentence or a caption mentions."""
        headline_text = text_after_headline(tree)
        return [
            date for date in self._printed.dates(headline_text.text) if not headline_text.in_long_run(date.position)
        ]

    def find(self, tree: HtmlElement, url: str | None = None) -> datetime.datetime | None:
        """The publication time with the offset the page gives (UTC when it gives none), or ``None``
        when the page gives nothing plausible. A date without a time of day is midnight UTC."""
        now = datetime.datetime.now(UTC)
        markup = [date for date in self.markup_dates(tree) if is_plausible(date.moment, now)]
        printed = [date for date in self.printed_dates(tree) if is_plausible(date.moment, now)]
        from_url = url_date(url)
        return (
            publication_date(markup, printed)
            or (with_time_of_day(from_url, markup) if from_url and is_plausible(from_url, now) else None)
            or self._htmldate(tree, url, now, markup)
            or self._fallback(markup, printed)
        )

    @staticmethod
    def _fallback(markup: list[MarkupDate], printed: list[PrintedDate]) -> datetime.datetime | None:
        """Evidence that is better than none: a creation date (htmldate's pass reads most of them
        already), an unlabelled date further down, which may be a related article's, an update date,
        and last a printed update date."""
        if created := next((date.moment for date in markup if date.kind is DateKind.CREATED), None):
            return created
        update_days = {date.moment.date() for date in markup if date.kind is DateKind.MODIFIED}
        further_down = [date for date in printed if date.kind is None and date.moment.date() not in update_days]
        if further_down:
            return with_time_of_day(further_down[0].moment, markup)
        if updated := next((date.moment for date in markup if date.kind is DateKind.MODIFIED), None):
            return updated
        return printed[0].moment if printed else None

    @staticmethod
    def _htmldate(
        tree: HtmlElement, url: str | None, now: datetime.datetime, markup: list[MarkupDate]
    ) -> datetime.datetime | None:
        """htmldate's markup pass, unless what it finds is the page's update time: htmldate takes
        ``article:modified_time`` when the page has no publication time, which is left to the fallback."""
        try:
            found = find_date(
                tree,
                url=url,
                extensive_search=False,
                original_date=True,
                outputformat=HTMLDATE_FORMAT,
                max_date=(now + datetime.timedelta(days=1)).strftime("%Y-%m-%d"),
            )
        except (ValueError, OverflowError):  # htmldate raises on an offset like "+99:00"; the next evidence decides
            return None
        moment = parse_local_timestamp(found) if found else None
        if moment is None or not is_plausible(moment, now):
            return None
        updates = {date.moment for date in markup if date.kind is DateKind.MODIFIED}
        originals = {date.moment for date in markup if date.kind is not DateKind.MODIFIED}
        return None if moment in updates and moment not in originals else moment

"""When an event happened: the article date, moved by what the sentence says.

"yesterday" is the day before; a weekday name is the latest such day on or before the article
date; an explicit date ("May 22, 2020", "22 May", "2020-05-22") wins over both.
"""

from __future__ import annotations

import datetime
import re
from typing import Optional, Union

DateLike = Union[datetime.date, str, None]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {name: number for number, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DIGIT = re.compile(r"\d")
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_MONTH_DAY = re.compile(
    r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<word>yesterday|last night|today|tonight|this morning|this week"
    r"|(?:last\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ])")


def quoted_start(text: str, limit: int = 40) -> str:
    """``text`` as an error message quotes it: its repr, the text cut after ``limit`` characters
    ("'9999...'"), so a value of megabytes makes no megabyte message."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def iso_day(text: str) -> datetime.date:
    """The day of ``text``: an ISO date "YYYY-MM-DD" or an ISO date and time opening with one
    ("2024-03-05T10:00:00Z", "2024-03-05 10:00+05:00": the day as written). ValueError for anything
    else, including what Python's own ``fromisoformat`` also takes (week dates "2024-W10", compact
    "20240305") and surrounding spaces; the message shows at most 40 characters of the text."""
    problem = f"date {quoted_start(text)} is not an ISO date (YYYY-MM-DD)"
    if not _ISO_DAY.match(text):
        raise ValueError(problem)
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else datetime.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(problem) from None

# Relative dates ("yesterday", "next year") are counted from the article's date: it must leave
# room on both sides inside Python's dates (years 1 to 9999).
MIN_YEAR, MAX_YEAR = 2, 9998


def parse_date(value: DateLike, today: Optional[datetime.date] = None) -> datetime.date:
    """A ``date`` from a date, an ISO string (``iso_day``: a timestamp's own day) or ``None`` or ""
    (today, UTC). TypeError for anything else (a number such as 20240305 is no date); ValueError
    for a string that is no ISO date and for a year outside ``MIN_YEAR``..``MAX_YEAR``."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str) and value:
        day = iso_day(value)
    elif value is not None and not isinstance(value, str):
        raise TypeError(f"date must be a date, an ISO date string or None, not {type(value).__name__}")
    else:
        day = today or datetime.datetime.now(datetime.timezone.utc).date()
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        # "yesterday" or "next year" must stay inside Python's dates (years 1 to 9999).
        raise ValueError(f"date {day.isoformat()} is out of range (years {MIN_YEAR} to {MAX_YEAR})")
    return day


def _explicit_date(sentence: str, base: datetime.date) -> Optional[datetime.date]:
    candidates = []
    for pattern in (_ISO_DATE, _MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(sentence):
            month_text = match.group("month")
            if month_text.lower() == "may" and pattern is not _ISO_DATE and not match.group("year"):
                # "may 5" is too often the verb: accept only a capitalised "May".
                if not month_text[0].isupper():
                    continue
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower().rstrip(".")]
            year = int(match.group("year")) if match.group("year") else base.year
            try:
                day = datetime.date(year, month, int(match.group("day")))
                if not match.group("year") and day > base:
                    # "attacked on December 25" in a story of November 20: news reports what
                    # happened, so a day without a year is the last such day up to the story's.
                    day = datetime.date(year - 1, month, day.day)
                candidates.append((match.start(), day))
            except ValueError:
                continue
    return min(candidates)[1] if candidates else None


def _relative_date(sentence: str, base: datetime.date) -> Optional[datetime.date]:
    match = _RELATIVE.search(sentence)
    if not match:
        return None
    word = match.group("word").lower()
    if word in ("yesterday", "last night"):
        return base - datetime.timedelta(days=1)
    if word in ("today", "tonight", "this morning", "this week"):
        return base
    weekday = _WEEKDAYS[word.split()[-1]]
    back = (base.weekday() - weekday) % 7
    if word.startswith("last") and back == 0:
        back = 7
    return base - datetime.timedelta(days=back)


_OPENING_YEAR = re.compile(
    r"^\W*(?:back\s+)?(?:in|during)\s+(?:the\s+)?(?:(?:early|late|mid)-?\s*)?(?:" + _MONTH + r"\s+)?"
    r"(?P<year>(?:18|19|20)\d\d)(?P<decade>'?s)?\b",
    re.IGNORECASE,
)


def opening_year(sentence: str) -> Optional[int]:
    """The year a sentence opens with ("In 1970, ...", "In December 2015, ...", "Back in 2003
    ...", "In the 1990s, ...": 1999): the time of everything it tells. None when it opens otherwise ("Since 2015" runs on to
    now)."""
    match = _OPENING_YEAR.match(sentence)
    if not match:
        return None
    # "In the 1990s": the decade's last year, so that "In the 2020s" is no history in 2026.
    return int(match.group("year")) + (9 if match.group("decade") else 0)


def event_date(sentence: str, base: datetime.date) -> datetime.date:
    """The date a sentence's events happened, given the article's date."""
    # Every explicit date has a digit; most sentences have none, so skip the three patterns.
    explicit = _explicit_date(sentence, base) if _DIGIT.search(sentence) else None
    return explicit or _relative_date(sentence, base) or base


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def latest_past_year(text: str, today: datetime.date) -> Optional[int]:
    """The latest year a text names that is not after ``today``'s ("in 2019" in a story of 2019;
    "the 2030 deadline" is a plan, not when the story was written); None when it names none. An
    undated article is about as recent as that year."""
    years = [int(found) for found in _YEAR.findall(text)]
    past = [year for year in years if year <= today.year]
    return max(past) if past else None

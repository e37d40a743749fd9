"""Who wrote an article: the credits a page gives, cleaned down to names.

Credits come from JSON-LD, meta tags and the visible byline, in that order of trust, and carry more
than names: "By Lena Marsh, Senior Correspondent", "Lena Marsh • Politics reporter", "Marsh, Lena",
"Dylan Bailey, MS, RD", "Lena Marsh in Kyiv | 5 March 2024", and often the outlet itself. A credit
is cut into names at its separators ("; ", " | ", " · ", commas, "and"); a "Last, First" credit is
turned round; byline words, job titles, credentials, places, dates and labels are dropped, and so are
e-mail addresses, an agency's code in brackets ("(AP)"), the outlet after a name set in capitals,
picture credits ("(Image: Getty Images)") and other hands ("Editing by ...") (the words are in
``data/author_words.tsv``). The first source that names a person in full, or an organisation
the JSON-LD gives as the author (a news agency), gives the authors; single names come next, then
desks and teams, and the outlet's own name only when no source names anyone else (or where the
markup credits the outlet and the page signs the article only with initials or an agency's code).
Names are joined with "; ".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from transforms.clean.data_files import entries_by_kind
from transforms.clean.titles import SiteNames, title_key

WORDS_FILE = Path(__file__).parent / "data" / "author_words.tsv"
JOIN = "; "
# A credit part with more words than this is a sentence, not a name.
MAX_NAME_WORDS = 5
MAX_NAME_CHARS = 60
# A sign-off (initials, an agency's code) has at most this many letters.
MAX_SIGN_OFF = 4
# Words of a name before a job title that follows it with no separator ("Lena Marsh Staff Writer").
MIN_NAME_BEFORE_ROLE = 2
# Separators between names in a credit; commas are handled apart ("Last, First").
NAME_SEPARATORS = re.compile(r"\s*(?:[;|/•·∙‖&+]|\s[-–—]\s)\s*")
LAST_FIRST = re.compile(r"^([^\W\d_][\w'’-]*),\s*([^\W\d_][\w'’-]*(?:\s+[^\W\d_]\.?)?)$")
# Postnominal letters: "MS", "RD", "Ph.D.", "CEPF®".
CREDENTIAL = re.compile(r"^(?:[A-Z][A-Za-z]?\.?){1,4}[®©]?$")
# Addresses, handles and template placeholders: "lena@ledger.example", "lena.marsh", "page.author".
NOT_IN_NAMES = re.compile(r"@|https?:|www\.|\.(?:com|org|net)\b|[a-z]\.[a-z]")
# An e-mail address printed beside a name ("Lena Marsh lena@ledger.example"): taken out, the name stays.
EMAIL = re.compile(r"(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An agency's code in brackets after a name ("Lena Marsh (AP)"), or standing alone ("(AP)").
BRACKETED_CODE = re.compile(r"\s*\(([A-Z]{2,5})\)$")
EDGE_PUNCTUATION = " \t\n,;:|·•*-–—\"'“”‘’«»"


class AuthorRules(NamedTuple):
    """The words of ``data/author_words.tsv``, compiled."""

    prefix: re.Pattern[str]
    not_credit: re.Pattern[str]
    contribution: re.Pattern[str]
    roles: frozenset[str]
    teams: frozenset[str]
    non_names: frozenset[str]
    dates: frozenset[str]
    conjunction: re.Pattern[str]
    places: frozenset[str]


@lru_cache(maxsize=1)
def load_author_rules(path: Path = WORDS_FILE) -> AuthorRules:
    """Compile the word lists shipped in ``author_words.tsv``."""
    kinds = entries_by_kind(path, "|")

    def either(values: list[str]) -> str:
        return "|".join(re.escape(value) for value in sorted(values, key=len, reverse=True))

    return AuthorRules(
        # a prefix goes only before a word, and not before a name's particle: "von der Leyen"
        prefix=re.compile(rf"^(?i:{either(kinds['prefix'])})\s*:?\s+(?=[^\W\d_])(?!(?:{either(kinds['particle'])})\s)"),
        not_credit=re.compile(rf"^\(?\s*(?i:{either(kinds['not_credit'])})\s*:"),
        contribution=re.compile(rf"^(?i:{either(kinds['contribution'])})\s*:?\s+"),
        roles=frozenset(kinds["role"]),
        teams=frozenset(kinds["team"]),
        non_names=frozenset(kinds["non_name"]),
        dates=frozenset(kinds["date"]),
        conjunction=re.compile(rf"\s+(?:{either(kinds['conjunction'])})\s+"),
        places=frozenset(kinds["place"]),
    )


class Credit(NamedTuple):
    """A credited text as the page gives it; ``person`` is False where markup says it is an
    organisation (JSON-LD ``Organization``)."""

    text: str
    person: bool = True


class Names(NamedTuple):
    """The names in a credit: people (or organisations the markup names as author), and the
    desks or teams credited where no one is named ("Gear Team", "News Desk")."""

    names: list[str]
    teams: list[str]


def _plain(word: str) -> str:
    return word.strip(".,:;()[]'\"’").lower()


def _trimmed(piece: str, rules: AuthorRules) -> str:
    """A credit part up to its first figure, place ("in Kyiv") or trailing label ("Jul")."""
    words = piece.split()
    for index, word in enumerate(words):
        if any(char.isdigit() for char in word):
            words = words[:index]
            # a date's month or weekday before its figures: "Lena Marsh Jul 18, 2024"
            while words and (_plain(words[-1]) in rules.dates or _plain(words[-1]) in rules.non_names):
                words.pop()
            break
        if index and word in rules.places:
            words = words[:index]
            break
    return " ".join(words).strip(EDGE_PUNCTUATION)


def _without_code(piece: str) -> str:
    """A name without an agency's code in brackets after it: "Lena Marsh (AP)" -> "Lena Marsh";
    a code alone is kept without its brackets: "(AP)" -> "AP"."""
    code = BRACKETED_CODE.search(piece)
    if code is None:
        return piece
    return piece[: code.start()] or code[1]


def _capitals_first(piece: str) -> str:
    """A name set in capitals without what follows it in ordinary case, the outlet or a job title:
    "LENA MARSH Associated Press" -> "LENA MARSH"."""
    words = piece.split()
    count = next((index for index, word in enumerate(words) if not (word.isupper() and len(word) > 1)), len(words))
    return " ".join(words[:count]) if MIN_NAME_BEFORE_ROLE <= count < len(words) else piece


def _plausible(part: str, rules: AuthorRules) -> bool:
    return (
        0 < len(part) <= MAX_NAME_CHARS
        and len(part.split()) <= MAX_NAME_WORDS
        and any(char.isalpha() for char in part)
        and not NOT_IN_NAMES.search(part)
        and not any(_plain(word) in rules.non_names for word in part.split())
    )


def split_credit(credit: str, rules: AuthorRules) -> Names:
    """The names in one credited text, in order: "By Lena Marsh, Senior Correspondent" ->
    ["Lena Marsh"]; "Marsh, Lena" -> ["Lena Marsh"]; "Lena Marsh and Tom Reed" -> both."""
    credit = " ".join(EMAIL.sub(" ", credit).split())
    if rules.not_credit.match(credit):
        return Names([], [])
    credit = rules.prefix.sub("", credit.strip(EDGE_PUNCTUATION))
    turned = LAST_FIRST.match(credit)
    if turned and all(_plausible(part, rules) and not CREDENTIAL.match(part) for part in turned.groups()):
        if not any(_plain(word) in rules.roles for word in credit.split()):
            return Names([f"{turned[2]} {turned[1]}"], [])
    pieces = [
        (piece, index == 0)
        for chunk in NAME_SEPARATORS.split(credit)
        for part in rules.conjunction.split(chunk)
        for index, piece in enumerate(part.split(","))
    ]
    found = Names([], [])
    for position, (piece, leads) in enumerate(pieces):
        piece = piece.strip(EDGE_PUNCTUATION)
        if rules.contribution.match(piece):
            # "Editing by Tom Reed", "Photos by Ana Ruiz": a hand in the article, not its author
            continue
        piece = _trimmed(rules.prefix.sub("", _without_code(piece)), rules)
        # postnominal letters after a name belong to it: they are no second person
        if (position and CREDENTIAL.match(piece.replace(" ", ""))) or not _plausible(piece, rules):
            continue
        piece = _capitals_first(piece)
        words = [_plain(word) for word in piece.split()]
        if any(word in rules.teams for word in words):
            kind = found.teams
        else:
            # a job title after a name without a separator ("Lena Marsh Staff Writer"); after a
            # comma, a part with a job title is the title alone ("Lena Marsh, Chief Editor")
            first_role = next((index for index, word in enumerate(words) if word in rules.roles), None)
            if first_role is not None and (first_role < MIN_NAME_BEFORE_ROLE or not leads):
                continue
            piece = " ".join(piece.split()[:first_role])
            kind = found.names
        if piece not in kind:
            kind.append(piece)
    return found


def _full(name: str) -> bool:
    """Whether a name is more than one word, or written in a script without spaces."""
    return " " in name or any(ord(char) > 0x2E7F for char in name)


def choose_authors(sources: Iterable[Iterable[Credit]], site: SiteNames, rules: AuthorRules) -> str | None:
    """The authors, from credit sources in order of trust, joined with "; ".

    The first source that names a person in full, or an organisation the markup gives as the
    author, gives the authors: single names (a handle, a first name, initials) wait for a fuller
    name from a later source. Failing that the first single names, then the first desk or team,
    then the outlet's own name as the page gives it.
    """
    single: list[str] = []
    teams: list[str] = []
    outlet: str | None = None
    credited_outlet: str | None = None
    for credits in sources:
        named: list[str] = []
        decisive = False
        for credit in credits:
            text = " ".join(credit.text.split()).strip(EDGE_PUNCTUATION)
            if site.named(text) or (len(text.split()) <= MAX_NAME_WORDS and site.mentioned(text)):
                named_outlet = rules.prefix.sub("", text)
                outlet = outlet or named_outlet
                # the markup names the outlet itself as the author: no initials beat it
                credited_outlet = credited_outlet or (None if credit.person else named_outlet)
                continue
            found = split_credit(text, rules)
            names = [name for name in found.names if not site.mentioned(name)]
            outlet = outlet or next((name for name in found.names if name not in names), None)
            if not credit.person:
                # an organisation the markup names as the author: a news agency, a desk
                names += found.teams
                decisive = decisive or bool(names)
            named += [name for name in names if name not in named]
            teams = teams or found.teams
        if any(_full(name) for name in named):
            # beside a full name, a single word is a section or a place ("Lena Marsh · Politics",
            # "Lena Marsh, Springfield"), not a second person
            return JOIN.join(_fullest([name for name in named if _full(name)]))
        if decisive:
            return JOIN.join(_fullest(named))
        single = single or named
    if credited_outlet and single and all(_sign_off(name) for name in single):
        return credited_outlet
    found_names = single or teams or ([outlet] if outlet else [])
    return JOIN.join(_fullest(found_names)) if found_names else None


def _sign_off(name: str) -> bool:
    """Whether a name is a sign-off: initials or an agency's code, a few letters all in lower case
    or all in capitals ("amw", "APA"), not a first name ("Tom")."""
    return len(name) <= MAX_SIGN_OFF and name.isalpha() and (name.islower() or name.isupper())


def _fullest(names: list[str]) -> list[str]:
    """Each name once, in its fullest form: "Lena Marsh" goes where "Lena Marsh-Reed" is too."""
    keys = [title_key(name) for name in names]
    return [
        name
        for index, (name, key) in enumerate(zip(names, keys))
        if key not in keys[:index] and not any(key != other and key in other for other in keys)
    ]

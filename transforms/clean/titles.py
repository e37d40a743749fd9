"""The headline of a page, without the site's name around it.

A page gives its headline several times over: the visible ``<h1>``, JSON-LD ``headline``,
``og:title``, ``twitter:title`` and ``<title>``. The meta forms often carry the site's name
("Storm closes harbour | Ledger", "Ledger - Storm closes harbour", "…：Ledger", "【Ledger】…"), at
times a section or a date too, and some are variants written for search engines. The visible
headline wins when a meta form confirms it; otherwise the form most sources agree on, with the
site's decoration removed. Where the ``<h1>`` is itself a search engine's (in a breadcrumb, with a
kicker) and a meta form is printed on the page as the displayed headline, that form wins.
Separators inside a headline stay: only an outer part that is the site's name (a piece of its host
name, the initials of a declared name) or a date goes, and with the site's name a short section
parted from the headline by the same bar ("Storm closes harbour | Politics | Ledger"). The
separators, brackets and host labels are in ``data/title_rules.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import courlan
from lxml.html import HtmlElement

from transforms.clean.data_files import entries_by_kind
from transforms.fetch.urls import safe_split

DATA = Path(__file__).parent / "data"
# Site names are looked for in runs of up to this many words of a text, also with the words of
# up to MAX_SHORT_WORD letters left out ("the", "for").
MAX_NAME_WORDS = 4
MAX_SHORT_WORD = 3
# Initials of a declared name count as a name when it has at least this many words; a part of a
# title counts as a piece of the host name when it has at least this many letters.
MIN_INITIALS = 3
# A section between a headline and the site's name has at most this many words ("World news").
MAX_SECTION_WORDS = 3
MIN_HOST_PIECE = 4
# An outer part longer than this is headline, whatever site name it contains.
MAX_SITE_WORDS = 6
# Text nodes of the body, outside <h1>, scripts and styles, that contain a given word.
PRINTED_TEXT = "//body//text()[contains(., $word)][not(ancestor::h1 or ancestor::script or ancestor::style)]"
MAX_PRINTED_CANDIDATES = 20
# An element is looked for this many levels above the text, and no further once its text is this
# many times longer than the title.
MAX_PRINTED_DEPTH = 4
MAX_PRINTED_SPREAD = 3
WORD_BREAK = NOT_ALNUM = re.compile(r"[\W_]+")
# An outer part that is a numeric date, perhaps with a time: "28.04.2023", "2024-03-05", "3/5/24 14:05";
# not a score or a count ("2:1", "3").
DATE_PART = re.compile(
    r"^\s*(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(,?\s+\d{1,2}[:.]\d{2}(:\d{2})?)?\s*$"
)
# After the part another form shares, a rest this short that names the site is decoration even
# without a separator ("…커졌다-정치ᅵ한국일보" where the headline meta stops at "커졌다").
MAX_REST_WORDS = 3
# The least share of a title's letters that its first part, or its last, must have to confirm a
# heading of the same words without naming the site in what is cut off.
MIN_HEAD_SHARE = 0.25
MIN_TAIL_SHARE = 0.5
# A title cut short for a snippet keeps at least this many letters and digits of the headline.
MIN_CUT_KEY = 20


class TitleRules(NamedTuple):
    """How titles are parted (a pattern whose matches separate a title's parts, bracket pairs, the
    separators that also part a kicker, those that part a section), and the host labels that name
    no site."""

    separator: re.Pattern[str]
    brackets: tuple[tuple[str, str], ...]
    kicker: frozenset[str]
    section: frozenset[str]
    host_labels: frozenset[str]


@lru_cache(maxsize=1)
def load_title_rules(path: Path = DATA / "title_rules.tsv") -> TitleRules:
    """Compile the separators and labels shipped in ``title_rules.tsv``."""
    kinds = entries_by_kind(path)

    def either(values: list[str]) -> str:
        return "|".join(re.escape(value) for value in sorted(set(values), key=len, reverse=True))

    alternatives = [rf"\s+(?:{either(kinds['spaced'])})\s+", rf"(?:{either(kinds['trailing'])})\s+"]
    alternatives.append(rf"\s*(?:{either(kinds['bare'])})\s*")
    brackets = tuple((pair[0], pair[1]) for pair in kinds.get("bracket", []) if len(pair) == 2)
    return TitleRules(
        re.compile("(" + "|".join(alternatives) + ")"),
        brackets,
        frozenset(kinds["kicker"]),
        frozenset(kinds["section"]),
        frozenset(kinds["host_label"]),
    )


def title_key(text: str) -> str:
    """A form for comparing titles: NFKC, case-folded, letters and digits only (so quotes, dashes
    and spacing that differ between a page's forms of its headline do not count)."""
    return NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


class SiteNames(NamedTuple):
    """The names a site goes by, as ``title_key`` forms: those it declares (``og:site_name``,
    ``application-name``, JSON-LD publisher...) and its domain's ("spiegel", "spiegel.de" for
    www.spiegel.de), which may be mentioned within a longer text; its host's other labels
    ("mitsloan" of mitsloan.mit.edu) and the initials of its declared names ("cla" of "Coastal
    Ledger Archive"), which count only as the whole of a text; and its host name run together
    ("getledgercom"), within which a title's outer part may stand ("Ledger" on getledger.com)."""

    names: frozenset[str]
    labels: frozenset[str] = frozenset()
    host: str = ""

    @classmethod
    def of(cls, declared: Iterable[str | None], url: str | None, rules: TitleRules) -> SiteNames:
        names = [name.lstrip("@") for name in declared if name]
        labels = [_initials(name) for name in names]
        parts = safe_split(url) if url else None
        host = (parts.hostname or "") if parts else ""
        if host:
            # the registrable domain, or for a suffix courlan does not know the host without "www."
            domain = courlan.extract_domain(url) or courlan.extract_domain(url, fast=True) or host
            names += [host, domain, domain.split(".")[0]]
            labels += [label for label in host.split(".")[: -len(domain.split("."))] if label not in rules.host_labels]
        return cls(
            frozenset(key for name in names if (key := title_key(name))),
            frozenset(key for label in labels if (key := title_key(label))),
            title_key(host),
        )

    def named(self, text: str) -> bool:
        """Whether the text is one of the site's names ("Ledger", "ledger.example", "@ledger")."""
        key = title_key(text)
        return key in self.names or key in self.labels

    def mentioned(self, text: str, labels: bool = False) -> bool:
        """Whether some words of the text, run together, are one of the site's names, also when
        the name leaves out short words: "Deutsche Welle (www.dw.com)", "Die Neue Südtiroler
        Tageszeitung" on tageszeitung.it, "The Partnership for Student Success" on
        partnershipstudentsuccess.org; with ``labels``, the host's other labels count too."""
        names = self.names | self.labels if labels else self.names
        words = [title_key(word) for word in WORD_BREAK.split(text) if word]
        long_words = [word for word in words if len(word) > MAX_SHORT_WORD]
        return any(
            "".join(run[start : start + length]) in names
            for run in (words, long_words)
            for start in range(len(run))
            for length in range(1, min(MAX_NAME_WORDS, len(run) - start) + 1)
        )


def _initials(name: str) -> str:
    """The initials of a name of several words ("Coastal Ledger Archive" -> "CLA"), or ""."""
    words = [word for word in WORD_BREAK.split(name) if word]
    return "".join(word[0] for word in words) if len(words) >= MIN_INITIALS else ""


def _decoration(part: str, rest: str, separator: str, site: SiteNames, rules: TitleRules) -> bool:
    """Whether an outer part of a title is no headline: empty, a date, the site's name, or (unless
    a colon parts it off, as it does a headline's kicker) a short part without figures that
    mentions the site and is shorter than the rest of the title."""
    if not part.strip() or DATE_PART.match(part) or site.named(part):
        return True
    return (
        separator.strip() not in rules.kicker
        and len(part.split()) <= MAX_SITE_WORDS
        and len(title_key(part)) < len(title_key(rest))
        and not any(char.isdigit() for char in part)
        and (site.mentioned(part) or _within_host(part, site))
    )


def _within_host(part: str, site: SiteNames) -> bool:
    """Whether the part, run together, is a piece of the site's host name: "Ledger" on
    getledger.example, "LedgerHR" on theledgerhr.example."""
    key = title_key(part)
    return len(key) >= MIN_HOST_PIECE and key in site.host


def _section(part: str, separators: Sequence[str], rules: TitleRules) -> bool:
    """Whether a part between the headline and the site's name is a section ("Storm closes
    harbour | Politics | Ledger"): short, without figures, and parted on both sides by the same
    separator of the kind that parts sections (a bar, not a dash that may join two clauses)."""
    marks = {separator.strip() for separator in separators}
    return (
        len(marks) == 1
        and marks <= rules.section
        and len(part.split()) <= MAX_SECTION_WORDS
        and not any(char.isdigit() for char in part)
    )


def _without_brackets(title: str, site: SiteNames, rules: TitleRules) -> str:
    for opening, closing in rules.brackets:
        if title.startswith(opening) and closing in title:
            inner, rest = title[1:].split(closing, 1)
            if rest.strip() and site.mentioned(inner):
                title = rest.strip()
        if title.endswith(closing) and opening in title:
            rest, inner = title[:-1].rsplit(opening, 1)
            if rest.strip() and site.mentioned(inner):
                title = rest.strip()
    return title


def strip_site(title: str, site: SiteNames, rules: TitleRules) -> str:
    """The title without the site's name (and dates) as outer parts: "Storm | Ledger" -> "Storm"."""
    title = _without_brackets(title.strip(), site, rules)
    pieces = rules.separator.split(title)
    parts, separators = pieces[0::2], pieces[1::2]
    first, last = 0, len(parts)

    def rest(start: int, end: int) -> str:
        return "".join(parts[start:end])

    while last - first > 1 and _decoration(parts[last - 1], rest(first, last - 1), separators[last - 2], site, rules):
        last -= 1
    while last - first > 1 and _decoration(parts[first], rest(first + 1, last), separators[first], site, rules):
        first += 1
    # a section stands between the headline and the site's name, parted as the name is
    if last < len(parts) and last - first > 1 and _section(parts[last - 1], separators[last - 2 : last], rules):
        last -= 1
    if first and last - first > 1 and _section(parts[first], separators[first - 1 : first + 1], rules):
        first += 1
    return "".join(pieces[2 * first : 2 * last - 1]).strip()


def outer_forms(title: str, site: SiteNames, rules: TitleRules) -> set[str]:
    """Keys of the title cut at its separators, keeping its first or its last part: the forms a
    page's other headline sources give when this one carries a site's name, a section or a date.
    So that a logo's or a section's ``<h1>`` is not taken for the headline, a form must be at least
    half the title (a quarter for a first part, as headlines come first), or what is cut off must
    mention the site."""
    pieces = rules.separator.split(title)
    count = (len(pieces) + 1) // 2
    heads = [("".join(pieces[: 2 * end - 1]), "".join(pieces[2 * end :])) for end in range(1, count)]
    tails = [("".join(pieces[2 * start :]), "".join(pieces[: 2 * start - 1])) for start in range(1, count)]
    length = len(title_key(title))
    return {
        title_key(form)
        for cuts, share in ((heads, MIN_HEAD_SHARE), (tails, MIN_TAIL_SHARE))
        for form, cut in cuts
        if len(title_key(form)) >= share * length
        or (len(cut.split()) <= MAX_SITE_WORDS and site.mentioned(cut, labels=True))
    }


def _rest_after_key(text: str, length: int) -> str:
    """What follows the characters of the text that make the first ``length`` of its key."""
    seen = 0
    for index, char in enumerate(text):
        if seen >= length:
            return text[index:]
        seen += len(title_key(char))
    return ""


def _shared_form(meta: str, forms: Sequence[str], site: SiteNames, rules: TitleRules) -> str | None:
    """Another source's form when this meta title is that form followed by a short rest that
    mentions the site without a separator the parts could be cut at ("…커졌다-정치ᅵ한국일보")."""
    key = title_key(meta)
    for form in sorted(forms, key=lambda form: len(title_key(form))):
        form_key = title_key(form)
        if form_key and form_key != key and key.startswith(form_key):
            rest = rules.separator.sub(" ", _rest_after_key(meta, len(form_key)))
            if len(rest.split()) <= MAX_REST_WORDS and site.mentioned(rest):
                return form
    return None


def printed_on(tree: HtmlElement) -> Callable[[str], bool]:
    """Whether a title is the whole text of some element of the page's body other than ``<h1>``:
    the headline a reader sees where the ``<h1>`` is a search engine's (in a breadcrumb, say)."""

    def printed(title: str) -> bool:
        key = title_key(title)
        words = sorted((word for word in WORD_BREAK.split(title) if word), key=len, reverse=True)
        if not key or not words:
            return False
        for found in islice(tree.xpath(PRINTED_TEXT, word=words[0]), MAX_PRINTED_CANDIDATES):
            element = found.getparent()
            if found.is_tail and element is not None:
                element = element.getparent()
            for _ in range(MAX_PRINTED_DEPTH):
                if element is None or element.tag in ("body", "h1", "head", "title"):
                    break
                text = element.text_content()
                if len(text) > MAX_PRINTED_SPREAD * len(title):
                    break
                if title_key(text) == key:
                    return True
                element = element.getparent()
        return False

    return printed


def _commonest(chosen: str, forms: Sequence[str]) -> str:
    """Of the forms with the chosen one's words, the text most sources give (the first on a tie):
    sources that agree on the words can differ in a dash or a colon."""
    same = [form for form in forms if title_key(form) == title_key(chosen)]
    return max(same, key=same.count)


def _cut_short(form: str, heading: str) -> bool:
    """Whether the form is the heading cut off in the middle of a word, as a search snippet is."""
    key = title_key(form)
    if len(key) < MIN_CUT_KEY or not title_key(heading).startswith(key):
        return False
    return _rest_after_key(heading, len(key))[:1].isalnum()


def _confirmed_heading(
    headings: Sequence[str], metas: Sequence[str], forms: Sequence[str], site: SiteNames, rules: TitleRules
) -> str | None:
    """The first heading (its site decoration taken off) that a meta form confirms: the same words,
    the meta form cut at a separator, or the meta form cut short in a word."""
    confirmed = {title_key(form) for form in forms}
    for meta in metas:
        confirmed |= outer_forms(meta, site, rules)
    for heading in (strip_site(text, site, rules) for text in headings):
        if site.named(heading):
            continue
        if title_key(heading) in confirmed or any(_cut_short(form, heading) for form in forms):
            return heading
    return None


def _voted(metas: Sequence[str], forms: Sequence[str], site: SiteNames, rules: TitleRules) -> str:
    """The form most sources give (the most trusted on a tie), where a source whose form is another's
    followed by a rest naming the site counts for that other."""
    forms = [_shared_form(meta, forms, site, rules) or form for meta, form in zip(metas, forms)]
    votes: dict[str, int] = {}
    for form in forms:
        votes[title_key(form)] = votes.get(title_key(form), 0) + 1
    return _commonest(max(forms, key=lambda form: votes[title_key(form)]), forms)


def choose_title(
    headings: Sequence[str],
    metas: Sequence[str],
    page_title: str | None,
    site: SiteNames,
    rules: TitleRules,
    printed: Callable[[str], bool] = lambda title: False,
) -> str | None:
    """The page's headline from its visible ``<h1>`` texts, its meta and JSON-LD forms (most
    trusted first) and its ``<title>``.

    A meta form (not ``<title>``, which search results show) printed on the page apart from the
    ``<h1>`` is the headline a reader sees. Else the first heading that a meta form confirms is the
    headline as printed. Otherwise the forms, without the site's decoration, vote.
    """
    metas = [meta for meta in metas if title_key(meta)]
    shared = len(metas)
    metas += [page_title] if page_title and title_key(page_title) else []
    forms = [strip_site(meta, site, rules) for meta in metas]
    heading = _confirmed_heading(headings, metas, forms, site, rules)
    seen = {title_key(heading)} if heading else set()
    for form in forms[:shared]:
        key = title_key(form)
        # a form the heading begins with, cut in a word, is the heading shortened for a snippet
        if key not in seen and not (heading and _cut_short(form, heading)):
            seen.add(key)
            if printed(form):
                return _commonest(form, forms)
    if heading:
        # a heading in capitals is usually set so by its markup; a meta form keeps the writer's case
        same = (form for form in forms if title_key(form) == title_key(heading) and not form.isupper())
        return next(same, heading) if heading.isupper() else heading
    if forms:
        return _voted(metas, forms, site, rules)
    return next((text for text in headings if text.strip()), None)

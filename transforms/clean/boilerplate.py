"""What trafilatura keeps in an article body that is page furniture: the link-block and line rules.

General rules only, no per-site code, in two steps after trafilatura (the repairs before and
while it reads, and lists put back after, are in ``body_repairs``):

1. on its body tree, where links are still ``ref`` elements (``prune_link_blocks``): blocks of
   nearly all link text after the last prose are teasers for other pages, and so are headlines in
   capitals that are wholly a link;
2. on the text, one paragraph, heading or list item per line (``remove_boilerplate_lines``):
   a short line matching a phrase rule (newsletter prompts, share and follow widgets, copyright
   lines, "Read more: ...", tags, reading times, reporter credits, photo credits, tip lines,
   placeholders of embedded content waiting for consent) is dropped; a short heading such as
   "Related" or "Most read" is dropped with the list or headlines that follow it; a line
   repeating the page's headline is dropped (the title is a field of its own).

The phrase and class rules are data files in ``data/``, read once by ``load_rules``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

from lxml.etree import _Element
from trafilatura.xml import delete_element

# Blocks longer than this are article prose even when they open with a rule's phrase.
SHORT_BLOCK_WORDS = 25
# How a line ends is read in its last characters only (a photo credit after a caption).
LINE_END_CHARS = 80
# A heading that opens a section of links is a few words at most.
SECTION_MARKER_WORDS = 8
# After such a heading, lines up to this long without a sentence ending are more headlines.
HEADLINE_WORDS = 20
# Share of a block's characters inside links above which the block is a link, not prose.
LINK_DOMINATED_SHARE = 0.8
# List items of teasers often add an unlinked summary under the linked headline.
ITEM_LINK_SHARE = 0.4
# A headline in capitals that is wholly a link is a teaser ("CLICK HERE FOR ...", "MORE: ...").
FULL_LINK_SHARE = 0.95
SHOUTED_HEADLINE_WORDS = 4

_BLOCK_TAGS = ("p", "head", "item", "quote")
# Blocks inside these are judged with the block or table around them.
_CONTAINERS = frozenset({"table", "cell", *_BLOCK_TAGS})
_SENTENCE_END = re.compile(r"[.!?…。！？\"'”’)]\s*$")
_WORD = re.compile(r"\w+")
# What separates a headline from the site name in a <title>: "Headline | Site", "Headline - Site".
_TITLE_SEPARATOR = re.compile(r"^\s*[|\-–—:·•»]")
# A line that is only a machine timestamp is a leftover of markup, not prose.
_BARE_TIMESTAMP = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ][\d:.+\-Z]+\s*$")


class BoilerplateRules(NamedTuple):
    """The compiled phrase and class rules; build once with ``load_rules``."""

    line_start: re.Pattern[str]
    line_phrase: re.Pattern[str]
    line_end: re.Pattern[str]
    section_marker: re.Pattern[str]
    section_opener: re.Pattern[str]
    paywall_marker: re.Pattern[str]
    concealment_class: re.Pattern[str]
    box_marker: re.Pattern[str]

    def is_furniture(self, line: str) -> bool:
        """Whether a short line (lower-cased) begins like, contains a phrase of, or ends like page furniture."""
        return bool(
            self.line_start.match(line)
            or self.line_phrase.search(line)
            or self.line_end.search(line[-LINE_END_CHARS:])
        )


def _read_patterns(filename: str) -> list[str]:
    text = resources.files("transforms.clean").joinpath("data", filename).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _alternatives(filename: str) -> str:
    return "|".join(f"(?:{pattern})" for pattern in _read_patterns(filename))


def load_rules() -> BoilerplateRules:
    """Compile the phrase rules shipped in ``transforms/clean/data``.

    The rules are written in lower case and matched against lower-cased text and names: far cheaper
    than matching case-insensitively.
    """
    marker = _alternatives("section_markers.txt")
    return BoilerplateRules(
        line_start=re.compile(rf"^\W*(?:{_alternatives('boilerplate_lines.txt')})"),
        # searched rather than matched from the start: far cheaper than a leading ".{0,n}"
        line_phrase=re.compile(_alternatives("boilerplate_phrases.txt")),
        line_end=re.compile(rf"(?:{_alternatives('boilerplate_line_ends.txt')})\W*$"),
        section_marker=re.compile(rf"^\W*(?:{marker})\W*$"),
        # "Related: <headline>" is a link itself and announces more of them
        section_opener=re.compile(rf"^\W*(?:{marker})\s*[:|]"),
        paywall_marker=re.compile(_alternatives("paywall_markers.txt")),
        concealment_class=re.compile(rf"^(?:{_alternatives('concealment_classes.txt')})$"),
        box_marker=re.compile(_alternatives("box_classes.txt")),
    )


def _block_text(block: _Element) -> str:
    return " ".join("".join(block.itertext()).split())


def _link_share(block: _Element, text: str) -> float:
    linked = sum(len(" ".join("".join(ref.itertext()).split())) for ref in block.iter("ref"))
    return min(1.0, linked / len(text)) if text else 0.0


def _candidate_blocks(body: _Element) -> list[_Element]:
    """Paragraph-level blocks in reading order, outermost only, tables left alone."""
    return [
        element
        for element in body.iter(*_BLOCK_TAGS)
        if not any(ancestor.tag in _CONTAINERS for ancestor in element.iterancestors())
    ]


def _remove(block: _Element) -> None:
    parent = block.getparent()
    delete_element(block, keep_tail=False)
    # a list whose every item went is furniture too
    if parent is not None and parent.tag == "list" and not _block_text(parent):
        delete_element(parent, keep_tail=False)


def prune_link_blocks(body: _Element) -> None:
    """Drop teaser links from a trafilatura body tree, in place.

    Blocks of nearly all link text after the last prose of the body point to other pages (links
    inside the prose are content: lists of sources, products, places); so do headlines in capitals
    that are wholly a link, wherever they stand.
    """
    blocks = [(block, text) for block in _candidate_blocks(body) if (text := _block_text(block))]
    for block, text in blocks:
        if len(text.split()) >= SHOUTED_HEADLINE_WORDS and text.isupper() and _link_share(block, text) >= FULL_LINK_SHARE:
            _remove(block)
    for block, text in reversed(blocks):
        if block.getparent() is None:
            continue
        threshold = ITEM_LINK_SHARE if block.tag == "item" else LINK_DOMINATED_SHARE
        if _link_share(block, text) < threshold:
            break
        _remove(block)


def _tokens(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


class HeadlineForm(NamedTuple):
    """A headline as lines are compared with it: its words, and its whole text lower-cased."""

    tokens: list[str]
    lowered: str


def headline_forms(headlines: Sequence[str]) -> list[HeadlineForm]:
    """Prepared once per page: every line of the text is compared with every headline."""
    return [HeadlineForm(_tokens(headline), headline.strip().lower()) for headline in headlines]


def repeats_headline(line: str, forms: Sequence[HeadlineForm]) -> bool:
    """Whether a line is one of the page's headlines, or one without the site name after it."""
    line_tokens = _tokens(line)
    if not line_tokens:
        return False
    lowered = line.strip().lower()
    for form in forms:
        if line_tokens == form.tokens:
            return True
        if form.lowered.startswith(lowered) and _TITLE_SEPARATOR.match(form.lowered[len(lowered) :]):
            return True
    return False


def _continues_link_section(line: str, words: int, takes_headlines: bool) -> bool:
    if line.startswith("- "):
        return True
    # table rows never end in a full stop and are content
    return takes_headlines and words <= HEADLINE_WORDS and not line.startswith("|") and not _SENTENCE_END.search(line)


def remove_boilerplate_lines(text: str, rules: BoilerplateRules, headlines: Sequence[str] = ()) -> str:
    """Drop furniture lines from extracted text (one paragraph, heading or list item per line).

    ``headlines`` are the page's own title texts (``<title>``, ``og:title``, ``<h1>``): the
    headline is a field of its own, so a short line repeating one is dropped.
    """
    kept: list[str] = []
    forms = headline_forms(headlines)
    # after "Related stories" the list items and headline-like lines that follow are links too;
    # after "Related: <headline>" only list items are (the next line may be the article's heading)
    in_link_section = takes_headlines = False
    for line in text.split("\n"):
        stripped = line.strip()
        lowered = stripped.lower()
        words = len(stripped.split())
        if not stripped:
            kept.append(line)
        elif words <= SECTION_MARKER_WORDS and rules.section_marker.match(lowered):
            in_link_section = takes_headlines = True
        elif words <= SHORT_BLOCK_WORDS and rules.is_furniture(lowered):
            if rules.section_opener.match(lowered):
                in_link_section = True
        elif _BARE_TIMESTAMP.match(stripped) or (words <= SHORT_BLOCK_WORDS and repeats_headline(stripped, forms)):
            continue
        elif in_link_section and _continues_link_section(stripped, words, takes_headlines):
            continue
        else:
            in_link_section = takes_headlines = False
            kept.append(line)
    return "\n".join(kept).strip()

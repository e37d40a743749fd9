"""What trafilatura gets wrong in an article body: page furniture it keeps, article text it loses.

General rules only, no per-site code, in four steps around trafilatura:

1. before it reads the page (``readable_page``): articles appended after the page's own (an
   endless scroll) are left out, and text written straight under ``<body>`` is put in paragraphs;
2. while it reads (``body_repairs``, wrapping two of its internals): a body split into parts of
   one class around advertisements is joined, subscriber-only paragraphs (``paywall``,
   ``premium``...) that the saved page hides are revealed, and fact boxes are dropped;
3. on its body tree, where links are still ``ref`` elements (``prune_link_blocks``): blocks of
   nearly all link text after the last prose are teasers for other pages, and so are headlines in
   capitals that are wholly a link; then lists it lost after a lead-in sentence it kept
   ("... the following:") are put back (``restore_lead_in_lists``);
4. on the text, one paragraph, heading or list item per line (``remove_boilerplate_lines``):
   a short line matching a phrase rule (newsletter prompts, share and follow widgets, copyright
   lines, "Read more: ...", tags, reading times, reporter credits, photo credits, tip lines,
   placeholders of embedded content waiting for consent) is dropped; a short heading such as
   "Related" or "Most read" is dropped with the list or headlines that follow it; a line
   repeating the page's headline is dropped (the title is a field of its own).

The phrase and class rules are data files in ``data/``, read once by ``load_rules``.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator, Sequence
from copy import copy
from importlib import resources
from typing import NamedTuple

from lxml.etree import Element, SubElement, XPath, _Element
from lxml.html import HtmlElement
from trafilatura import main_extractor
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
# A paywalled element holds article text when one of its paragraphs is this long.
PAYWALLED_PARAGRAPH_CHARS = 80
# Share of a list's characters inside links above which it is a list of links, not of points.
LIST_LINK_SHARE = 0.5
# Class and id values under an element, and the elements that have one: where paywall marks are.
_NAMES = XPath(".//@class|.//@id", smart_strings=False)
_NAMED = XPath("descendant-or-self::*[@class or @id]")
# Text written straight under <body> this long is the article's, not stray characters of markup.
LOOSE_TEXT_CHARS = 200
# Elements that stand inside a line of text, not between paragraphs.
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "br", "cite", "code", "em", "font", "i", "img", "kbd", "mark", "q", "s", "small"}
    | {"span", "strong", "sub", "sup", "time", "u", "var"}
)
# Lists inside these are the page's navigation or forms, not the article's points.
_NOT_ARTICLE_LISTS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "ul", "ol"})


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



class _JoiningBodyXPath:
    """trafilatura's first expression for the article's container, joining a split body in its result.

    The expression yields every matching container, and trafilatura reads the first only. Within
    ``body_repairs`` the later parts of the same body are moved into the first, in trafilatura's own
    copy of the page.
    """

    def __init__(self, original: Callable[[_Element], list[_Element]]) -> None:
        self.__wrapped__ = original

    def __call__(self, tree: _Element) -> list[_Element]:
        found = self.__wrapped__(tree)
        if _repair_rules.get() is not None:
            _join_split_body(_split_body(found))
        return found


def _revealing_prune(original: Callable[..., _Element]) -> Callable[..., _Element]:
    def prune_unwanted_sections(tree, *args, **kwargs):  # trafilatura's signature
        rules = _repair_rules.get()
        if rules is not None:
            _repair_section(tree, rules)
        return original(tree, *args, **kwargs)

    prune_unwanted_sections.__wrapped__ = original
    return prune_unwanted_sections


def _install() -> bool:
    """Wrap trafilatura's body expression and pruning once; ``False`` when it is not laid out as expected."""
    expressions = getattr(main_extractor, "BODY_XPATH", None)
    prune = getattr(main_extractor, "prune_unwanted_sections", None)
    if not (isinstance(expressions, list) and expressions and callable(expressions[0]) and callable(prune)):
        return False
    if not isinstance(expressions[0], _JoiningBodyXPath):
        expressions[0] = _JoiningBodyXPath(expressions[0])
    if not hasattr(prune, "__wrapped__"):
        main_extractor.prune_unwanted_sections = _revealing_prune(prune)
    return True


_repair_rules: contextvars.ContextVar[BoilerplateRules | None] = contextvars.ContextVar("body_repairs", default=None)
REPAIRS_INSTALLED = _install()


@contextlib.contextmanager
def body_repairs(rules: BoilerplateRules) -> Iterator[None]:
    """Within this block, trafilatura reads a split body whole, keeps hidden subscriber-only paragraphs, drops fact boxes.

    The repairs are made in trafilatura's own copy of the page (the page's tree is not changed;
    metadata and dates are read from it too):

    - a body split into several containers of one class, with advertisements or boxes between them:
      trafilatura reads the first container only, so the later ones are moved into it;
    - subscriber-only paragraphs (``paywall``, ``premium``, ``subscriber``... see
      ``data/paywall_markers.txt``) whose text is in the saved page but hidden or blurred until the
      reader pays: trafilatura prunes them for the class words that hide them (``hidden``,
      ``blurred``, ``display:none``), or for the paywall word itself (``paid-content``, an id
      ``premium``), so those words are taken off before it prunes;
    - fact boxes beside the text (``data/box_classes.txt``), which it keeps, are dropped.

    trafilatura has no option for any of these, so its first body expression and its pruning are
    wrapped; the wrappers do nothing outside this block, and are not installed when trafilatura's
    internals are not the ones they were written against.
    """
    token = _repair_rules.set(rules if REPAIRS_INSTALLED else None)
    try:
        yield
    finally:
        _repair_rules.reset(token)


def _class_words(element: _Element) -> frozenset[str]:
    return frozenset((element.get("class") or "").split())


def _split_body(candidates: list[_Element]) -> list[_Element]:
    """The parts of one article body among the containers found for it, the first first.

    Later containers of the same tag and class words at the same depth as the first, none inside
    another, are parts of it; a second ``<h1>`` under the element holding them all means they are
    articles of their own (an endless scroll).
    """
    if len(candidates) < 2 or not (words := _class_words(first := candidates[0])):
        return []
    depth = sum(1 for _ in first.iterancestors())
    chunks = [first]
    for candidate in candidates[1:]:
        if (
            candidate.tag == first.tag
            and _class_words(candidate) == words
            and sum(1 for _ in candidate.iterancestors()) == depth
            and not any(ancestor in chunks for ancestor in candidate.iterancestors())
        ):
            chunks.append(candidate)
    if len(chunks) < 2:
        return []
    first_line = set(first.iterancestors())
    common = next(ancestor for ancestor in chunks[-1].iterancestors() if ancestor in first_line)
    if sum(1 for heading in common.iter("h1", "head") if _is_headline(heading)) > 1:
        return []
    # between the parts of a body stand advertisements and boxes, not more text than the parts hold
    later = sum(len("".join(chunk.itertext()).strip()) for chunk in chunks[1:])
    return chunks if _text_between(common, chunks) < later else []


def _text_between(common: _Element, chunks: list[_Element]) -> int:
    """Characters of text under ``common`` after the first chunk begins and before the last one, outside the chunks."""
    parts, last = set(chunks), chunks[-1]
    counting, total = False, 0

    def walk(element: _Element) -> bool:
        nonlocal counting, total
        for child in element.iterchildren("*"):
            if child in parts:
                counting = True
                if child is last:
                    return True
            else:
                if counting and child.tag not in ("script", "style"):
                    total += len((child.text or "").strip())
                if walk(child):
                    return True
            if counting:
                total += len((child.tail or "").strip())
        return False

    walk(common)
    return total


def _join_split_body(chunks: list[_Element]) -> None:
    if not chunks:
        return
    first = chunks[0]
    seen = _words(" ".join(first.itertext()))
    for chunk in chunks[1:]:
        text = _words(" ".join(chunk.itertext()))
        # a teaser of the same paragraphs, shown to readers without a subscription
        if not text or text in seen:
            continue
        seen += " " + text
        _detach(chunk)
        first.append(chunk)


def _detach(element: _Element) -> None:
    """Take an element out of the tree, leaving the text that follows it where it was."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
        element.tail = None
    parent.remove(element)


def _repair_section(tree: _Element, rules: BoilerplateRules) -> None:
    """Reveal subscriber-only paragraphs and drop fact boxes in a part of the page trafilatura is about to prune."""
    # one search over all the names first: most pages have neither
    names = " ".join(_NAMES(tree)).lower()
    if rules.paywall_marker.search(names):
        for element in _concealed_paywalls(tree, rules):
            _reveal(element, rules)
    if rules.box_marker.search(names):
        whole = len("".join(tree.itertext()))
        for box in [element for element in _NAMED(tree) if _named(element, rules.box_marker)]:
            # a box holding most of the text is the article itself, named by a template
            if box.getparent() is not None and 2 * len("".join(box.itertext())) < whole:
                delete_element(box)


def _is_headline(element: _Element) -> bool:
    # trafilatura has renamed the headings by then: <h1> is <head rend="h1">
    return element.tag == "h1" or (element.tag == "head" and element.get("rend") == "h1")


def readable_page(tree: HtmlElement) -> HtmlElement:
    """The page as trafilatura should read it: the tree itself, or a repaired copy (the tree is not changed).

    - Articles appended after the page's own (an endless scroll) are left out. Each stands in an
      ``<article>`` of its own, not inside another, under a headline (``<h1>``) of its own; the
      page's article is the first. trafilatura's fallbacks (readability, justext) read the whole
      page and take the appended ones in.
    - Text written straight under ``<body>``, as on hand-written pages, is put in paragraphs:
      trafilatura collects paragraphs, not loose text, when it finds no container for the article.
    """
    later_articles = len(_headed_articles(tree)) >= 2
    body = tree.find("body")
    loose_text = body is not None and _loose_chars(body) >= LOOSE_TEXT_CHARS
    if not (later_articles or loose_text):
        return tree
    tree = copy(tree)
    if later_articles:
        for article in _headed_articles(tree)[1:]:
            delete_element(article, keep_tail=False)
    if loose_text:
        _wrap_loose_text(tree.find("body"))
    return tree


def _loose_chars(body: _Element) -> int:
    return len((body.text or "").strip()) + sum(len((child.tail or "").strip()) for child in body)


def _wrap_loose_text(body: _Element) -> None:
    """Put each run of text and inline elements between the blocks of ``body`` in a paragraph."""
    run: list[_Element] = []
    text, body.text = body.text, None
    for child in list(body):
        if isinstance(child.tag, str) and child.tag in _INLINE_TAGS:
            run.append(child)
            continue
        _wrap(child, text, run)
        run, text, child.tail = [], child.tail, None
    if text or run:
        paragraph = _paragraph_of(body, text, run)
        if paragraph is not None:
            body.append(paragraph)


def _wrap(block: _Element, text: str | None, run: list[_Element]) -> None:
    paragraph = _paragraph_of(block, text, run)
    if paragraph is not None:
        block.addprevious(paragraph)


def _paragraph_of(anchor: _Element, text: str | None, run: list[_Element]) -> _Element | None:
    if not (text or "").strip() and not any("".join(element.itertext()).strip() for element in run):
        return None
    paragraph = anchor.makeelement("p", {})
    paragraph.text = text
    for element in run:
        paragraph.append(element)
    return paragraph


def _headed_articles(tree: HtmlElement) -> list[HtmlElement]:
    articles = list(tree.iter("article"))
    if len(articles) < 2:
        return []
    return [
        article
        for article in articles
        if not any(ancestor.tag == "article" for ancestor in article.iterancestors())
        and next(article.iter("h1"), None) is not None
    ]


def _named(element: _Element, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(f"{element.get('class') or ''} {element.get('id') or ''}".lower()))


def _concealed_paywalls(tree: _Element, rules: BoilerplateRules) -> list[_Element]:
    """Outermost paywall-marked elements that hold article paragraphs."""
    # a mark on the whole page is a setting of the site (``<html class="paywall-enabled">``)
    marked = [element for element in _NAMED(tree) if element.tag not in ("html", "body") and _named(element, rules.paywall_marker)]
    found = set(marked)
    outermost = [element for element in marked if not any(ancestor in found for ancestor in element.iterancestors())]
    paragraphs = {element: _long_paragraphs(element) for element in outermost}
    # article text runs over paragraphs, marked together or one by one; an offer to subscribe
    # ("Subscribers read every article. Log in ›") is a paragraph and a button
    marked_paragraphs = sum(count for element, count in paragraphs.items() if element.tag == "p")
    return [
        element
        for element in outermost
        if paragraphs[element] >= 2 or (element.tag == "p" and paragraphs[element] and marked_paragraphs >= 2)
    ]


def _long_paragraphs(element: _Element) -> int:
    return sum(1 for paragraph in element.iter("p") if len("".join(paragraph.itertext())) >= PAYWALLED_PARAGRAPH_CHARS)


def _reveal(element: _Element, rules: BoilerplateRules) -> None:
    for inner in element.iter():
        if not isinstance(inner.tag, str):
            continue
        for attribute in ("hidden", "aria-hidden", "style"):
            inner.attrib.pop(attribute, None)
        if inner.get("class"):
            kept = [
                word
                for word in inner.get("class").split()
                if not (rules.concealment_class.match(word.lower()) or rules.paywall_marker.search(word.lower()))
            ]
            inner.set("class", " ".join(kept))
        if (name := inner.get("id")) and (rules.paywall_marker.search(name.lower()) or "hidden" in name):
            del inner.attrib["id"]

def _words(text: str) -> str:
    return " ".join(_tokens(text))


def restore_lead_in_lists(body: _Element, page: HtmlElement) -> None:
    """Put back the lists that trafilatura dropped after a lead-in sentence it kept ("... the following:").

    trafilatura searches paragraphs, not lists, when it falls back to collecting text across the
    page, so a list of points announced by the paragraph before it goes missing, and so does a list
    written straight under ``<body>``. A list of links (a list of sources, of related pages) is not
    put back. ``page`` is the tree trafilatura read (``readable_page``).
    """
    wanted = [
        (lead, items)
        for lead, items in (_lead_in_list(candidate) for candidate in page.iter("ul", "ol"))
        if lead and items
    ]
    if not wanted:
        return
    kept = _words(" ".join(body.itertext()))
    missing = [(lead, items) for lead, items in wanted if _words(items[0]) not in kept]
    if not missing:
        return
    paragraphs = [(_words(" ".join(paragraph.itertext())), paragraph) for paragraph in body.iter("p")]
    for lead, items in missing:
        paragraph = next((element for text, element in paragraphs if text and text.endswith(lead)), None)
        if paragraph is None:
            continue
        restored = Element("list", rend="ul")
        for item in items:
            SubElement(restored, "item").text = item
        paragraph.addnext(restored)


def _lead_in_list(candidate: _Element) -> tuple[str, list[str]]:
    """A list's lead-in (its words) and items, or empties when it is no list of points after a lead-in.

    The lead-in is the paragraph just before the list, announcing it ("... the following:"); on a
    page written straight under ``<body>`` any paragraph before a list there leads into it.
    """
    lead = candidate.getprevious()
    if lead is None or lead.tag != "p":
        return "", []
    lead_text = "".join(lead.itertext()).strip()
    if not (lead_text.endswith(":") or candidate.getparent().tag == "body"):
        return "", []
    if any(ancestor.tag in _NOT_ARTICLE_LISTS for ancestor in candidate.iterancestors()):
        return "", []
    items = [text for item in candidate.iterchildren("li") if (text := " ".join(item.text_content().split()))]
    if len(items) < 2:
        return "", []
    linked = sum(len(" ".join(link.text_content().split())) for link in candidate.iter("a"))
    if linked > LIST_LINK_SHARE * sum(len(item) for item in items):
        return "", []
    return _words(lead_text), items

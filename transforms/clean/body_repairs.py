"""Repairs around trafilatura's extraction of an article body: article text it loses, page furniture it keeps.

trafilatura has no option for any of these, so the page is repaired before it reads it, two of
its internals are wrapped while it reads, and its body tree is completed after. General rules
only, no per-site code:

1. before it reads the page (``readable_page``): articles appended after the page's own (an
   endless scroll) are left out, since its fallbacks (readability, justext) read the whole page and
   take them in; text written straight under ``<body>`` is put in paragraphs, since it collects
   paragraphs, not loose text, when it finds no container for the article;
2. while it reads (``body_repairs``, wrapping its first body expression and its pruning): a body
   split into parts of one class around advertisements is joined, since it reads the first part
   only; subscriber-only paragraphs (``paywall``, ``premium``...) that the saved page hides are
   revealed, since it prunes them for the words that hide them; fact boxes, which it keeps, are
   dropped. The wrappers do nothing outside ``body_repairs`` and are not installed when
   trafilatura's internals are not the ones they were written against (``REPAIRS_INSTALLED``);
3. on its body tree (``restore_lead_in_lists``): lists it lost after a lead-in sentence it kept
   ("... the following:") are put back, since its fallback collects paragraphs, not lists.

The paywall, concealment and box rules are the ``BoilerplateRules`` of ``boilerplate.load_rules``.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from copy import copy

from lxml.etree import Element, SubElement, XPath, _Element
from lxml.html import HtmlElement
from trafilatura import main_extractor
from trafilatura.xml import delete_element

from transforms.clean.boilerplate import BoilerplateRules, _tokens

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

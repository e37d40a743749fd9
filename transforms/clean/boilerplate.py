"""Removal of page furniture that trafilatura keeps in an article body.

Works on trafilatura's body tree (``p``, ``head``, ``list/item``, ``quote``, ``table``, with links as
``ref``) so the rules can see what is a link. General rules only, no per-site code:

- a short block matching a phrase rule (newsletter prompts, share and follow widgets, copyright
  lines, "Read more: ...", tags, reading times, reporter contact lines) is dropped;
- a short heading such as "Related" or "Most read" is dropped with the run of links or
  headline-like lines that follows it;
- blocks of nearly all link text at the end of the body are teasers for other pages and dropped;
- a first line repeating the page title is dropped (the title is a field of its own).

The phrase lists are data files in ``data/``, read once when the rules are built.
"""

from __future__ import annotations

import re
from importlib import resources
from collections.abc import Sequence
from typing import NamedTuple

from lxml.etree import _Element
from trafilatura.xml import delete_element

# Blocks longer than this are article prose even when they open with a rule's phrase.
SHORT_BLOCK_WORDS = 25
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
_SENTENCE_END = re.compile(r"[.!?…。！？\"'”’)]\s*$")
_WORD = re.compile(r"\w+")
# What separates a headline from the site name in a <title>: "Headline | Site", "Headline - Site".
_TITLE_SEPARATOR = re.compile(r"^\s*[|\-–—:·•»]")
# A line that is only a machine timestamp is a leftover of markup, not prose.
_BARE_TIMESTAMP = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ][\d:.+\-Z]+\s*$")


class BoilerplateRules(NamedTuple):
    """The compiled phrase rules; build once with ``load_rules``."""

    line: re.Pattern[str]
    section_marker: re.Pattern[str]
    section_opener: re.Pattern[str]


def _read_patterns(filename: str) -> list[str]:
    text = resources.files("transforms.clean").joinpath("data", filename).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def load_rules() -> BoilerplateRules:
    """Compile the phrase rules shipped in ``transforms/clean/data``."""
    line = "|".join(f"(?:{pattern})" for pattern in _read_patterns("boilerplate_lines.txt"))
    marker = "|".join(f"(?:{pattern})" for pattern in _read_patterns("section_markers.txt"))
    return BoilerplateRules(
        line=re.compile(rf"^\W*(?:{line})", re.IGNORECASE),
        section_marker=re.compile(rf"^\W*(?:{marker})\W*$", re.IGNORECASE),
        # "Related: <headline>" is a link itself and announces more of them
        section_opener=re.compile(rf"^\W*(?:{marker})\s*[:|]", re.IGNORECASE),
    )


def _block_text(block: _Element) -> str:
    return " ".join("".join(block.itertext()).split())


def _link_share(block: _Element, text: str) -> float:
    linked = sum(len(" ".join("".join(ref.itertext()).split())) for ref in block.iter("ref"))
    return min(1.0, linked / len(text)) if text else 0.0


def _candidate_blocks(body: _Element) -> list[_Element]:
    """Paragraph-level blocks in reading order, outermost only, tables left alone."""
    blocks = []
    for element in body.iter(*_BLOCK_TAGS):
        ancestors = {ancestor.tag for ancestor in element.iterancestors()}
        if "table" in ancestors or "cell" in ancestors or ancestors & set(_BLOCK_TAGS):
            continue
        blocks.append(element)
    return blocks


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


def repeats_headline(line: str, headlines: Sequence[str]) -> bool:
    """Whether a line is one of the page's headlines, or one without the site name after it."""
    line_tokens = _tokens(line)
    if not line_tokens:
        return False
    lowered = line.strip().lower()
    for headline in headlines:
        if line_tokens == _tokens(headline):
            return True
        full = headline.strip().lower()
        if full.startswith(lowered) and _TITLE_SEPARATOR.match(full[len(lowered) :]):
            return True
    return False


def remove_boilerplate_lines(text: str, rules: BoilerplateRules, headlines: Sequence[str] = ()) -> str:
    """Drop furniture lines from extracted text (one paragraph, heading or list item per line).

    ``headlines`` are the page's own title texts (``<title>``, ``og:title``, ``<h1>``): the
    headline is a field of its own, so a short line repeating one is dropped.
    """
    kept: list[str] = []
    in_link_section = False
    for line in text.split("\n"):
        stripped = line.strip()
        words = len(stripped.split())
        if not stripped:
            kept.append(line)
        elif words <= SECTION_MARKER_WORDS and rules.section_marker.match(stripped):
            in_link_section = True
        elif words <= SHORT_BLOCK_WORDS and rules.line.match(stripped):
            in_link_section = in_link_section or bool(rules.section_opener.match(stripped))
        elif _BARE_TIMESTAMP.match(stripped) or (words <= SHORT_BLOCK_WORDS and repeats_headline(stripped, headlines)):
            continue
        elif in_link_section and (
            stripped.startswith("- ") or (words <= HEADLINE_WORDS and not _SENTENCE_END.search(stripped))
        ):
            continue
        else:
            in_link_section = False
            kept.append(line)
    return "\n".join(kept).strip()

"""Folders of saved pages for the replay benchmarks, as many distinct pages as a run asks for.

The pages are the shared extraction dev sets (``../shared/eval/extraction/*/html/``, read at run
time, never copied into the repository) and the bundled sample corpus: about 1,080. Beyond those a
folder gets copies, and a copy must reach the tables as an article of its own rather than be
dropped as a duplicate, so it differs from its original in both dedupe keys:

- URL: its ``<link rel=canonical>`` and ``og:url`` get a path suffix (``.../story-copy-2``); a page
  that declares none, or only its site's front page, is known by its file URL, which differs anyway;
- text: one made-up sentence opens the first paragraph of its article text. That paragraph is found
  by cleaning the original once, as the pipeline does, because the longest or the first ``<p>`` of a
  page is often a teaser, a caption or a consent notice that cleaning removes.
"""

from __future__ import annotations

import gzip
import html
import re
import shutil
from pathlib import Path
from typing import NamedTuple, Optional
from urllib.parse import urlsplit, urlunsplit

from sample_corpus import PAGES_FOLDER

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXTRACTION = SHARED / "eval" / "extraction"

_PARAGRAPH = r"<p(?:\s[^>]*)?>(.*?)</p\s*>"
_PARAGRAPH_TEXT = re.compile(_PARAGRAPH, re.IGNORECASE | re.DOTALL)
_PARAGRAPH_BYTES = re.compile(_PARAGRAPH.encode(), re.IGNORECASE | re.DOTALL)
# Markup whose "<p>" is no paragraph of the page: JSON-LD bodies, templates, scripts writing HTML.
_NOT_SHOWN = re.compile(r"<(script|style|template|noscript|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
# The opening of a paragraph that must be found in the cleaned text: long enough to be unique.
_ANCHOR_CHARS = 40
_HEAD_TAG = re.compile(rb"<(?:link|meta)\b[^>]*>", re.IGNORECASE)
_CANONICAL_LINK = re.compile(rb"""^<link\b[^>]*\brel\s*=\s*["']?[^"'>]*\bcanonical\b""", re.IGNORECASE)
_OG_URL_META = re.compile(rb"""^<meta\b[^>]*\bproperty\s*=\s*["']?og:url\b""", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(rb"""(\b(?:href|content)\s*=\s*)(?:(["'])(.*?)\2|([^\s"'>]+))""", re.IGNORECASE | re.DOTALL)


class PageFolder(NamedTuple):
    originals: int
    copies: int


def available_pages() -> list[Path]:
    """Saved pages in a fixed order: the shared dev sets first, then the sample corpus."""
    shared = sorted(path for path in EXTRACTION.glob("*/html/*") if path.name.endswith((".html", ".html.gz")))
    return shared + sorted(PAGES_FOLDER.glob("*.html"))


def page_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def build_html_dir(target: Path, count: int) -> PageFolder:
    """Write ``count`` distinct saved pages into the new folder ``target``: the originals first, then
    copies of them (see the module docstring). Exits with a message when the dev sets are missing."""
    originals = available_pages()
    if len(originals) < min(count, 100):
        raise SystemExit(f"only {len(originals)} saved pages found (is {EXTRACTION} there?)")
    target.mkdir(parents=True)
    for index, page in enumerate(originals[:count]):
        # Prefixed by position: two dev sets both have a 0001.html.gz.
        shutil.copyfile(page, target / f"{index:05d}-{page.name}")
    copies = count - len(originals)
    if copies <= 0:
        return PageFolder(count, 0)
    sources = copyable_pages(originals, copies)
    for number in range(copies):
        data, paragraph = sources[number % len(sources)]
        copy_number = number // len(sources) + 1
        copy = with_canonical_suffix(with_sentence(data, paragraph, copy_number), f"-copy-{copy_number}")
        (target / f"{len(originals) + number:05d}-copy.html").write_bytes(copy)
    return PageFolder(len(originals), copies)


def copyable_pages(originals: list[Path], wanted: int) -> list[tuple[bytes, int]]:
    """Up to ``wanted`` originals that can be copied, each with its page bytes and the number of
    the ``<p>`` (counted from the page's first) that opens its article text."""
    from transforms.clean.extract import Cleaner
    from transforms.fetch.content import decode_html

    cleaner = Cleaner()
    found = []
    for path in originals:
        data = page_bytes(path)
        page = decode_html(data, None)
        paragraph = first_text_paragraph(page, cleaner.clean(page, path.absolute().as_uri()).text)
        # Only pages whose paragraphs sit at the same place in bytes and text (any ASCII-based encoding).
        if paragraph is not None and len(_PARAGRAPH_BYTES.findall(data)) == len(_PARAGRAPH_TEXT.findall(page)):
            found.append((data, paragraph))
            if len(found) == wanted:
                break
    if not found:
        raise SystemExit("no saved page could be copied")
    return found


def first_text_paragraph(page: str, article_text: str) -> Optional[int]:
    """The number of the first shown ``<p>`` of ``page`` whose opening is in ``article_text``."""
    hidden = [match.span() for match in _NOT_SHOWN.finditer(page)]
    text = _SPACES.sub(" ", article_text)
    for number, match in enumerate(_PARAGRAPH_TEXT.finditer(page)):
        if any(start <= match.start() < end for start, end in hidden):
            continue
        opening = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", match.group(1)))).strip()[:_ANCHOR_CHARS]
        if len(opening) == _ANCHOR_CHARS and opening in text:
            return number
    return None


def with_sentence(data: bytes, paragraph: int, copy_number: int) -> bytes:
    """The page with a made-up sentence, distinct per ``copy_number``, opening its ``paragraph``-th ``<p>``."""
    at = next(match for number, match in enumerate(_PARAGRAPH_BYTES.finditer(data)) if number == paragraph).start(1)
    sentence = f"This is archive copy number {copy_number} of the story. ".encode()
    return data[:at] + sentence + data[at:]


def with_canonical_suffix(data: bytes, suffix: str) -> bytes:
    """The page with ``suffix`` added to the path of its canonical link and ``og:url``."""

    def rewrite_tag(tag: re.Match) -> bytes:
        markup = tag.group(0)
        if not (_CANONICAL_LINK.match(markup) or _OG_URL_META.match(markup)):
            return markup
        return _URL_ATTRIBUTE.sub(rewrite_attribute, markup, count=1)

    def rewrite_attribute(attribute: re.Match) -> bytes:
        quote = attribute.group(2) or b""
        url = attribute.group(3) if attribute.group(2) else attribute.group(4)
        return attribute.group(1) + quote + _suffixed(url.decode("latin-1"), suffix).encode("latin-1") + quote

    return _HEAD_TAG.sub(rewrite_tag, data)


def _suffixed(url: str, suffix: str) -> str:
    """``url`` with ``suffix`` at the end of its path; a front page (no path) stays as it is."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    if not path.strip("/"):
        return url
    slash = "/" if parts.path.endswith("/") else ""
    return urlunsplit(parts._replace(path=path + suffix + slash))

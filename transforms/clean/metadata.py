"""Title, author, site name and canonical URL of a page, from its markup.

One pass over the meta tags (which carry what: ``data/metadata_markup.tsv``), one parse of the
JSON-LD and a short walk for visible bylines (``data/byline_marks.tsv``) feed ``titles`` (the
headline without the site's name) and ``authors`` (names without roles, separators or the outlet);
trafilatura's readers fill in a title or site name the markup lacks. Dates are left to ``dates``,
so a page's dates are searched only once.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from html import unescape
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

from lxml.html import HtmlElement
from trafilatura.metadata import extract_sitename, extract_title

from transforms.clean.authors import Credit, choose_authors, load_author_rules
from transforms.clean.data_files import entries_by_kind
from transforms.clean.titles import SiteNames, choose_title, load_title_rules, printed_on
from transforms.fetch.urls import safe_join, safe_split

# Visible bylines, for pages whose markup names no author: the elements marked as the author
# itself (rel=author, itemprop=author, class "author-name") before those that only mention it in a
# class or id ("article-author-box", "byline"). trafilatura's own byline search copies and prunes
# the whole tree and runs regular expressions over every element: ten times the cost of this walk.
BYLINE_TAGS = ("a", "span", "div", "p", "address", "strong", "li", "h3", "h4")
BYLINE_CANDIDATES = 8
MAX_BYLINE_CHARS = 120
# Only the first few <h1>: pages that use it for every section heading have those further down.
MAX_HEADINGS = 3
DATA = Path(__file__).parent / "data"
# Containers of other writers' texts are looked for this many levels up.
MAX_BYLINE_DEPTH = 8


class PageMetadata(NamedTuple):
    """What the page says about itself, apart from its date and language."""

    title: str | None
    author: str | None
    sitename: str | None
    canonical_url: str | None


def canonical_url(tree: HtmlElement, page_url: str | None) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, made absolute against the page URL; values that
    are no http(s) URL (or cannot be parsed at all) are passed over."""
    candidates = [
        link.get("href")
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [meta.get("content") for meta in tree.iter("meta") if meta.get("property") == "og:url"]
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        absolute = safe_join(page_url or "", candidate.strip())
        parts = safe_split(absolute) if absolute else None
        if parts and parts.scheme in ("http", "https") and parts.netloc:
            return absolute
    return None


def headlines(tree: HtmlElement, metadata: PageMetadata) -> list[str]:
    """Every form of the page's headline: the extracted title, ``<title>``, ``og:title``, first ``<h1>``.

    Only the first ``<h1>``: pages that use it for every section heading have those in the text.
    """
    found = [metadata.title] if metadata.title else []
    found += [title.text_content() for title in tree.iterfind(".//head/title")]
    found += [meta.get("content") or "" for meta in tree.iter("meta") if meta.get("property") == "og:title"]
    first_heading = next(tree.iter("h1"), None)
    if first_heading is not None:
        found.append(first_heading.text_content())
    return [cleaned for text in found if (cleaned := _clean(text))]


class MetaNames(NamedTuple):
    """Which ``<meta>`` carries what, from ``data/metadata_markup.tsv``; titles most trusted first."""

    titles: tuple[str, ...]
    site_names: tuple[str, ...]
    publishers: tuple[str, ...]
    authors: tuple[str, ...]


@lru_cache(maxsize=1)
def load_meta_names(path: Path = DATA / "metadata_markup.tsv") -> MetaNames:
    """Read the meta names shipped in ``metadata_markup.tsv``."""
    kinds = entries_by_kind(path)
    return MetaNames(*(tuple(kinds[kind]) for kind in ("title", "site_name", "publisher", "author")))


def _meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """Content of every ``<meta>`` by its lower-cased property, name or itemprop, in page order."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        label = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if label and content and content.strip():
            values.setdefault(label.strip().lower(), []).append(" ".join(content.split()))
    return values


def json_ld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    """The objects of the page's JSON-LD, top level and ``@graph`` members, in page order; a block
    that is no valid JSON is passed over."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except (ValueError, RecursionError):
            continue
        pending = deque(data if isinstance(data, list) else [data])
        while pending:
            node = pending.popleft()
            if isinstance(node, dict):
                nodes.append(node)
                graph = node.get("@graph")
                pending.extendleft(reversed(graph if isinstance(graph, list) else [graph] if graph else []))
    return nodes


def _types(node: dict[str, Any]) -> set[str]:
    kinds = node.get("@type")
    return {kind.lower() for kind in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(kind, str)}


def _is_article(node: dict[str, Any]) -> bool:
    return any("article" in kind or kind.endswith("posting") or kind == "report" for kind in _types(node))


def _text(value: Any) -> str | None:
    # JSON-LD written by templates often keeps the HTML entities of its source
    return " ".join(unescape(value).split()) or None if isinstance(value, str) else None


class JsonLd(NamedTuple):
    """What the JSON-LD says: the article's headline and credits, and the publishers' names."""

    headlines: list[str]
    credits: list[Credit]
    publishers: list[str]


def _addresses(node: dict[str, Any]) -> Iterator[str]:
    for value in (node.get("url"), node.get("@id"), node.get("mainEntityOfPage")):
        value = value.get("@id") if isinstance(value, dict) else value
        if isinstance(value, str):
            yield value


def _main_article(articles: list[dict[str, Any]], page_url: str | None) -> dict[str, Any] | None:
    """The page's own article where the JSON-LD also describes others (related, most read): the
    one whose address is the page's, else the first."""
    path = safe_split(page_url).path.rstrip("/") if page_url and safe_split(page_url) else ""
    if len(articles) > 1 and len(path) > 1:
        own = (node for node in articles if any(address.split("?")[0].rstrip("/").endswith(path) for address in _addresses(node)))
        return next(own, articles[0])
    return articles[0] if articles else None


def read_json_ld(nodes: list[dict[str, Any]], page_url: str | None = None) -> JsonLd:
    """The main article's headline and author credits (``@id`` references followed), and the
    names of its publisher and of the site's ``WebSite`` objects."""
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
            return by_id[value["@id"]]
        return value

    found = JsonLd([], [], [])
    found.publishers.extend(name for node in nodes if "website" in _types(node) and (name := _text(node.get("name"))))
    article = _main_article([node for node in nodes if _is_article(node)], page_url)
    if article is None:
        return found
    if headline := _text(article.get("headline")) or _text(article.get("name")):
        found.headlines.append(headline)
    authors = article.get("author") or article.get("creator")
    for author in authors if isinstance(authors, list) else [authors]:
        author = resolve(author)
        if isinstance(author, str) and (name := _text(author)):
            found.credits.append(Credit(name))
        elif isinstance(author, dict):
            name = author.get("name")
            if isinstance(name, list):
                name = "; ".join(part for part in name if isinstance(part, str))
            if not _text(name) and isinstance(author.get("familyName"), str):
                name = f"{author.get('givenName') or ''} {author['familyName']}"
            if name := _text(name):
                found.credits.append(Credit(name, person="organization" not in _types(author)))
    publisher = resolve(article.get("publisher"))
    if isinstance(publisher, dict) and (name := _text(publisher.get("name"))):
        found.publishers.append(name)
    return found


class BylineMarks(NamedTuple):
    """Patterns over an element's class and id, from ``data/byline_marks.tsv``, that mark (or rule
    out) a visible byline."""

    author: re.Pattern[str]
    byline: re.Pattern[str]
    not_byline: re.Pattern[str]
    not_within: re.Pattern[str]


@lru_cache(maxsize=1)
def load_byline_marks(path: Path = DATA / "byline_marks.tsv") -> BylineMarks:
    """Compile the class and id words shipped in ``byline_marks.tsv``."""
    kinds = entries_by_kind(path, "|")

    def either(kind: str) -> str:
        return "|".join(re.escape(word) for word in sorted(kinds[kind], key=len, reverse=True))

    return BylineMarks(
        author=re.compile(rf"(?<![\w-])(?:{either('author_word')})(?![\w-])|{either('author')}"),
        byline=re.compile(either("byline")),
        not_byline=re.compile(either("not_byline")),
        not_within=re.compile(either("not_within")),
    )


def _marks(element: HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def _in_other_content(element: HtmlElement, marks: BylineMarks) -> bool:
    # commenters are authors too, of something else; so are the writers of teasers. Only the
    # nearest containers are asked: a page's outer ones name its layout ("has-sidebar").
    for ancestor in islice(element.iterancestors(), MAX_BYLINE_DEPTH):
        if ancestor.tag in ("article", "main", "body"):
            return False
        if marks.not_within.search(_marks(ancestor)):
            return True
    return False


def byline_credits(tree: HtmlElement) -> Iterator[list[Credit]]:
    """Short texts of visible bylines, one source each: elements marked as the author first, then
    those whose class or id mentions an author or byline."""
    marks = load_byline_marks()
    marked: list[HtmlElement] = []
    mentioned: list[HtmlElement] = []
    for element in tree.iter(BYLINE_TAGS):
        classes = _marks(element)
        if marks.not_byline.search(classes):
            continue
        if element.get("rel") == "author" or "author" in element.get("itemprop", "") or marks.author.search(classes):
            found = marked
        elif len(mentioned) < BYLINE_CANDIDATES and marks.byline.search(classes):
            found = mentioned
        else:
            continue
        if not _in_other_content(element, marks):
            found.append(element)
            if len(marked) >= BYLINE_CANDIDATES:
                break
    for element in (marked + mentioned)[:BYLINE_CANDIDATES]:
        # inline elements often part words from names with no space: "By<a>Lena Marsh</a>"
        text = " ".join(" ".join(element.itertext()).split())
        if 2 < len(text) < MAX_BYLINE_CHARS:
            yield [Credit(text)]


def byline_author(tree: HtmlElement) -> str | None:
    """The first short byline text on the page that names someone ("By Jane Doe" -> "Jane Doe")."""
    return choose_authors(byline_credits(tree), SiteNames(frozenset()), load_author_rules())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _is_link(value: str) -> bool:
    return value.startswith(("http:", "https:", "/", "www."))


def _headings(tree: HtmlElement) -> list[str]:
    texts = (" ".join(heading.text_content().split()) for heading in tree.iter("h1"))
    return list(islice((text for text in texts if text), MAX_HEADINGS))


def read_metadata(tree: HtmlElement, page_url: str | None) -> PageMetadata:
    """Meta tags and JSON-LD first, then the visible page (``<h1>``, bylines, ``<title>``)."""
    names = load_meta_names()
    metas = _meta_values(tree)

    def meta(labels: tuple[str, ...]) -> list[str]:
        return [value for label in labels for value in metas.get(label, []) if not _is_link(value)]

    ld = read_json_ld(json_ld_nodes(tree), page_url)
    declared_sites, publishers = meta(names.site_names), meta(names.publishers) + ld.publishers
    site = SiteNames.of(declared_sites + publishers, page_url, load_title_rules())

    page_title = next((title.text_content() for title in tree.iterfind(".//head/title")), None)
    meta_titles = meta(names.titles)
    # the shared title first, then JSON-LD's headline and the other meta titles
    forms = meta_titles[:1] + ld.headlines + meta_titles[1:]
    title = choose_title(_headings(tree), forms, page_title, site, load_title_rules(), printed_on(tree))

    meta_credits = [Credit(value) for value in meta(names.authors)]
    author = choose_authors(chain([ld.credits, meta_credits], byline_credits(tree)), site, load_author_rules())

    sitename = next(iter(declared_sites[:1] + publishers), None) or extract_sitename(tree)
    return PageMetadata(
        title=_clean(title or extract_title(tree)),
        author=_clean(author),
        sitename=_clean(sitename.lstrip("@")) if sitename else None,
        canonical_url=canonical_url(tree, page_url),
    )

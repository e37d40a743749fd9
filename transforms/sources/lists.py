"""Feed and URL list files: one URL or path per line (``#`` starts a comment), or OPML.

OPML is the format feed readers export their subscriptions in: every ``<outline xmlUrl="...">``
is a feed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import lxml.etree
from apache_beam.io.filesystems import FileSystems

from transforms.fetch.urls import safe_split

REMOTE_SCHEMES = ("http", "https")


class SourceListError(ValueError):
    """A list file that cannot be used: missing, unreadable or without any entry."""


def is_local(location: str) -> bool:
    """True for ``file://`` URLs and plain paths, which only the user can name (not for what
    cannot be parsed: that is left to the fetch stage to report)."""
    parts = safe_split(location)
    if parts is None:
        return False
    scheme = parts.scheme
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and location[1:3] == ":\\")


def link_refusal(url: str, base: str, listing: str) -> Optional[str]:
    """Why a ``listing`` ("feed", "sitemap") read from ``base`` may not name the absolute ``url``,
    or None: remote content must never make the pipeline read local files, so only a local
    listing may name ``file://`` URLs, and nothing may name other schemes."""
    parts = safe_split(url)
    scheme = parts.scheme.lower() if parts else ""
    if scheme in REMOTE_SCHEMES or (scheme == "file" and is_local(base)):
        return None
    return f"names a {scheme or 'relative'} URL, which a {'local' if is_local(base) else 'remote'} {listing} may not name"


def parse_list(text: str) -> list[str]:
    """The entries of a list file, in order, without blanks, comments and repeats."""
    entries: list[str] = []
    for line in text.splitlines():
        # A "#" inside a URL is a fragment; only a line start or " #" begins a comment.
        entry = line.split(" #", 1)[0].strip()
        if entry and not entry.startswith("#") and entry not in entries:
            entries.append(entry)
    return entries


def is_opml(text: str) -> bool:
    head = text.lstrip()[:2048].lower()
    return head.startswith("<") and "<opml" in head


def parse_opml(text: str) -> list[str]:
    """The feed URLs of an OPML document (nested outlines included), in order, without repeats."""
    # No entity expansion and no network: a hostile OPML file must not cost memory or requests.
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError as error:
        raise SourceListError(f"OPML file cannot be parsed: {error}") from error
    if root is None:
        raise SourceListError("OPML file cannot be parsed")
    entries: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in entries:
            entries.append(url)
    return entries


def resolve_entry(entry: str, list_location: str) -> str:
    """A list entry as an absolute URL: relative paths are taken from the list file's folder.

    An entry that names no usable path (a NUL byte, an unknown ``~user``) is kept as written, so
    that the fetch stage records it as an error row instead of the whole run failing here.
    """
    if not is_local(entry) or entry.startswith("file://"):
        return entry
    try:
        path = Path(entry).expanduser()
        if not path.is_absolute() and is_local(list_location):
            path = Path(list_location).expanduser().resolve().parent / path
        return path.resolve().as_uri()
    except (ValueError, RuntimeError):
        return entry


def read_list_text(location: str, described: str) -> str:
    """The UTF-8 text of a list file (local or on any Beam file system), such as ``described`` =
    "feed list"; raises SourceListError naming it, with the line of a byte that is not UTF-8."""
    try:
        with FileSystems.open(location) as handle:
            return handle.read().decode("utf-8-sig")
    except (OSError, IOError) as error:
        raise SourceListError(f"cannot read {described} {location!r}: {_reason(error)}") from error
    except UnicodeDecodeError as error:
        line = _line_number(error.object, error.start)
        raise SourceListError(f"{described} {location!r} is not UTF-8 text (line {line})") from error


# A document's opening: an XML declaration, a doctype or comment, or a tag ("<rss version=...>",
# "<html>"). Not a lone "<" or an address in angle brackets ("<https://example.com/feed>"), which
# are lines of a list (each then fails, or is fetched, on its own).
_DOCUMENT_START = re.compile(r"\s*<(?:\?xml|!doctype|!--|[a-z][\w.-]*(?::[\w.-]+)?(?:\s|/?>))", re.IGNORECASE)


def read_list(location: str, what: str) -> list[str]:
    """Read a feed or URL list (local or on any Beam filesystem) into absolute URLs. Raises
    SourceListError for a web address given in place of the list, a list that cannot be read or has
    no entries, and a file that is itself a document (a feed, sitemap or page: it opens with an
    XML declaration, a doctype or a tag and is no OPML), whose lines would each become a failed
    fetch."""
    parts = safe_split(location)
    if parts is not None and parts.scheme.lower() in REMOTE_SCHEMES:
        raise SourceListError(
            f"{what} list {location!r} is a web address: give a file that lists {what}s, one per line "
            f"(such as one made with: echo '{location}' > {what.lower()}s.txt)"
        )
    text = read_list_text(location, f"{what} list")
    if _DOCUMENT_START.match(text) and not is_opml(text):
        raise SourceListError(
            f"{what} list {location!r} is itself an XML or HTML document, not a list: "
            f"give a file that lists its path or URL, one per line"
        )
    raw_entries = parse_opml(text) if is_opml(text) else parse_list(text)
    # after resolving: "a.html", "./a.html" and its file:// URI are one entry
    entries = list(dict.fromkeys(resolve_entry(entry, location) for entry in raw_entries))
    if not entries:
        raise SourceListError(f"{what} list {location!r} has no entries (only blanks or comments)")
    return entries


def _line_number(data: bytes, offset: int) -> int:
    """The 1-based line that byte ``offset`` of ``data`` is on, so that the user can find it."""
    return len((data[:offset] + b"x").splitlines())


def _reason(error: BaseException) -> str:
    text = str(error)
    if "No such file" in text or "not found" in text.lower() or "does not exist" in text:
        return "no such file"
    return text.splitlines()[0] if text else type(error).__name__

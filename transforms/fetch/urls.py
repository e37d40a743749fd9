"""Checking the URLs the client is asked for and the ones redirects point to."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Optional
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit
from urllib.request import url2pathname

HTTP_SCHEMES = ("http", "https")


class UrlProblem(Exception):
    """A URL the client will not request; ``error_type`` is from the errors vocabulary."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError as error:
        raise UrlProblem("invalid_url", f"cannot parse URL {url!r}: {error}") from error
    return parts


def safe_split(url: str) -> Optional[SplitResult]:
    """The parts of a URL, or None when urllib cannot parse it (a bracketed host that is no IPv6
    address, a port that is no number or out of range): URLs from outside are data, never a crash."""
    try:
        return _split(url)
    except UrlProblem:
        return None


def safe_join(base: str, link: str) -> Optional[str]:
    """``link`` resolved against ``base``, or None when either cannot be parsed."""
    try:
        joined = urljoin(base, link)
    except ValueError:
        return None
    return joined if safe_split(joined) else None


def checked_http_url(url: str) -> str:
    """The URL without its fragment, if it is a well-formed http(s) URL with a host."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise UrlProblem("invalid_url", f"URL {url!r} has no scheme")
    if scheme not in HTTP_SCHEMES:
        raise UrlProblem("unsupported_scheme", f"scheme {scheme!r} is not http or https")
    if not parts.hostname:
        raise UrlProblem("invalid_url", f"URL {url!r} has no host")
    if _has_space_or_control(url.strip()):
        # a request would percent-encode them and ask for another page ("/a.html extra words")
        raise UrlProblem("invalid_url", f"URL {url!r} has spaces or control characters")
    try:
        parts.hostname.encode("idna")
    except UnicodeError as error:
        raise UrlProblem("invalid_url", f"host of {url!r} is not a valid name: {error}") from error
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _has_space_or_control(text: str) -> bool:
    """True if ``text`` holds whitespace or control characters, which no absolute URL may contain."""
    return any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in text)


def host_of(url: str) -> str | None:
    """The lower-cased host of an http(s) URL (the unit of politeness), None for anything else."""
    parts = safe_split(url)
    if parts is None or parts.scheme.lower() not in HTTP_SCHEMES:
        return None
    return parts.hostname or None


def local_path(url: str) -> Path | None:
    """The file a ``file://`` URL or a plain path names; None for anything with another scheme."""
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise UrlProblem("invalid_url", f"file URL {url!r} names a remote host")
        return Path(url2pathname(parts.path))
    # A one-letter "scheme" is a Windows drive letter, as in C:\feeds\list.xml.
    if not scheme or len(scheme) == 1:
        return Path(url)
    return None


def redirect_target(current: str, location: str) -> str:
    """Where a Location header points, resolved against the current URL, checked like any URL.

    Spaces are percent-encoded first, as browsers do: servers do send ``Location: /my page.html``.
    """
    try:
        target = urljoin(current, location.strip().replace(" ", "%20"))
    except ValueError as error:
        raise UrlProblem("invalid_url", f"cannot parse redirect target {location!r}: {error}") from error
    return checked_http_url(target)

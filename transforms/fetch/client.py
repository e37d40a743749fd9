"""newsbeam's one HTTP client, used for feeds and article pages alike.

Every failure comes back as a ``FetchResult`` whose ``error_type`` is from the ``errors`` table's
vocabulary; nothing is raised. What the client guarantees, whoever calls it:

- only http(s), except local files the user named (``allow_file``);
- only public addresses, checked on the address dialled, for every hop (``allowed_hosts`` exempts
  exact ``host:port`` pairs);
- robots.txt honoured (cached per origin, crawl delay applied), politeness per host (a minimum
  delay between request starts and a cap on parallel requests), bounded total concurrency;
- redirects followed by hand, each hop checked like the first, at most ``max_redirects``;
- retries with backoff on 429, 5xx and connection failures, honouring Retry-After up to a bound;
- connect, read and whole-request timeouts; caps on downloaded and on decompressed bytes.
"""

from __future__ import annotations

import sys
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from urllib3 import BaseHTTPResponse, HTTPHeaderDict, Timeout
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ReadTimeoutError,
)

from transforms.fetch.addresses import AddressPolicy, BlockedAddressError
from transforms.fetch.archive_stream import ArchiveStream
from transforms.fetch.connections import GuardedPoolManager
from transforms.fetch.content import (
    HTML_MEDIA_TYPES,
    UndecodableBody,
    decode_html,
    is_feed_media_type,
    looks_like_html,
    parse_content_type,
)
from transforms.fetch.decompress import BoundedDecoder, DecodedTooLarge, UnsupportedEncoding
from transforms.fetch.local_files import read_local_file
from transforms.fetch.politeness import HostThrottle, Slot
from transforms.fetch.retries import backoff_delay, is_retryable_status, parse_retry_after
from transforms.fetch.robots import (
    MAX_ROBOTS_BYTES,
    RobotsCache,
    RobotsResponse,
    RobotsRules,
    RobotsUnavailable,
    robots_url,
)
from transforms.fetch.scheduler import PoliteScheduler
from transforms.fetch.urls import UrlProblem, checked_http_url, host_of, local_path, redirect_target

KINDS = ("page", "feed")
_ROBOTS = "robots"  # internal kind: robots.txt files, any content type, truncated not refused
_ARCHIVE = "archive"  # internal kind: web archives (WARC), any content type, streamed (open_archive)

_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/feed+json,"
        "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
    ),
    _ROBOTS: "text/plain,*/*;q=0.5",
    _ARCHIVE: "application/warc,application/gzip;q=0.9,*/*;q=0.5",
}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 65_536


@dataclass(frozen=True)
class FetchSettings:
    """How the client behaves; picklable, built from pipeline options.

    Politeness: at most ``max_per_host`` requests to one host at once and at least
    ``min_host_delay`` seconds between their starts (more if robots.txt asks, up to
    ``max_crawl_delay``). ``allowed_hosts`` lists exact ``"host:port"`` strings (``"[::1]:8080"``
    for IPv6) that may be private or loopback addresses, e.g. intranet feeds or local tests.
    """

    user_agent: str = "newsbeam/0.1 (+https://github.com/newsbeam/newsbeam)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_workers: int = 16
    max_decompressed_bytes: int = 30_000_000
    min_host_delay: float = 1.0
    max_per_host: int = 2
    respect_robots: bool = True
    max_crawl_delay: float = 30.0
    max_retries: int = 2
    backoff_base: float = 0.5
    max_backoff: float = 10.0
    max_retry_after: float = 30.0
    max_redirects: int = 5
    block_private_addresses: bool = True
    allowed_hosts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.max_workers < 1 or self.max_per_host < 1:
            raise ValueError("max_workers and max_per_host must be at least 1")
        # Accept one label or any iterable of them; compare them case-insensitively.
        labels = [self.allowed_hosts] if isinstance(self.allowed_hosts, str) else self.allowed_hosts
        object.__setattr__(self, "allowed_hosts", frozenset(label.lower() for label in labels))

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against (``newsbeam``)."""
        return self.user_agent.split("/", 1)[0].strip() or self.user_agent


class FetchResult(NamedTuple):
    """One fetch, successful or not; ``error_type`` None means success."""

    url: str
    final_url: str
    status: int | None
    content_type: str | None
    body: bytes
    text: str | None
    error_type: str | None
    message: str
    attempts: int
    headers: dict[str, str]
    # The body to read, for archives opened with ``open_archive`` (``body`` is then empty).
    stream: ArchiveStream | None = None


class _Exchange(NamedTuple):
    """One HTTP request and its answer, before redirects and retries are decided."""

    status: int | None = None
    headers: dict[str, str] = {}
    content_type: str | None = None
    body: bytes = b""
    text: str | None = None
    error_type: str | None = None
    message: str = ""
    location: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    stream: ArchiveStream | None = None


class _BodyError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class _SlotHolder:
    """The slot the scheduler reserved for a job, spent by the job's first request to its host."""

    def __init__(self, throttle: HostThrottle, slot: Slot | None) -> None:
        self._throttle = throttle
        self._slot = slot

    def slot_for(self, host: str) -> Slot:
        if self._slot is not None and self._slot.host == host:
            slot, self._slot = self._slot, None
            return slot
        return self._throttle.reserve(host)

    def cancel_unused(self) -> None:
        if self._slot is not None:
            self._throttle.cancel(self._slot)
            self._slot = None


def _failure(url: str, final_url: str, error_type: str, message: str, **extra) -> FetchResult:
    fields = dict(status=None, content_type=None, body=b"", text=None, attempts=1, headers={})
    fields.update(extra)
    return FetchResult(
        url=url, final_url=final_url, error_type=error_type, message=message, **fields
    )


class HttpClient:
    """Thread-safe pooled HTTP client; build one per process (in ``DoFn.setup``), then ``close``."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        policy = AddressPolicy(
            allowed_hosts=settings.allowed_hosts,
            block_non_public=settings.block_private_addresses,
        )
        self._pool = GuardedPoolManager(
            policy,
            num_pools=256,
            maxsize=settings.max_per_host,
        )
        self._throttle = HostThrottle(settings.min_host_delay, settings.max_per_host)
        self._robots = RobotsCache()
        self._requests_in_flight = threading.BoundedSemaphore(settings.max_workers)
        self._scheduler = PoliteScheduler(self._throttle, settings.max_workers)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker threads and close every pooled connection."""
        self._scheduler.close()
        self._pool.clear()

    def get(
        self,
        url: str,
        *,
        kind: str = "page",
        allow_file: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """Fetch one feed (``kind="feed"``, body as bytes) or HTML page (``"page"``, also text)."""
        _check_kind(kind)
        return self._get(url, kind, allow_file, headers, None)

    def submit(
        self,
        url: str,
        *,
        kind: str = "page",
        allow_file: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Future[FetchResult]:
        """Queue a fetch on the client's polite thread pool; the future never raises."""
        _check_kind(kind)
        job = partial(self._get, url, kind, allow_file, headers)
        return self._scheduler.submit(host_of(url), job)

    def get_many(
        self,
        urls: Sequence[str],
        *,
        kind: str = "page",
        allow_file: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> list[FetchResult]:
        """Fetch many URLs concurrently, hosts interleaved as politeness allows; order kept."""
        futures = [
            self.submit(url, kind=kind, allow_file=allow_file, headers=headers) for url in urls
        ]
        return [future.result() for future in futures]

    def robots_rules(self, url: str) -> RobotsRules | FetchResult:
        """The robots.txt rules of ``url``'s origin (an http(s) URL), from the cache every fetch
        uses, so a site's robots.txt is fetched once whether a page or the sitemap reader asks
        first. A failure result when robots.txt cannot be fetched for a network reason."""
        slots = _SlotHolder(self._throttle, None)
        try:
            return self._robots.rules_for(url, partial(self._fetch_robots, slots=slots))
        except RobotsUnavailable as unavailable:
            response = unavailable.response
            return _failure(url, robots_url(url), response.error_type or "connection_error", response.message)
        finally:
            slots.cancel_unused()

    def open_archive(self, url: str) -> FetchResult:
        """Open a large http(s) download (a WARC archive) for reading as a stream.

        Success: ``stream`` reads the body with its Content-Encoding removed (close it when done).
        The URL is checked, robots.txt, the address policy and the per-host delay apply, redirects
        and retries are followed as for pages, but no byte cap and no whole-request deadline
        apply: an archive is about a gigabyte and is never held in memory; each read waits at most
        the read timeout. Failure: ``error_type`` and ``message``, as for ``get``.
        """
        return self._get(url, _ARCHIVE, False, None, None)

    def _get(
        self,
        url: str,
        kind: str,
        allow_file: bool,
        headers: Mapping[str, str] | None,
        slot: Slot | None,
    ) -> FetchResult:
        slots = _SlotHolder(self._throttle, slot)
        try:
            return self._fetch_any(url, kind, allow_file, headers, slots)
        finally:
            # A job that ended before using its slot (bad URL, robots refusal) gives the host's turn back.
            slots.cancel_unused()

    def _fetch_any(
        self,
        url: str,
        kind: str,
        allow_file: bool,
        headers: Mapping[str, str] | None,
        slots: _SlotHolder,
    ) -> FetchResult:
        try:
            path = local_path(url) if allow_file else None
            if path is None:
                return self._follow(url, checked_http_url(url), kind, headers, slots)
        except UrlProblem as problem:
            return _failure(url, url, problem.error_type, str(problem))
        local = read_local_file(path, kind, self.settings.max_bytes)
        return FetchResult(
            url=url,
            final_url=local.final_url,
            status=None,
            content_type=local.content_type,
            body=local.body,
            text=local.text,
            error_type=local.error_type,
            message=local.message,
            attempts=1,
            headers={},
        )

    def _follow(
        self,
        requested: str,
        current: str,
        kind: str,
        headers: Mapping[str, str] | None,
        slots: _SlotHolder,
    ) -> FetchResult:
        """Request ``current``, following redirects by hand so that every hop is checked."""
        visited = {current}
        while True:
            if kind != _ROBOTS and self.settings.respect_robots:
                refusal = self._robots_refusal(requested, current, slots)
                if refusal is not None:
                    return refusal
            exchange, attempts = self._exchange_with_retries(current, kind, headers, slots)
            if exchange.location is None:
                return FetchResult(
                    url=requested,
                    final_url=current,
                    status=exchange.status,
                    content_type=exchange.content_type,
                    body=exchange.body,
                    text=exchange.text,
                    error_type=exchange.error_type,
                    message=exchange.message,
                    attempts=attempts,
                    headers=exchange.headers,
                    stream=exchange.stream,
                )
            context = dict(status=exchange.status, attempts=attempts, headers=exchange.headers)
            try:
                target = redirect_target(current, exchange.location)
            except UrlProblem as problem:
                message = f"redirect from {current} to {exchange.location!r}: {problem}"
                return _failure(requested, current, problem.error_type, message, **context)
            if target in visited:
                message = f"redirect loop: {current} leads back to {target}"
                return _failure(requested, current, "redirect_loop", message, **context)
            if len(visited) > self.settings.max_redirects:
                message = f"more than {self.settings.max_redirects} redirects, next was {target}"
                return _failure(requested, current, "too_many_redirects", message, **context)
            visited.add(target)
            current = target

    def _robots_refusal(
        self, requested: str, url: str, slots: _SlotHolder
    ) -> FetchResult | None:
        """A failure result if robots.txt forbids ``url`` (or could not be fetched), else None."""
        agent = self.settings.robots_agent
        try:
            rules = self._robots.rules_for(url, partial(self._fetch_robots, slots=slots))
        except RobotsUnavailable as unavailable:
            response = unavailable.response
            message = f"{response.message} (while fetching robots.txt for {url})"
            return _failure(requested, url, response.error_type or "connection_error", message)
        host = host_of(url)
        if host is not None:
            wanted = rules.delay(agent) or 0.0
            self._throttle.set_delay(host, min(wanted, self.settings.max_crawl_delay))
        if rules.allows(url, agent):
            return None
        message = rules.reason or f"robots.txt disallows {url} for {agent!r}"
        return _failure(requested, url, "robots_disallowed", message, status=rules.unreachable_status)

    def _fetch_robots(self, robots_url: str, slots: _SlotHolder) -> RobotsResponse:
        result = self._follow(robots_url, robots_url, _ROBOTS, None, slots)
        return RobotsResponse(result.status, result.body, result.error_type, result.message)

    def _exchange_with_retries(
        self, url: str, kind: str, headers: Mapping[str, str] | None, slots: _SlotHolder
    ) -> tuple[_Exchange, int]:
        settings = self.settings
        host = host_of(url) or ""
        attempt = 0
        while True:
            attempt += 1
            with self._throttle.turn(slots.slot_for(host)), self._requests_in_flight:
                exchange = self._exchange(url, kind, headers)
            if not exchange.retryable or attempt > settings.max_retries:
                return exchange, attempt
            wait = exchange.retry_after
            if wait is None:
                wait = backoff_delay(attempt, settings.backoff_base, settings.max_backoff)
            elif wait > settings.max_retry_after:
                message = (
                    f"{exchange.message}; server asked to retry after {wait:.0f} s, "
                    f"more than the {settings.max_retry_after:.0f} s we wait"
                )
                return exchange._replace(message=message), attempt
            # The wait applies to the whole host: it is the host that asked us to slow down.
            self._throttle.defer(host, wait)

    def _exchange(self, url: str, kind: str, headers: Mapping[str, str] | None) -> _Exchange:
        """One GET of ``url``, its body read within the byte caps and the whole-request deadline."""
        settings = self.settings
        deadline = time.monotonic() + settings.total_timeout
        request_headers = HTTPHeaderDict(
            {"User-Agent": settings.user_agent, "Accept": _ACCEPT[kind], "Accept-Encoding": "gzip, deflate"}
        )
        # Callers may add validators (If-None-Match ...) or replace ours, in any letter case.
        request_headers.update(headers or {})
        try:
            response = self._pool.urlopen(
                "GET",
                url,
                headers=request_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                timeout=Timeout(connect=settings.connect_timeout, read=settings.read_timeout),
            )
        except BlockedAddressError as error:
            return _Exchange(error_type="blocked_address", message=str(error))
        except NewConnectionError as error:
            return _Exchange(error_type="connection_error", message=str(error), retryable=True)
        except ConnectTimeoutError as error:
            return _Exchange(error_type="timeout", message=str(error), retryable=True)
        except ReadTimeoutError as error:
            return _Exchange(error_type="timeout", message=f"no answer in time: {error}")
        except (LocationParseError, ValueError) as error:
            return _Exchange(error_type="invalid_url", message=f"cannot request {url}: {error}")
        except (HTTPError, OSError) as error:
            return _Exchange(error_type="connection_error", message=str(error), retryable=True)
        complete = handed_over = False
        try:
            exchange = self._answer(url, kind, response, deadline)
            complete = exchange.error_type is None and exchange.location is None
            handed_over = exchange.stream is not None
            return exchange
        finally:
            if not complete:
                # Unread bytes would corrupt the next response on a kept-alive connection.
                response.close()
            if not handed_over:  # an archive's stream gives the connection back when closed
                response.release_conn()

    def _answer(
        self, url: str, kind: str, response: BaseHTTPResponse, deadline: float
    ) -> _Exchange:
        status = response.status
        headers = {name.lower(): value for name, value in response.headers.itermerged()}
        content_type = headers.get("content-type")
        answer = _Exchange(status=status, headers=headers, content_type=content_type)
        if status in _REDIRECT_STATUSES and headers.get("location"):
            return answer._replace(location=headers["location"])
        if status >= 400 or (300 <= status < 400 and status != 304):
            return answer._replace(
                error_type="http_status",
                message=f"HTTP {status} {response.reason or ''}".strip() + f" for {url}",
                retryable=is_retryable_status(status),
                retry_after=parse_retry_after(headers.get("retry-after")),
            )
        if status == 304:
            return answer
        media_type, charset = parse_content_type(content_type)
        refusal = _content_type_refusal(kind, media_type)
        if refusal:
            return answer._replace(error_type="unsupported_content_type", message=refusal)
        if kind == _ARCHIVE:
            try:
                # No cap (the decoder asks for one more byte than it may give, hence the - 1).
                decoder = BoundedDecoder(headers.get("content-encoding"), sys.maxsize - 1)
            except UnsupportedEncoding as error:
                return answer._replace(error_type="decode_error", message=f"{error} for {url}")
            return answer._replace(stream=ArchiveStream(response, decoder))
        try:
            body = self._read_body(response, headers, kind, deadline)
        except _BodyError as error:
            return answer._replace(error_type=error.error_type, message=f"{error} for {url}")
        except ReadTimeoutError as error:
            return answer._replace(error_type="timeout", message=f"body stalled: {error}")
        except (HTTPError, OSError) as error:
            message = f"connection broke while reading {url}: {error}"
            return answer._replace(error_type="connection_error", message=message, retryable=True)
        answer = answer._replace(body=body)
        if kind != "page":
            return answer
        if media_type is None and not looks_like_html(body):
            message = f"{url} has no Content-Type and does not look like HTML"
            return answer._replace(error_type="unsupported_content_type", message=message)
        try:
            return answer._replace(text=decode_html(body, charset))
        except UndecodableBody as error:
            return answer._replace(error_type="decode_error", message=f"{error}: {url}")

    def _read_body(
        self, response: BaseHTTPResponse, headers: Mapping[str, str], kind: str, deadline: float
    ) -> bytes:
        """Stream the body through the decoder; raises ``_BodyError`` past a cap or the deadline.

        robots.txt is truncated at its cap instead (RFC 9309 reads the first 500 KiB).
        """
        settings = self.settings
        truncate = kind == _ROBOTS
        raw_cap = MAX_ROBOTS_BYTES if truncate else settings.max_bytes
        decoded_cap = MAX_ROBOTS_BYTES if truncate else settings.max_decompressed_bytes
        declared = headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > raw_cap:
            raise _BodyError("too_large", f"Content-Length {declared} exceeds {raw_cap} bytes")
        try:
            decoder = BoundedDecoder(headers.get("content-encoding"), decoded_cap)
        except UnsupportedEncoding as error:
            raise _BodyError("decode_error", str(error)) from error
        pieces: list[bytes] = []
        received = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _BodyError("timeout", f"body not complete within {settings.total_timeout} s")
            _limit_socket_wait(response, min(settings.read_timeout, remaining))
            chunk = response.read1(_CHUNK_BYTES)
            if not chunk:
                break
            received += len(chunk)
            if received > raw_cap:
                if not truncate:
                    raise _BodyError("too_large", f"body exceeds {raw_cap} bytes")
                chunk = chunk[: len(chunk) - (received - raw_cap)]
            try:
                pieces.append(decoder.feed(chunk))
            except DecodedTooLarge as error:
                if truncate:
                    break
                message = f"decompressed body exceeds {decoded_cap} bytes"
                raise _BodyError("too_large", message) from error
            except zlib.error as error:
                raise _BodyError("decode_error", f"cannot decompress body: {error}") from error
            if received >= raw_cap and truncate:
                break
        try:
            pieces.append(decoder.finish())
        except DecodedTooLarge as error:
            if not truncate:
                raise _BodyError("too_large", f"decompressed body exceeds {decoded_cap} bytes") from error
        return b"".join(pieces)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def _content_type_refusal(kind: str, media_type: str | None) -> str | None:
    """Why a response of ``media_type`` is not what ``kind`` needs, or None if acceptable."""
    if media_type is None or kind == _ROBOTS:
        return None
    if kind == "page" and media_type not in HTML_MEDIA_TYPES:
        return f"{media_type} is not HTML"
    if kind == "feed" and not is_feed_media_type(media_type):
        return f"{media_type} is not XML, JSON or text"
    return None


def _limit_socket_wait(response: BaseHTTPResponse, seconds: float) -> None:
    """Make the next socket read give up after ``seconds`` (the rest of the request's time)."""
    connection = getattr(response, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))

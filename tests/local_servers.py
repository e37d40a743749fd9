"""Local HTTP servers for tests and benchmarks; they listen on 127.0.0.0/8 only.

    with LocalServer() as server:
        url = server.route("/a", Reply(body=b"<html>...</html>"))
        server.route("/flaky", Reply(status=503), Reply(body=b"<html>ok</html>"))
        ... fetch url ...
        assert server.hits("/a") == 1

A route serves its replies in order and repeats the last one. Unknown paths (``/robots.txt``
included) answer 404. Every request is recorded in ``server.requests``. Any address of
127.0.0.0/8 can be used as its own host (``LocalServer("127.0.0.7")``): Linux routes the whole
block to loopback.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

from transforms.fetch.client import FetchSettings

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Reply:
    """One canned answer. A callable ``body`` is streamed chunk by chunk, without a length."""

    status: int = 200
    body: Body = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0


class SeenRequest(NamedTuple):
    path: str
    headers: dict[str, str]
    at: float


def html_page(title: str, *paragraphs: str, charset: str = "utf-8") -> bytes:
    """A small, well-formed HTML document encoded in ``charset`` (with a matching meta tag)."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    document = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return document.encode(charset)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def gzip_bomb(decompressed_size: int) -> bytes:
    """A gzip stream of ``decompressed_size`` zero bytes; about a thousand times smaller."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    pieces = []
    for start in range(0, decompressed_size, len(block)):
        pieces.append(compressor.compress(block[: decompressed_size - start]))
    pieces.append(compressor.flush())
    return b"".join(pieces)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        reply = self.server.owner._record_and_pick(self.path, dict(self.headers.items()))
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up on purpose (cap reached, timeout): nothing to report.
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if callable(reply.body):
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for chunk in reply.body():
                self.wfile.write(chunk)
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
            return
        if not any(name.lower() == "content-length" for name in reply.headers):
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on kept-alive connections when they close their pools: expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """A threaded HTTP server on ``host`` (default 127.0.0.1) and an ephemeral port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if not host.startswith("127."):
            raise ValueError("local test servers listen on 127.0.0.0/8 only")
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[SeenRequest] = []
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        # A short poll interval makes shutdown (after every test) quick.
        serve = partial(self._server.serve_forever, poll_interval=0.02)
        self._thread = threading.Thread(target=serve, daemon=True)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host_port(self) -> str:
        """``"127.0.0.1:PORT"``, the form ``FetchSettings.allowed_hosts`` takes."""
        return f"{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host_port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Serve ``replies`` in turn at ``path`` (the last one repeats); returns the URL."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = list(replies)
        return self.url(path)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for seen in self.requests if seen.path == path)

    def _record_and_pick(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(SeenRequest(path, headers, time.monotonic()))
            replies = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
            if not replies:
                return Reply(status=404, body=b"not found", content_type="text/plain")
            return replies.pop(0) if len(replies) > 1 else replies[0]


def fetch_settings_for(*servers: LocalServer, **overrides: object) -> FetchSettings:
    """Fetch settings that may reach these local servers, without politeness waits, plus ``overrides``."""
    fields: dict[str, object] = dict(
        allowed_hosts=frozenset(s.host_port for s in servers),
        min_host_delay=0.0,
        backoff_base=0.01,
    )
    fields.update(overrides)
    return FetchSettings(**fields)

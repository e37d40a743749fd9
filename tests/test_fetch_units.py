"""The fetch package's plain functions: addresses, URLs, decoding, decompression, retries, robots,
politeness. No network, no Beam."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import zlib

import pytest

from transforms.fetch.addresses import AddressPolicy, BlockedAddressError, is_public_address
from transforms.fetch.content import declared_charset, decode_html, is_feed_media_type, parse_content_type
from transforms.fetch.decompress import BoundedDecoder, DecodedTooLarge, UnsupportedEncoding
from transforms.fetch.politeness import HostThrottle
from transforms.fetch.retries import backoff_delay, is_retryable_status, parse_retry_after
from transforms.fetch.robots import RobotsCache, RobotsResponse, RobotsUnavailable, robots_url, rules_from_response
from transforms.fetch.urls import UrlProblem, checked_http_url, host_of, local_path, redirect_target


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b:1::a00:1",
    ],
)
def test_non_public_addresses_are_blocked(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::6810:85e5", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_allowed_hosts_exempt_exact_host_and_port_only():
    policy = AddressPolicy(allowed_hosts=frozenset({"127.0.0.1:8080", "[::1]:9090"}))
    loopback4, loopback6 = ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")
    assert policy.permits("127.0.0.1", 8080, loopback4)
    assert policy.permits("localhost", 8080, loopback4)  # the address it resolved to is listed
    assert not policy.permits("127.0.0.1", 8081, loopback4)
    assert policy.permits("::1", 9090, loopback6)
    assert not policy.permits("::1", 8080, loopback6)


def test_name_resolving_to_a_private_address_is_blocked():
    with pytest.raises(BlockedAddressError):
        AddressPolicy().permitted_addresses("localhost", 80)
    assert AddressPolicy(block_non_public=False).permitted_addresses("127.0.0.1", 80) == ["127.0.0.1"]


def test_checked_http_url_normalises_and_rejects():
    assert checked_http_url("HTTPS://News.example/a?b=1#top") == "https://News.example/a?b=1"
    assert checked_http_url("http://news.example") == "http://news.example/"
    for url, error_type in [
        ("mailto:desk@news.example", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("//news.example/a", "invalid_url"),
        ("http:///path", "invalid_url"),
        ("http://news.example:port/", "invalid_url"),
        ("http://bad host.example/", "invalid_url"),
    ]:
        with pytest.raises(UrlProblem) as problem:
            checked_http_url(url)
        assert problem.value.error_type == error_type, url


def test_redirect_targets_resolve_relative_locations():
    assert redirect_target("https://a.example/x/y", "../z#frag") == "https://a.example/z"
    assert redirect_target("https://a.example/x", "//b.example/") == "https://b.example/"
    with pytest.raises(UrlProblem):
        redirect_target("https://a.example/x", "file:///etc/passwd")


def test_host_and_local_path_helpers(tmp_path):
    assert host_of("https://News.Example:8443/a") == "news.example"
    assert host_of("file:///tmp/x") is None
    assert local_path((tmp_path / "a b.xml").as_uri()) == tmp_path / "a b.xml"
    assert local_path("relative/feed.xml").as_posix() == "relative/feed.xml"
    assert local_path("https://a.example/") is None
    with pytest.raises(UrlProblem):
        local_path("file://remote.example/share/feed.xml")


def test_content_type_parsing_and_feed_types():
    assert parse_content_type('text/HTML; Charset="ISO-8859-1"') == ("text/html", "iso-8859-1")
    assert parse_content_type(None) == (None, None)
    assert parse_content_type("garbage") == (None, None)
    assert all(map(is_feed_media_type, ["application/rss+xml", "text/xml", "application/feed+json", "text/plain"]))
    assert not is_feed_media_type("image/png")


def test_charset_precedence_header_then_meta_then_detection():
    body = '<html><head><meta charset="utf-8"></head><body>Zürich</body></html>'.encode()
    assert "Zürich" in decode_html(body, None)
    assert "ZÃ¼rich" in decode_html(body, "iso-8859-1")  # a header wins over the meta tag
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">Caf\xe9 \x80'.encode("latin-1")
    assert declared_charset(legacy) == "windows-1252"
    assert "Café €" in decode_html(legacy, None)
    assert "Café €" in decode_html(legacy, "no-such-charset")
    xhtml = b'<?xml version="1.0" encoding="ISO-8859-1"?><html>\xe9t\xe9</html>'
    assert "été" in decode_html(xhtml, None)


def test_bom_and_undefined_windows_1252_bytes():
    assert decode_html("<p>Ωmega</p>".encode("utf-16"), "iso-8859-1") == "<p>Ωmega</p>"
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "iso-8859-1") == "<p>café</p>"
    # 0x81 is undefined in Windows-1252; browsers keep it as the C1 control Latin-1 has there.
    assert decode_html(b"<p>a\x81b</p>", "latin-1") == "<p>a\x81b</p>"


def test_bounded_decoder_decodes_gzip_deflate_and_concatenated_members():
    data = b"news " * 1000
    assert BoundedDecoder("gzip", 10_000).feed(gzip.compress(data)) == data
    assert BoundedDecoder("deflate", 10_000).feed(zlib.compress(data)) == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(data) + raw.flush()
    assert BoundedDecoder("deflate", 10_000).feed(raw_deflate) == data
    assert BoundedDecoder("gzip", 10_000).feed(gzip.compress(b"one ") + gzip.compress(b"two")) == b"one two"
    assert BoundedDecoder(None, 10).feed(b"plain") == b"plain"


def test_bounded_decoder_stops_at_the_cap():
    decoder = BoundedDecoder("gzip", 1_000_000)
    with pytest.raises(DecodedTooLarge):
        decoder.feed(gzip.compress(bytes(50_000_000)))
    with pytest.raises(DecodedTooLarge):
        BoundedDecoder(None, 3).feed(b"four")
    with pytest.raises(UnsupportedEncoding):
        BoundedDecoder("br", 10)
    with pytest.raises(zlib.error):
        BoundedDecoder("gzip", 10).feed(b"not gzip at all")


def test_retry_after_and_backoff():
    now = datetime.datetime(2026, 11, 27, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Fri, 27 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert [is_retryable_status(s) for s in (429, 500, 503, 501, 404)] == [True, True, True, False, False]
    delays = [backoff_delay(attempt, base=1.0, cap=4.0) for attempt in (1, 2, 3, 4)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[3] <= 4.0


def test_robots_rules_follow_rfc_9309():
    parsed, ttl = rules_from_response(RobotsResponse(200, b"User-agent: *\nDisallow: /x\nCrawl-delay: 3\n", None, ""))
    assert not parsed.allows("https://a.example/x/1", "newsbeam")
    assert parsed.allows("https://a.example/y", "newsbeam")
    assert parsed.delay("newsbeam") == 3.0
    missing, _ = rules_from_response(RobotsResponse(404, b"", "http_status", "HTTP 404"))
    assert missing.allows("https://a.example/x/1", "newsbeam")
    unreachable, short_ttl = rules_from_response(RobotsResponse(503, b"", "http_status", "HTTP 503"))
    assert not unreachable.allows("https://a.example/", "newsbeam")
    assert short_ttl < ttl
    with pytest.raises(RobotsUnavailable):
        rules_from_response(RobotsResponse(None, b"", "timeout", "slow"))
    rated, _ = rules_from_response(RobotsResponse(200, b"User-agent: *\nRequest-rate: 1/10\n", None, ""))
    assert rated.delay("newsbeam") == 10.0


def test_robots_cache_fetches_once_per_origin_until_expiry():
    now = [0.0]
    fetched: list[str] = []

    def fetch(url: str) -> RobotsResponse:
        fetched.append(url)
        return RobotsResponse(200, b"User-agent: *\nDisallow: /private\n", None, "")

    cache = RobotsCache(clock=lambda: now[0])
    for path in ("/a", "/private/b", "/c"):
        cache.rules_for(f"https://user@News.example:8443{path}", fetch)
    cache.rules_for("http://news.example/a", fetch)
    assert fetched == ["https://news.example:8443/robots.txt", "http://news.example/robots.txt"]
    now[0] += 2 * 24 * 3600
    cache.rules_for("http://news.example/a", fetch)
    assert len(fetched) == 3
    assert robots_url("https://a.example/x?y") == "https://a.example/robots.txt"


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_throttle_spaces_starts_per_host_and_honours_deferral():
    fake = FakeTime()
    throttle = HostThrottle(min_delay=1.0, max_parallel=2, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(3):
        with throttle.turn(throttle.reserve("a.example")):
            starts.append(fake.now)
    assert starts == [100.0, 101.0, 102.0]
    with throttle.turn(throttle.reserve("b.example")):
        assert fake.now == 102.0  # another host is not held up
    throttle.defer("a.example", 10.0)
    with throttle.turn(throttle.reserve("a.example")):
        assert fake.now == 112.0
    throttle.set_delay("a.example", 0.2)
    assert throttle.delay("a.example") == 1.0  # never below the configured minimum


def test_throttle_cancelled_slot_is_given_back():
    fake = FakeTime()
    throttle = HostThrottle(min_delay=1.0, max_parallel=1, clock=fake.clock, sleep=fake.sleep)
    slot = throttle.reserve("a.example")
    assert throttle.ready_at("a.example") is None  # its only place is reserved
    throttle.cancel(slot)
    assert throttle.ready_at("a.example") == 100.0

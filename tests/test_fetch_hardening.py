"""HttpClient against misbehaving local servers: every fault ends as a value, nothing leaks."""

from __future__ import annotations

import itertools
import socket
import time
import tracemalloc

import pytest

from schemas.errors import is_permanent_failure
from tests.local_servers import LocalServer, Reply, fetch_settings_for, gzip_bomb, html_page
from transforms.fetch.client import FetchSettings, HttpClient

PAGE = html_page("A page", "Some words.")


def client_for(*servers: LocalServer, **overrides: object) -> HttpClient:
    return HttpClient(fetch_settings_for(*servers, **overrides))


def arrivals(server: LocalServer, prefix: str) -> list[float]:
    return [seen.at for seen in server.requests if seen.path.startswith(prefix)]


def test_slow_answer_times_out_without_retrying(server):
    url = server.route("/slow", Reply(body=PAGE, delay=1.5))
    with client_for(server, read_timeout=0.3) as client:
        started = time.monotonic()
        result = client.get(url)
    assert (result.error_type, result.attempts) == ("timeout", 1)
    assert time.monotonic() - started < 1.2


def test_trickling_body_is_cut_off_by_the_whole_request_timeout(server):
    trickle = Reply(body=lambda: itertools.repeat(b"<p>x</p>", 100), chunk_delay=0.1)
    url = server.route("/trickle", trickle)
    with client_for(server, read_timeout=5.0, total_timeout=0.5) as client:
        started = time.monotonic()
        result = client.get(url)
    assert result.error_type == "timeout"
    assert time.monotonic() - started < 1.5


def test_server_errors_are_retried_until_success(server):
    url = server.route("/flaky", Reply(status=503), Reply(status=500), Reply(body=PAGE))
    with client_for(server, max_retries=2) as client:
        result = client.get(url)
    assert (result.error_type, result.status, result.attempts) == (None, 200, 3)
    assert server.hits("/flaky") == 3


def test_retries_are_bounded(server):
    url = server.route("/down", Reply(status=502))
    with client_for(server, max_retries=2) as client:
        result = client.get(url)
    assert (result.error_type, result.status, result.attempts) == ("http_status", 502, 3)
    assert server.hits("/down") == 3


def test_client_errors_are_not_retried(server):
    url = server.route("/forbidden", Reply(status=403))
    with client_for(server) as client:
        assert client.get(url).attempts == 1
    assert server.hits("/forbidden") == 1


def test_too_many_requests_waits_as_long_as_retry_after_says(server):
    url = server.route("/busy", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=PAGE))
    with client_for(server) as client:
        result = client.get(url)
    assert (result.error_type, result.attempts) == (None, 2)
    first, second = arrivals(server, "/busy")
    assert second - first >= 0.95


def test_retry_after_beyond_the_bound_gives_up_at_once(server):
    url = server.route("/later", Reply(status=503, headers={"Retry-After": "3600"}))
    with client_for(server, max_retry_after=5.0) as client:
        result = client.get(url)
    assert (result.error_type, result.status, result.attempts) == ("http_status", 503, 1)
    assert "3600" in result.message


def test_refused_connection_is_retried_then_reported():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = FetchSettings(allowed_hosts=frozenset({f"127.0.0.1:{port}"}), min_host_delay=0.0,
                             backoff_base=0.01, respect_robots=False, max_retries=2)
    with HttpClient(settings) as client:
        result = client.get(f"http://127.0.0.1:{port}/")
    assert (result.error_type, result.attempts) == ("connection_error", 3)


def test_redirect_loop_is_detected(server):
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    with client_for(server) as client:
        result = client.get(server.url("/a"))
    assert result.error_type == "redirect_loop"
    assert server.hits("/a") == 1


@pytest.mark.parametrize(("hops", "error_type"), [(5, None), (6, "too_many_redirects")])
def test_at_most_five_redirects_are_followed(server, hops, error_type):
    for hop in range(hops):
        server.route(f"/hop{hop}", Reply(status=307, headers={"Location": f"/hop{hop + 1}"}))
    server.route(f"/hop{hops}", Reply(body=PAGE))
    with client_for(server) as client:
        result = client.get(server.url("/hop0"))
    assert result.error_type == error_type
    assert server.hits(f"/hop{hops}") == (1 if error_type is None else 0)


def test_redirect_to_another_local_port_is_blocked_before_any_request(server):
    with LocalServer() as internal:
        internal.route("/admin", Reply(body=PAGE))
        start = server.route("/go", Reply(status=302, headers={"Location": internal.url("/admin")}))
        with client_for(server) as client:
            result = client.get(start)
        assert result.error_type == "blocked_address"
        assert internal.requests == []


def test_loopback_is_blocked_by_default_before_any_request(server):
    url = server.route("/a", Reply(body=PAGE))
    with HttpClient(FetchSettings()) as client:
        result = client.get(url)
    assert result.error_type == "blocked_address"
    assert server.requests == []


def test_redirect_to_a_file_url_is_refused(server, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_bytes(PAGE)
    url = server.route("/leak", Reply(status=301, headers={"Location": secret.as_uri()}))
    with client_for(server) as client:
        result = client.get(url, allow_file=True)
    assert result.error_type == "unsupported_scheme"


def test_declared_huge_body_is_refused_unread(server):
    url = server.route("/huge", Reply(body=PAGE, headers={"Content-Length": str(50_000_000)}))
    with client_for(server, max_bytes=1_000_000) as client:
        result = client.get(url)
    assert result.error_type == "too_large"


def test_endless_body_is_cut_at_the_byte_cap(server):
    url = server.route("/endless", Reply(body=lambda: itertools.repeat(b"<p>" + b"x" * 8192 + b"</p>")))
    with client_for(server, max_bytes=1_000_000) as client:
        result = client.get(url)
    assert result.error_type == "too_large"
    assert result.body == b""


def test_gzip_bomb_is_stopped_without_inflating_it(server):
    bomb = gzip_bomb(200_000_000)
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with client_for(server, max_bytes=5_000_000, max_decompressed_bytes=2_000_000) as client:
        tracemalloc.start()
        try:
            result = client.get(url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.error_type == "too_large"
    assert "decompressed" in result.message
    assert peak < 20_000_000


def test_wrong_content_type_is_refused_without_downloading(server):
    url = server.route("/file.pdf", Reply(body=lambda: itertools.repeat(b"%PDF" * 4096), content_type="application/pdf"))
    with client_for(server) as client:
        started = time.monotonic()
        result = client.get(url)
    assert result.error_type == "unsupported_content_type"
    assert time.monotonic() - started < 1.0


def test_unsupported_content_encoding_is_a_decode_error(server):
    url = server.route("/br", Reply(body=b"\x1b\x00", headers={"Content-Encoding": "br"}))
    with client_for(server) as client:
        assert client.get(url).error_type == "decode_error"


def test_robots_disallow_is_honoured_and_robots_fetched_once(server):
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    public = server.route("/news/1", Reply(body=PAGE))
    private = server.route("/private/1", Reply(body=PAGE))
    with client_for(server) as client:
        results = client.get_many([public, private, public])
    assert [r.error_type for r in results] == [None, "robots_disallowed", None]
    assert server.hits("/private/1") == 0
    assert server.hits("/robots.txt") == 1


def test_robots_group_for_our_agent_wins_and_can_be_switched_off(server):
    rules = b"User-agent: *\nAllow: /\n\nUser-agent: newsbeam\nDisallow: /\n"
    server.route("/robots.txt", Reply(body=rules, content_type="text/plain"))
    url = server.route("/story", Reply(body=PAGE))
    with client_for(server) as client:
        assert client.get(url).error_type == "robots_disallowed"
    with client_for(server, user_agent="otherbot/2.0") as client:
        assert client.get(url).error_type is None
    with client_for(server, respect_robots=False) as client:
        assert client.get(url).error_type is None


def test_unreachable_robots_means_disallowed_for_now(server):
    server.route("/robots.txt", Reply(status=503))
    url = server.route("/story", Reply(body=PAGE))
    with client_for(server, max_retries=0) as client:
        result = client.get(url)
    assert result.error_type == "robots_disallowed"
    # robots.txt's own status goes with the refusal: an outage, so the next run retries the page
    assert result.status == 503 and not is_permanent_failure(result.error_type, result.status)
    assert server.hits("/story") == 0


def test_crawl_delay_spaces_requests(server):
    server.route("/robots.txt", Reply(body=b"User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain"))
    urls = [server.route(f"/p{i}", Reply(body=PAGE)) for i in range(3)]
    with client_for(server) as client:
        assert all(r.error_type is None for r in client.get_many(urls))
    times = arrivals(server, "/p")
    assert all(later - earlier >= 0.35 for earlier, later in itertools.pairwise(sorted(times)))


def test_minimum_delay_between_requests_to_one_host(server):
    urls = [server.route(f"/p{i}", Reply(body=PAGE)) for i in range(4)]
    with client_for(server, min_host_delay=0.3, respect_robots=False) as client:
        client.get_many(urls)
    times = sorted(arrivals(server, "/p"))
    assert all(later - earlier >= 0.28 for earlier, later in itertools.pairwise(times))


def test_parallel_requests_to_one_host_are_capped(server):
    urls = [server.route(f"/p{i}", Reply(body=PAGE, delay=0.3)) for i in range(6)]
    with client_for(server, max_per_host=2, max_workers=6, respect_robots=False) as client:
        client.get_many(urls)
    times = sorted(arrivals(server, "/p"))
    # Six 0.3 s requests, two at a time: three waves, never three arrivals in one wave.
    assert all(third - first >= 0.25 for first, third in zip(times, times[2:], strict=False))


def test_politeness_on_one_host_does_not_hold_up_the_others():
    with LocalServer("127.0.0.2") as first, LocalServer("127.0.0.3") as second:
        urls = [s.route(f"/p{i}", Reply(body=PAGE)) for s in (first, second) for i in range(3)]
        with client_for(first, second, min_host_delay=0.5, respect_robots=False, max_workers=2) as client:
            started = time.monotonic()
            results = client.get_many(urls)
            elapsed = time.monotonic() - started
    assert all(r.error_type is None for r in results)
    # Each host needs 1.0 s (three requests 0.5 s apart); one after the other would take 2.5 s.
    assert elapsed < 1.6


def test_requests_that_never_reach_the_network_give_their_turn_back(server):
    url = server.route("/a", Reply(body=PAGE))
    malformed = f"http://{server.host}:99999/a"
    with client_for(server, max_per_host=1, respect_robots=False) as client:
        futures = [client.submit(malformed), client.submit(malformed), client.submit(url)]
        results = [future.result(timeout=5) for future in futures]
    assert [r.error_type for r in results] == ["invalid_url", "invalid_url", None]


def test_oversized_robots_txt_is_read_up_to_its_cap(server):
    rules = b"User-agent: *\nDisallow: /private\n" + b"# padding\n" * 100_000
    server.route("/robots.txt", Reply(body=rules, content_type="text/plain"))
    private = server.route("/private", Reply(body=PAGE))
    with client_for(server, max_bytes=100_000) as client:
        assert client.get(private).error_type == "robots_disallowed"

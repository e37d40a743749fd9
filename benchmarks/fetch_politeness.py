"""How close the fetcher gets to the time politeness allows, without ever being impolite.

20 local hosts (127.0.0.2 ... 127.0.0.21, each its own host) serve 25 pages each with 50 ms of
latency. With at most one request per second and two in parallel per host, no client can finish
faster than (requests per host - 1) x 1 s + one latency; the target is within 1.3x of that bound.
The URLs are listed host by host, as feeds list them, which is the hard order for a scheduler.
robots.txt is honoured, so every host also gets one robots.txt request.

    .venv/bin/python benchmarks/fetch_politeness.py [--through-beam]

Exits non-zero if the target is missed or a host saw requests closer together than allowed.
Only 127.0.0.0/8 is ever contacted.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas.pages import PageRequest  # noqa: E402
from tests.local_servers import LocalServer, Reply, html_page  # noqa: E402
from transforms.fetch.client import FetchSettings, HttpClient  # noqa: E402

HOSTS = [f"127.0.0.{i}" for i in range(2, 22)]
PAGES_PER_HOST = 25
LATENCY = 0.05
MIN_HOST_DELAY = 1.0
MAX_PER_HOST = 2
TARGET_RATIO = 1.3
# The client spaces request starts exactly; servers stamp arrivals in their own threads, after
# reading the request, which adds some milliseconds of jitter to the spacing they see.
SPACING_TOLERANCE = 0.05


def fetch_with_client(settings: FetchSettings, urls: list[str]) -> int:
    with HttpClient(settings) as client:
        return sum(result.error_type is None for result in client.get_many(urls))


def fetch_through_beam(settings: FetchSettings, urls: list[str]) -> int:
    import apache_beam as beam
    from apache_beam.metrics.metric import MetricsFilter
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.fetch.fetch_pages import FetchPages

    pipeline = beam.Pipeline(runner="FnApiRunner", options=PipelineOptions([]))
    _ = pipeline | beam.Create([PageRequest(url) for url in urls]) | FetchPages(settings)
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_name("pages_fetched"))["counters"]
    return sum(counter.committed for counter in counters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--through-beam", action="store_true", help="run the FetchPages stage, not the bare client")
    args = parser.parse_args(argv)

    with ExitStack() as stack:
        servers = [stack.enter_context(LocalServer(host)) for host in HOSTS]
        urls = [
            server.route(f"/page{i}", Reply(body=html_page(f"{server.host} page {i}"), delay=LATENCY))
            for server in servers
            for i in range(PAGES_PER_HOST)
        ]
        settings = FetchSettings(
            min_host_delay=MIN_HOST_DELAY,
            max_per_host=MAX_PER_HOST,
            allowed_hosts=frozenset(server.host_port for server in servers),
        )
        fetch = fetch_through_beam if args.through_beam else fetch_with_client
        started = time.monotonic()
        fetched = fetch(settings, urls)
        elapsed = time.monotonic() - started

        requests_per_host = max(len(server.requests) for server in servers)
        closest = min(
            later.at - earlier.at
            for server in servers
            for earlier, later in itertools.pairwise(sorted(server.requests, key=lambda seen: seen.at))
        )

    bound = (requests_per_host - 1) * MIN_HOST_DELAY + LATENCY
    ratio = elapsed / bound
    print(f"mode:                {'FetchPages on FnApiRunner' if args.through_beam else 'HttpClient.get_many'}")
    print(f"pages fetched:       {fetched} / {len(urls)} from {len(HOSTS)} hosts")
    print(f"requests per host:   {requests_per_host} (pages + robots.txt)")
    print(f"total time:          {elapsed:.2f} s")
    print(f"politeness bound:    {bound:.2f} s  -> {ratio:.2f}x (target <= {TARGET_RATIO}x)")
    print(f"closest two requests to one host: {closest:.3f} s as the server stamped their arrival "
          f"(the client spaces starts by {MIN_HOST_DELAY} s; arrival stamps jitter by up to {SPACING_TOLERANCE} s)")
    polite = closest >= MIN_HOST_DELAY - SPACING_TOLERANCE
    on_time = ratio <= TARGET_RATIO and fetched == len(urls)
    return 0 if polite and on_time else 1


if __name__ == "__main__":
    sys.exit(main())

"""Options of ``newsbeam run`` that are ours; everything else on the command line goes to Beam."""

from __future__ import annotations

import argparse
import datetime
import secrets

from pipeline.defaults import DEFAULT_OUTPUT
from transforms.fetch.client import FetchSettings

# Beam's in-process runner, chosen explicitly: DirectRunner would try to download the Prism runner
# first and so behave differently with and without internet access.
DEFAULT_RUNNER = "FnApiRunner"


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--feeds", metavar="FILE", help="feed list: one RSS/Atom URL or path per line")
    source.add_argument("--urls", metavar="FILE", help="article list: one page URL or path per line")
    source.add_argument("--html-dir", metavar="DIR", help="folder of saved *.html / *.html.gz pages to replay")
    source.add_argument("--sample", action="store_true", help="the bundled offline sample corpus (48 articles, two feeds)")
    parser.add_argument(
        "--output", default=DEFAULT_OUTPUT, metavar="DIR",
        help=f"where the tables go: a local folder, gs://... or s3://... (default ./{DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--run-id", help="name of this run in file names, unique in the output (default: UTC time + random suffix)"
    )
    add_lock_timeout_argument(parser)
    parser.add_argument(
        "--retry-permanent-after", type=_non_negative_float, default=7.0, metavar="DAYS",
        help="days before a URL that failed for good (404, robots.txt, not HTML, no text) is fetched again (default 7)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr while the run goes on")
    parser.add_argument(
        "--progress-interval", type=_positive_float, default=5.0, metavar="SECONDS",
        help="seconds between two progress lines on stderr (default 5)",
    )
    defaults = FetchSettings()
    parser.add_argument("--user-agent", default=defaults.user_agent, help="User-Agent sent with every request")
    parser.add_argument(
        "--fetch-workers", type=_positive_int, default=defaults.max_workers,
        help=f"parallel downloads inside each fetching worker (default {defaults.max_workers})",
    )
    parser.add_argument(
        "--timeout", type=_positive_float, default=defaults.read_timeout,
        help=f"seconds to wait for a server to answer (default {defaults.read_timeout:g})",
    )
    parser.add_argument(
        "--max-page-bytes", type=_positive_int, default=defaults.max_bytes,
        help=f"largest page or feed downloaded, in bytes (default {defaults.max_bytes})",
    )
    parser.add_argument(
        "--host-delay", type=_non_negative_float, default=defaults.min_host_delay,
        help=f"seconds between two requests to the same host (default {defaults.min_host_delay:g})",
    )
    parser.add_argument(
        "--max-per-host", type=_positive_int, default=defaults.max_per_host,
        help=f"parallel requests to one host (default {defaults.max_per_host})",
    )
    parser.add_argument(
        "--ignore-robots", action="store_true",
        help="do not read robots.txt (only for sites you own or may crawl regardless)",
    )
    parser.add_argument(
        "--no-conditional-get", action="store_true",
        help="fetch every feed in full, ignoring the ETag/Last-Modified kept from earlier runs",
    )
    parser.add_argument(
        "--allow-host", action="append", default=[], metavar="HOST[:PORT]",
        help="let this host and port be fetched although it is a private or loopback address "
        "(repeatable; without a port: ports 80 and 443)",
    )


def add_lock_timeout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout", type=_non_negative_float, default=0.0, metavar="SECONDS",
        help="wait this long for another run or compaction writing the same output to finish (default 0: exit at once)",
    )


def add_streaming_arguments(parser: argparse.ArgumentParser) -> None:
    streaming = parser.add_argument_group("streaming (poll the feeds; see docs/runners.md)")
    streaming.add_argument(
        "--streaming", action="store_true",
        help="poll the feeds every --poll-interval seconds and write fixed windows of files "
        "(local runner: FnApiRunner unless --runner is given)",
    )
    streaming.add_argument(
        "--poll-interval", type=_positive_float, default=300.0, metavar="SECONDS",
        help="seconds between two reads of every feed (default 300)",
    )
    streaming.add_argument(
        "--window", type=_positive_int, default=600, metavar="SECONDS",
        help="whole seconds of polls whose results are written and committed together (default 600)",
    )
    streaming.add_argument(
        "--stop-after", type=_positive_float, metavar="SECONDS",
        help="stop polling after this many seconds and end the run (default: poll until cancelled)",
    )


def fetch_settings_from(args: argparse.Namespace) -> FetchSettings:
    defaults = FetchSettings()
    return FetchSettings(
        user_agent=args.user_agent,
        connect_timeout=min(defaults.connect_timeout, args.timeout),
        read_timeout=args.timeout,
        total_timeout=max(defaults.total_timeout, args.timeout),
        max_bytes=args.max_page_bytes,
        max_workers=args.fetch_workers,
        min_host_delay=args.host_delay,
        max_per_host=args.max_per_host,
        respect_robots=not args.ignore_robots,
        allowed_hosts=frozenset(pair for label in args.allow_host for pair in host_port_labels(label)),
    )


def host_port_labels(label: str) -> list[str]:
    """``host:port`` (``[v6]:port`` for IPv6) as given, or a bare host on the web's ports 80 and 443."""
    label = label.strip().lower()
    has_port = "]:" in label if label.startswith("[") else ":" in label
    return [label] if has_port else [f"{label}:80", f"{label}:443"]


def new_run_id() -> str:
    """Sortable, unique and safe in any file system (no colons)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value

"""Options of ``newsbeam run`` that are ours; everything else on the command line goes to Beam."""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import math
import re
import secrets
from typing import Optional

from pipeline.defaults import DEFAULT_OUTPUT
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.fetch.client import FetchSettings
from transforms.sources.backfill_filters import DATE_FORMS, date_bound
from transforms.sources.sitemaps import DEFAULT_MAX_SITEMAPS

# Beam's in-process runner, chosen explicitly: DirectRunner would try to download the Prism runner
# first and so behave differently with and without internet access.
DEFAULT_RUNNER = "FnApiRunner"

ALLOW_HOST_FORM = "HOST or HOST:PORT, such as intranet.example, 10.0.0.5:8080 or [::1]:8080"
# one label of a host name (RFC 1123; "_" as intranet names have it)
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_BRACKETED_IPV6 = re.compile(r"\[(?P<address>[^\]]*)\](?::(?P<port>.*))?")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--feeds", metavar="FILE", type=path_text, help="feed list: one RSS/Atom URL or path per line")
    source.add_argument(
        "--sitemaps", metavar="FILE", type=path_text,
        help="sitemap list: one sitemap URL or path, or a site root (its robots.txt names its sitemaps), per line",
    )
    source.add_argument("--urls", metavar="FILE", type=path_text, help="article list: one page URL or path per line")
    source.add_argument("--html-dir", metavar="DIR", type=path_text, help="folder of saved *.html / *.html.gz pages to replay")
    source.add_argument(
        "--warc", action="append", metavar="PATH_OR_GLOB", type=path_text,
        help="WARC web archive(s) (.warc, .warc.gz) to read: a path or glob, gs://, s3:// or http(s):// (repeatable)",
    )
    source.add_argument("--warc-list", metavar="FILE", type=path_text, help="list of WARC files: one path or URL per line")
    source.add_argument("--sample", action="store_true", help="the bundled offline sample corpus (58 articles, two feeds)")
    parser.add_argument(
        "--output", default=DEFAULT_OUTPUT, metavar="DIR", type=path_text,
        help=f"where the tables go: a local folder, gs://... or s3://... (default ./{DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--run-id", help="name of this run in file names, unique in the output (default: UTC time + random suffix)"
    )
    add_lock_timeout_argument(parser)
    parser.add_argument(
        "--retry-permanent-after", type=_non_negative_days, default=7.0, metavar="DAYS",
        help="days before a URL that failed for good (404, robots.txt, not HTML, no text) is fetched again (default 7)",
    )
    add_article_confidence_argument(parser)
    parser.add_argument(
        "--max-sitemaps", type=_positive_int, default=DEFAULT_MAX_SITEMAPS, metavar="N",
        help=f"sitemaps read at most below each entry of --sitemaps, newest first (default {DEFAULT_MAX_SITEMAPS})",
    )
    backfill = parser.add_argument_group("backfill filters (see docs/backfill.md)")
    backfill.add_argument(
        "--domains", metavar="FILE", type=path_text,
        help="keep only pages of these domains (one per line, such as bbc.co.uk; hosts under them included)",
    )
    backfill.add_argument(
        "--since", type=_since, metavar="WHEN",
        help="keep only articles published from WHEN on (a UTC date YYYY-MM-DD or an ISO time; "
        "undated articles: their fetch time, for WARC records the WARC-Date)",
    )
    backfill.add_argument("--until", type=_until, metavar="WHEN", help="keep only articles published up to WHEN (a date: to its end)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr while the run goes on")
    parser.add_argument(
        "--progress-interval", type=_positive_seconds, default=5.0, metavar="SECONDS",
        help="seconds between two progress lines on stderr (default 5)",
    )
    defaults = FetchSettings()
    parser.add_argument("--user-agent", default=defaults.user_agent, help="User-Agent sent with every request")
    parser.add_argument(
        "--fetch-workers", type=_positive_int, default=defaults.max_workers,
        help=f"parallel downloads inside each fetching worker (default {defaults.max_workers})",
    )
    parser.add_argument(
        "--timeout", type=_positive_seconds, default=defaults.read_timeout,
        help=f"seconds to wait for a server to answer (default {defaults.read_timeout:g})",
    )
    parser.add_argument(
        "--max-page-bytes", type=_positive_int, default=defaults.max_bytes,
        help=f"largest page or feed downloaded, in bytes (default {defaults.max_bytes})",
    )
    parser.add_argument(
        "--host-delay", type=_non_negative_seconds, default=defaults.min_host_delay,
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
        "--allow-host", type=allowed_host, action="append", default=[], metavar="HOST[:PORT]",
        help="let this host and port be fetched although it is a private or loopback address "
        "(repeatable; without a port: ports 80 and 443)",
    )


def add_lock_timeout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout", type=_non_negative_seconds, default=0.0, metavar="SECONDS",
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
        "--poll-interval", type=_positive_seconds, metavar="SECONDS",
        help="seconds between two reads of every feed (default 300)",
    )
    streaming.add_argument(
        "--window", type=_positive_int, metavar="SECONDS",
        help="whole seconds of polls whose results are written and committed together (default 600)",
    )
    streaming.add_argument(
        "--stop-after", type=_positive_seconds, metavar="SECONDS",
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


def allowed_host(text: str) -> str:
    """An ``--allow-host`` value as HOST or HOST:PORT in the spelling requests are matched against
    (lower case, IPv6 in brackets and compressed, the port without leading zeros).

    Checked here because a value of another form matches no request: every fetch of that host
    would be refused as ``blocked_address`` without a word about the option.
    """
    try:
        host, port = _host_and_port(text.strip().lower())
    except ValueError as problem:
        raise argparse.ArgumentTypeError(f"expected {ALLOW_HOST_FORM}, not {text!r}: {problem}") from None
    return host if port is None else f"{host}:{port}"


def _host_and_port(label: str) -> tuple[str, Optional[int]]:
    """The host (an IPv6 address in brackets) and the port of ``label``; ValueError says what is wrong."""
    if not label:
        raise ValueError("it is empty")
    if "/" in label:
        raise ValueError("give the host alone, without a scheme (http://) or a path")
    bracketed = _BRACKETED_IPV6.fullmatch(label)
    if bracketed:
        try:
            address = ipaddress.IPv6Address(bracketed["address"])
        except ValueError:
            raise ValueError(f"{bracketed['address']!r} in brackets is not an IPv6 address") from None
        return f"[{address.compressed}]", _port(bracketed["port"])
    if "[" in label or "]" in label or label.count(":") > 1:
        raise ValueError("an IPv6 address goes in brackets, as [::1] or [::1]:8080")
    host, colon, port = label.partition(":")
    _check_host_name(host)
    return host, _port(port if colon else None)


def _port(text: Optional[str]) -> Optional[int]:
    if text is None:
        return None
    if re.fullmatch(r"[0-9]{1,5}", text) and 1 <= int(text) <= 65535:
        return int(text)
    raise ValueError(f"the port must be a number from 1 to 65535, not {text!r}")


def _check_host_name(host: str) -> None:
    """ValueError unless ``host`` is a host name (internationalised ones too) or an IPv4 address."""
    try:
        ascii_name = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{host!r} is not a host name or IP address") from None
    labels = ascii_name.removesuffix(".").split(".")
    if len(ascii_name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{host!r} is not a host name or IP address")
    if labels[-1].isdigit():  # no top-level domain is numeric: this is meant as an IPv4 address
        try:
            ipaddress.IPv4Address(ascii_name)
        except ValueError:
            raise ValueError(f"{host!r} is not an IPv4 address") from None


def host_port_labels(label: str) -> list[str]:
    """``host:port`` (``[v6]:port`` for IPv6) as given, or a bare host on the web's ports 80 and 443."""
    label = label.strip().lower()
    has_port = "]:" in label if label.startswith("[") else ":" in label
    return [label] if has_port else [f"{label}:80", f"{label}:443"]


def new_run_id() -> str:
    """Sortable, unique and safe in any file system (no colons)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _since(text: str) -> datetime.datetime:
    return _date_bound(text, end_of_day=False)


def _until(text: str) -> datetime.datetime:
    return _date_bound(text, end_of_day=True)


def _date_bound(text: str, end_of_day: bool) -> datetime.datetime:
    try:
        return date_bound(text, end_of_day=end_of_day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {DATE_FORMS}, not {text!r}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return value


def _finite_number(text: str, unit: str) -> float:
    """``text`` as a float; nan and inf are refused, as they make every wait and comparison meaningless."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of {unit}, not {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of {unit}, not {text!r}")
    return value


def _non_negative(text: str, unit: str) -> float:
    value = _finite_number(text, unit)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {text!r}")
    return value


def _non_negative_seconds(text: str) -> float:
    return _non_negative(text, "seconds")


def add_article_confidence_argument(parser: argparse.ArgumentParser) -> None:
    """``--min-article-confidence`` (``newsbeam run`` and ``newsbeam code``)."""
    parser.add_argument(
        "--min-article-confidence", type=confidence_floor, default=ARTICLE_CONFIDENCE_FLOOR, metavar="X",
        help="keep only events with at least this confidence from a text of two or more sentences, 0 to 1 "
        f"(default {ARTICLE_CONFIDENCE_FLOOR}; 0 keeps every event; a one-sentence text keeps all)",
    )


def path_text(text: str) -> str:
    """A file or folder argument; an empty one (``--output ''``) names the current folder by
    accident, so it is argparse's one usage line."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return text


def confidence_floor(text: str) -> float:
    """A number from 0 to 1, else argparse's one usage line."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1")
    return value


def _non_negative_days(text: str) -> float:
    return _non_negative(text, "days")


def _positive_seconds(text: str) -> float:
    value = _finite_number(text, "seconds")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value

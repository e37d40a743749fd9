"""Memory and CPU of a long local stream: does ``newsbeam run --streaming`` stay flat?

A local feed (127.0.0.1) gains one article on every request and lists its latest 20, as a news
feed does; ``newsbeam run --streaming`` polls it every ``--poll-interval`` seconds (default 5) for
``--minutes`` (default 10), with windows of ``--window`` seconds (default 60), on the default
in-process runner. The benchmark samples the stream's resident memory (RSS, the process and its
children, from /proc: Linux only) and its CPU time every ``--sample-every`` seconds, and prints:

- a table per minute: RSS at the minute's last sample, its peak, CPU seconds used in that minute;
- the RSS slope over the run after its first two minutes (MB per minute, least squares), and the
  ratio of the last sample's RSS to the first one after those two minutes (the baseline, same run);
- whether every article the feed gained was stored exactly once, and the stream's exit status.

    .venv/bin/python benchmarks/stream_memory.py [--minutes 10] [--poll-interval 5] [--window 60]

Exits non-zero if the stream failed or stored an article twice. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from sample_corpus import PAGES_FOLDER  # noqa: E402
from tests.local_servers import LocalServer, Reply  # noqa: E402

ITEMS_PER_FEED = 20
WARM_UP_SECONDS = 120
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float
    cpu_seconds: float


def article_pages(count: int) -> list[bytes]:
    """``count`` distinct articles: the sample corpus's pages in turn, each with its own canonical
    URL and a sentence of its own in every paragraph, so no two are copies of one another."""
    templates = [path.read_text(encoding="utf-8") for path in sorted(PAGES_FOLDER.glob("*.html"))]
    pages = []
    for number in range(count):
        html = templates[number % len(templates)]
        html = html.replace('rel="canonical" href="', f'rel="canonical" href="https://bench.example/{number}/', 1)
        html = html.replace("</p>", f" This is dispatch number {number} of the benchmark feed.</p>")
        pages.append(html.encode("utf-8"))
    return pages


def rss(paths: list[str]) -> bytes:
    items = "".join(f"<item><title>Story {path}</title><link>{path}</link></item>" for path in paths)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Bench</title>{items}</channel></rss>".encode()


def serve_growing_feed(server: LocalServer, polls: int) -> str:
    """A feed that gains one article per request, for ``polls`` requests; returns its URL."""
    paths = [f"/news/{number}" for number in range(polls)]
    for path, page in zip(paths, article_pages(polls)):
        server.route(path, Reply(body=page))
    replies = [Reply(body=rss(paths[max(0, count - ITEMS_PER_FEED) : count]), content_type="application/rss+xml") for count in range(1, polls + 1)]
    return server.route("/feed.xml", *replies)


def process_tree(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children_file = task / "children"
        if children_file.exists():
            children += [int(child) for child in children_file.read_text().split()]
    return [pid] + [grandchild for child in children for grandchild in process_tree(child)]


def sample(pid: int, started: float) -> Sample:
    rss = cpu = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
        rss += int(fields[21]) * PAGE_SIZE  # rss in pages
    return Sample(time.monotonic() - started, rss / 2**20, cpu)


def slope_mb_per_minute(samples: list[Sample]) -> float:
    n = len(samples)
    mean_t = sum(s.seconds for s in samples) / n
    mean_r = sum(s.rss_mb for s in samples) / n
    variance = sum((s.seconds - mean_t) ** 2 for s in samples)
    covariance = sum((s.seconds - mean_t) * (s.rss_mb - mean_r) for s in samples)
    return 60 * covariance / variance if variance else 0.0


def stored_counts(output: Path) -> tuple[int, int, dict[str, int]]:
    """Article rows, distinct article ids, and error rows by type."""
    tables = {table: str(output / table / "ingest_date=*" / "*.parquet") for table in ("articles", "errors")}
    try:
        rows, ids = duckdb.sql(f"select count(*), count(distinct article_id) from read_parquet('{tables['articles']}')").fetchall()[0]
        errors = dict(duckdb.sql(f"select error_type, count(*) from read_parquet('{tables['errors']}') group by 1").fetchall())
    except duckdb.Error:
        return 0, 0, {}
    return rows, ids, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--sample-every", type=float, default=10.0)
    args = parser.parse_args()
    seconds = args.minutes * 60
    polls = int(seconds / args.poll_interval) + 20

    with tempfile.TemporaryDirectory() as workdir, LocalServer() as server:
        feeds = Path(workdir) / "feeds.txt"
        feeds.write_text(serve_growing_feed(server, polls) + "\n")
        output = Path(workdir) / "out"
        command = [
            str(Path(sys.executable).parent / "newsbeam"), "run", "--streaming", "--feeds", str(feeds), "--output", str(output),
            "--poll-interval", str(args.poll_interval), "--window", str(args.window), "--stop-after", str(seconds),
            "--allow-host", server.host_port, "--host-delay", "0", "--quiet",
        ]
        started = time.monotonic()
        stream = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = []
        while stream.poll() is None:
            samples.append(sample(stream.pid, started))
            time.sleep(args.sample_every)
        stdout, stderr = stream.communicate()
        served = sum(1 for seen in server.requests if seen.path.startswith("/news/"))
        rows, ids, errors = stored_counts(output)

    print(f"stream of {args.minutes:g} min, polls every {args.poll_interval:g} s, windows of {args.window} s: exit {stream.returncode}")
    print(f"{'minute':>6} {'RSS MB':>8} {'max MB':>8} {'CPU s':>7}")
    previous_cpu = 0.0
    for minute in range(int(args.minutes) + 1):
        in_minute = [s for s in samples if minute * 60 <= s.seconds < (minute + 1) * 60]
        if in_minute:
            last = in_minute[-1]
            peak = max(s.rss_mb for s in in_minute)
            print(f"{minute:>6} {last.rss_mb:>8.1f} {peak:>8.1f} {last.cpu_seconds - previous_cpu:>7.1f}")
            previous_cpu = last.cpu_seconds
    steady = [s for s in samples if s.seconds >= WARM_UP_SECONDS and s.rss_mb > 0]
    if len(steady) >= 2:
        print(f"RSS slope after the first {WARM_UP_SECONDS // 60} minutes: {slope_mb_per_minute(steady):+.2f} MB/min; "
              f"last / first sample: {steady[-1].rss_mb / steady[0].rss_mb:.3f} ({steady[0].rss_mb:.1f} -> {steady[-1].rss_mb:.1f} MB)")
    print(f"CPU: {samples[-1].cpu_seconds if samples else 0:.1f} s over {samples[-1].seconds if samples else 0:.0f} s")
    print(f"pages served {served}, articles stored {rows}, distinct {ids}, error rows {errors or 'none'}")
    if stream.returncode != 0 or rows != ids:
        print(stderr[-3000:], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

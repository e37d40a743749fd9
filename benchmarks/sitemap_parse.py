"""Parse a Google News sitemap of the protocol's maximum size (50,000 entries): ``parse_sitemap``
against lxml building the tree of the same bytes, in CPU seconds of this process.

Run from the repository root: ``python -m benchmarks.sitemap_parse [--entries 50000] [--repeat 3]``.
The sitemap is generated here (invented URLs and titles); nothing is read from the network.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import time

import lxml.etree

from transforms.sources.sitemaps import inflate, parse_sitemap

DECOMPRESSED_CAP = 30_000_000


def news_sitemap(entries: int) -> bytes:
    rows = "".join(
        f"<url><loc>https://news.example/2026/11/{i:05d}/a-story-about-talks-between-kenya-and-ethiopia</loc>"
        f"<lastmod>2026-11-18T10:{i % 60:02d}:00+01:00</lastmod><news:news><news:publication><news:name>Times</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>2026-11-18T09:{i % 60:02d}:00+01:00"
        f"</news:publication_date><news:title>Story number {i} on the border talks</news:title></news:news></url>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{rows}</urlset>'
    ).encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    body = news_sitemap(args.entries)
    packed = gzip.compress(body)
    print(f"{args.entries} entries, {len(body) / 1e6:.1f} MB ({len(packed) / 1e6:.2f} MB gzip)")
    for _ in range(args.repeat):
        start = time.process_time()
        lxml.etree.fromstring(body, lxml.etree.XMLParser(resolve_entities=False, no_network=True))
        bare = time.process_time() - start
        start = time.process_time()
        document = parse_sitemap("https://news.example/sitemap.xml", body)
        ours = time.process_time() - start
        start = time.process_time()
        parse_sitemap("https://news.example/sitemap.xml.gz", inflate(packed, DECOMPRESSED_CAP))
        ours_gzip = time.process_time() - start
        assert len(document.entries) == args.entries
        print(
            f"lxml tree {bare:.2f} s, parse_sitemap {ours:.2f} s ({ours / bare:.1f}x; "
            f"{args.entries / ours:,.0f} entries/s), gzip {ours_gzip:.2f} s"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

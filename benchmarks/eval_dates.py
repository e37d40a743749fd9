"""Score publication dates alone on the wcxb dev set: UTC day, publisher's day and CPU time.

Run from the repository root: ``python -m benchmarks.eval_dates [--limit N] [--misses]``.

Each page is parsed with ``trafilatura.load_html`` (as ``Cleaner.clean`` does), then only
``DateFinder.find`` is timed, in CPU seconds of this single process. Scoring is that of
``benchmarks.eval_extraction``. The ground truth is the publisher's local day. We report the day of
``published_at`` (UTC; also zone-tolerant) and of ``published_local_date`` (the page's own zone). ``--misses`` lists each page we date
wrong or not at all, with the truth, our answer and every date the page offers.
"""

from __future__ import annotations

import argparse
import sys
import time

from trafilatura import load_html

from benchmarks.eval_extraction import EXTRACTION, Page, same_day, same_day_in_some_zone, wcxb_pages
from transforms.clean.dates import DateFinder, to_utc, url_date


def describe_candidates(finder: DateFinder, page: Page) -> list[str]:
    """Every date the page offers, one line each: where it comes from, its kind and its value."""
    tree = load_html(page.html)
    lines = [
        f"{date.source} ({date.kind.name.lower()}) {date.moment.isoformat()}" for date in finder.markup_dates(tree)
    ]
    for printed in finder.printed_dates(tree):
        label = printed.kind.name.lower() if printed.kind is not None else "unlabelled"
        lines.append(f"printed ({label}) {printed.moment.date().isoformat()}")
    if from_url := url_date(page.url):
        lines.append(f"url {from_url.date().isoformat()}")
    return list(dict.fromkeys(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--misses", action="store_true", help="list each miss with the page's candidate dates")
    args = parser.parse_args(argv)
    if not EXTRACTION.is_dir():
        print(f"no evaluation data at {EXTRACTION}", file=sys.stderr)
        return 1
    finder = DateFinder()
    pages = list(wcxb_pages())
    if args.limit:
        pages = pages[: args.limit]
    seconds = 0.0
    dated = sum(1 for page in pages if page.truth_date)
    exact = tolerant = local = 0
    misses: list[tuple[Page, str | None]] = []
    for page in pages:
        tree = load_html(page.html)
        start = time.process_time()
        found = finder.find(tree, page.url)
        seconds += time.process_time() - start
        if not page.truth_date:
            continue
        ours = to_utc(found).isoformat() if found else None
        local += same_day(page.truth_date, found.date().isoformat() if found else None)
        exact += same_day(page.truth_date, ours)
        tolerant += same_day_in_some_zone(page.truth_date, ours)
        if not same_day_in_some_zone(page.truth_date, ours):
            misses.append((page, ours))
    if args.misses:
        for page, ours in misses:
            print(f"{page.page_id} {page.url}\n  truth {page.truth_date}  ours {ours}")
            for line in describe_candidates(finder, page):
                print(f"    {line}")
    print(f"wcxb: {len(pages)} pages, {dated} with a date")
    print(f"published_at (UTC) day {exact / dated:.3f}, zone-tolerant {tolerant / dated:.3f}; "
          f"published_local_date {local / dated:.3f}")
    print(f"DateFinder.find: {1000 * seconds / len(pages):.2f} ms/page CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())

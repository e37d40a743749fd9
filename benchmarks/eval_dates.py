"""Score publication dates alone on the wcxb and fundus dev sets: UTC day, publisher's day and CPU time.

Run from the repository root: ``python -m benchmarks.eval_dates [--dataset wcxb|fundus|both] [--limit N] [--misses]``.

Each page is parsed with ``trafilatura.load_html`` (as ``Cleaner.clean`` does), then only
``DateFinder.find`` is timed, in CPU seconds of this single process. Scoring is that of
``benchmarks.eval_extraction``. On wcxb the ground truth is the publisher's local day: we report the
day of ``published_at`` (UTC; also zone-tolerant) and of ``published_local_date`` (the page's own
zone). On fundus-dev the truth has its offset where ``date_tz_known``: a page counts as right on the
UTC day or on the publisher's own day (``day_right``), and both are also shown alone. ``--misses``
lists each page we date wrong or not at all, with the truth, our answer and every date the page
offers.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable, Iterator

from trafilatura import load_html

from benchmarks.eval_extraction import (
    EXTRACTION,
    Page,
    day_right,
    fundus_pages,
    same_day,
    same_day_in_some_zone,
    wcxb_pages,
)
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


def timed_dates(finder: DateFinder, pages: list[Page]) -> tuple[list[tuple[Page, datetime.datetime | None]], float]:
    """What ``DateFinder.find`` gives for each page, and the CPU seconds it took in all."""
    seconds = 0.0
    found = []
    for page in pages:
        tree = load_html(page.html)
        start = time.process_time()
        moment = finder.find(tree, page.url)
        seconds += time.process_time() - start
        found.append((page, moment))
    return found, seconds


def score_wcxb(found: list[tuple[Page, datetime.datetime | None]]) -> tuple[list[str], list[tuple[Page, str]]]:
    """Summary lines and misses against wcxb's publisher's day."""
    dated = sum(1 for page, _ in found if page.truth_date)
    exact = tolerant = local = 0
    misses: list[tuple[Page, str]] = []
    for page, moment in found:
        if not page.truth_date:
            continue
        ours = to_utc(moment).isoformat() if moment else None
        local += same_day(page.truth_date, moment.date().isoformat() if moment else None)
        exact += same_day(page.truth_date, ours)
        tolerant += same_day_in_some_zone(page.truth_date, ours)
        if not same_day_in_some_zone(page.truth_date, ours):
            misses.append((page, str(ours)))
    return [
        f"wcxb: {len(found)} pages, {dated} with a date",
        f"published_at (UTC) day {exact / dated:.3f}, zone-tolerant {tolerant / dated:.3f}; "
        f"published_local_date {local / dated:.3f}",
    ], misses


def score_fundus(found: list[tuple[Page, datetime.datetime | None]]) -> tuple[list[str], list[tuple[Page, str]]]:
    """Summary lines and misses against fundus-dev's timestamps: UTC day or publisher's day."""
    dated = [(page, moment) for page, moment in found if page.truth_date]
    zoned = [(page, moment) for page, moment in dated if page.date_tz_known]
    right = utc = local = 0
    misses: list[tuple[Page, str]] = []
    for page, moment in dated:
        utc_day = to_utc(moment).date() if moment else None
        local_day = moment.date() if moment else None
        expected = datetime.datetime.fromisoformat(page.truth_date)
        if page.date_tz_known and expected.tzinfo is not None:
            utc += utc_day == expected.astimezone(datetime.UTC).date()
            local += local_day == expected.date()
        if day_right(page, utc_day, local_day):
            right += 1
        else:
            misses.append((page, f"{moment.isoformat() if moment else None} (zone known: {page.date_tz_known})"))
    return [
        f"fundus: {len(found)} pages, {len(dated)} with a date, {len(zoned)} of them with a known zone",
        f"day right (UTC or publisher's day) {right / len(dated):.3f}; on the {len(zoned)} with a known zone: "
        f"UTC day {utc / len(zoned):.3f}, publisher's day {local / len(zoned):.3f}",
    ], misses


DATASETS: dict[str, tuple[Callable[[], Iterator[Page]], Callable]] = {
    "wcxb": (wcxb_pages, score_wcxb),
    "fundus": (fundus_pages, score_fundus),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=(*DATASETS, "both"), default="both")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument("--misses", action="store_true", help="list each miss with the page's candidate dates")
    args = parser.parse_args(argv)
    if not EXTRACTION.is_dir():
        print(f"no evaluation data at {EXTRACTION}", file=sys.stderr)
        return 1
    finder = DateFinder()
    for name in DATASETS if args.dataset == "both" else (args.dataset,):
        reader, score = DATASETS[name]
        pages = list(reader())
        if args.limit:
            pages = pages[: args.limit]
        found, seconds = timed_dates(finder, pages)
        summary, misses = score(found)
        if args.misses:
            for page, ours in misses:
                print(f"{page.page_id} {page.url}\n  truth {page.truth_date}  ours {ours}")
                for line in describe_candidates(finder, page):
                    print(f"    {line}")
        print("\n".join(summary))
        print(f"DateFinder.find: {1000 * seconds / len(pages):.2f} ms/page CPU\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

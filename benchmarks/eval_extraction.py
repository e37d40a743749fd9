"""Score article cleaning against trafilatura's defaults on the shared extraction dev sets.

Run from the repository root:
``python -m benchmarks.eval_extraction [--dataset zyte-aeb|wcxb|fundus|all] [--jobs N] [--limit N] [--misses FIELD]``.

- zyte-aeb: the article-extraction-benchmark metric (4-token shingles of ``\\w+`` tokens as
  multisets; per page TP/FP/FN normalised to sum 1; precision and recall averaged over pages,
  F1 their harmonic mean).
- wcxb-dev-articles: bag-of-words F1 on lower-cased ``\\w+`` tokens averaged over pages, and
  publication-date accuracy (same day) over pages whose ground truth has a date. Our dates are UTC
  while the ground truth (and trafilatura's output) is the publisher's local day, so ours are also
  scored zone-tolerant: a timestamp with a time of day counts if it falls on that day in some zone
  between UTC-12 and UTC+14 (date-only values, at midnight UTC, must match exactly). The day of
  ``published_local_date`` (the publication day in the page's own zone) is scored exactly.
- fundus-dev (real news pages, ``expected.json``): all five fields, ours against trafilatura with
  metadata. Body: word-F1 as for wcxb. Title: exact after NFKC and whitespace normalisation
  (soft hyphens and other invisible format characters dropped). Author:
  some expected name found in the author field (also case-insensitive). Day: the UTC day, or the
  publisher's own day where ``date_tz_known``; where the zone is unknown the expected value is a bare
  local time, so its day is the only one there is and either of our days may match it. trafilatura
  gives one day without a zone and is held against both. Language: primary subtag against
  ``language``. A page whose expected field is empty does not count for that field.
  ``--misses FIELD`` lists the pages either system gets wrong on that field.

Each page goes through bare ``trafilatura.extract``, trafilatura with metadata as JSON, and
``Cleaner.clean`` (the pipeline's own cleaning) in the same worker, each timed in CPU seconds, so
the speed figures compare like with like on a busy machine.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import NamedTuple

import trafilatura

from transforms.clean.extract import Cleaner

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXTRACTION = SHARED / "eval" / "extraction"
SYSTEMS = ("trafilatura.extract", "trafilatura json+metadata", "newsbeam Cleaner")
TOKEN = re.compile(r"\w+")
FIELDS = ("text", "title", "author", "date", "language")
# A body below this word-F1 is listed by ``--misses text``.
TEXT_MISS_BELOW = 0.9


class Page(NamedTuple):
    dataset: str
    page_id: str
    url: str | None
    html: str
    truth_text: str
    truth_date: str | None
    truth_title: str | None = None
    truth_authors: tuple[str, ...] = ()
    truth_language: str | None = None
    date_tz_known: bool = False


class Outcome(NamedTuple):
    """One system's output for one page and the seconds it took; ``date`` is ISO, date or timestamp."""

    text: str
    date: str | None
    seconds: float
    local_date: str | None = None
    title: str | None = None
    author: str | None = None
    language: str | None = None


def _read_gzip(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def zyte_pages() -> Iterator[Page]:
    root = EXTRACTION / "zyte-aeb"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, record in sorted(truth.items()):
        html = _read_gzip(root / "html" / f"{page_id}.html.gz")
        yield Page("zyte-aeb", page_id, record.get("url"), html, record.get("articleBody") or "", None)


def wcxb_pages() -> Iterator[Page]:
    root = EXTRACTION / "wcxb-dev-articles"
    for truth_path in sorted((root / "ground-truth").glob("*.json")):
        record = json.loads(truth_path.read_text(encoding="utf-8"))
        truth = record.get("ground_truth", {})
        html = _read_gzip(root / "html" / f"{truth_path.stem}.html.gz")
        yield Page(
            "wcxb",
            truth_path.stem,
            record.get("url"),
            html,
            truth.get("main_content") or "",
            truth.get("publish_date"),
        )


def fundus_pages() -> Iterator[Page]:
    root = EXTRACTION / "fundus-dev"
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    for page_id, record in sorted(expected.items()):
        yield Page(
            "fundus",
            page_id,
            record.get("url"),
            _read_gzip(root / "html" / f"{page_id}.html.gz"),
            record.get("text") or "",
            record.get("publishing_date"),
            record.get("title"),
            tuple(name for name in record.get("authors") or () if name.strip()),
            record.get("language"),
            bool(record.get("date_tz_known")),
        )


def shingle_counts(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)) if tokens[i : i + size])


def shingle_match(truth: str, predicted: str) -> tuple[float, float, float]:
    """TP, FP, FN over shingle multisets, normalised so that they sum to 1 (0s for two empty texts)."""
    true_counts, predicted_counts = shingle_counts(truth), shingle_counts(predicted)
    tp = sum((true_counts & predicted_counts).values())
    fp = sum((predicted_counts - true_counts).values())
    fn = sum((true_counts - predicted_counts).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def benchmark_scores(matches: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision and recall averaged over pages where they are defined, and their harmonic mean."""

    def ratio(hit: float, miss: float, other_miss: float) -> float:
        if miss == other_miss == 0:
            return 1.0
        return hit / (hit + miss) if hit + miss else 0.0

    precision = statistics.mean(ratio(tp, fp, fn) for tp, fp, fn in matches if tp + fp > 0)
    recall = statistics.mean(ratio(tp, fn, fp) for tp, fp, fn in matches if tp + fn > 0)
    return precision, recall, 2 * precision * recall / (precision + recall)


def bag_of_words_f1(truth: str, predicted: str) -> float:
    true_counts = Counter(TOKEN.findall(truth.lower()))
    predicted_counts = Counter(TOKEN.findall(predicted.lower()))
    common = sum((true_counts & predicted_counts).values())
    if not common:
        return 1.0 if not true_counts and not predicted_counts else 0.0
    precision = common / sum(predicted_counts.values())
    recall = common / sum(true_counts.values())
    return 2 * precision * recall / (precision + recall)


_cleaner: Cleaner | None = None


# Run once through every system before timing: first calls load models and word lists
# (trafilatura's justext stoplists, our language model) that would otherwise land on whichever
# system met the first page.
_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "<p>This paragraph only exercises the extractors once before any timing starts.</p>" * 5
    + "</article><div class='related'><a href='/a'>Short teaser</a></div></body></html>"
)


def _start_worker() -> None:
    global _cleaner
    _cleaner = Cleaner()
    run_systems(Page("warm-up", "warm-up", None, _WARM_UP_PAGE, "", None))


def _timed(function, *args) -> tuple[object, float]:
    # CPU time of this worker: other processes competing for the machine do not count against
    # whichever system happened to run while they did
    start = time.process_time()
    result = function(*args)
    return result, time.process_time() - start


def run_systems(page: Page) -> tuple[Page, list[Outcome]]:
    """The three systems on one page, in a fixed order."""
    assert _cleaner is not None
    bare, bare_seconds = _timed(lambda: trafilatura.extract(page.html, url=page.url) or "")
    raw_json, json_seconds = _timed(
        lambda: trafilatura.extract(page.html, url=page.url, with_metadata=True, output_format="json")
    )
    with_metadata = json.loads(raw_json) if raw_json else {}
    cleaned, ours_seconds = _timed(_cleaner.clean, page.html, page.url)
    ours_date = cleaned.published_at.isoformat() if cleaned.published_at else None
    ours_local = cleaned.published_local_date.isoformat() if cleaned.published_local_date else None
    outcomes = [
        Outcome(bare, None, bare_seconds),
        Outcome(
            with_metadata.get("text") or "",
            with_metadata.get("date"),
            json_seconds,
            title=with_metadata.get("title"),
            author=with_metadata.get("author"),
            language=with_metadata.get("language"),
        ),
        Outcome(
            cleaned.text,
            ours_date,
            ours_seconds,
            ours_local,
            title=cleaned.title,
            author=cleaned.author,
            language=cleaned.language,
        ),
    ]
    return page._replace(html=""), outcomes


def normalised(text: str) -> str:
    """NFKC with whitespace runs as one space and invisible format characters (soft hyphens) dropped."""
    visible = "".join(char for char in unicodedata.normalize("NFKC", text) if unicodedata.category(char) != "Cf")
    return " ".join(visible.split())


def title_right(truth: str, predicted: str | None) -> bool:
    return bool(predicted) and normalised(truth) == normalised(predicted)


def author_right(names: tuple[str, ...], predicted: str | None) -> bool:
    found = normalised(predicted or "").casefold()
    return bool(found) and any(normalised(name).casefold() in found for name in names)


def language_right(truth: str, predicted: str | None) -> bool:
    return bool(predicted) and re.split(r"[-_]", predicted.strip().lower())[0] == truth.strip().lower()


def day_right(page: Page, utc_day: datetime.date | None, local_day: datetime.date | None) -> bool:
    """fundus-dev: the UTC day, or the publisher's own day where the page's zone is known."""
    expected = datetime.datetime.fromisoformat(page.truth_date)
    if page.date_tz_known and expected.tzinfo is not None:
        return utc_day == expected.astimezone(datetime.timezone.utc).date() or local_day == expected.date()
    return expected.date() in (utc_day, local_day)


def outcome_days(outcome: Outcome) -> tuple[datetime.date | None, datetime.date | None]:
    """UTC day and publisher's day of an outcome; trafilatura's zone-less day stands for both."""
    if not outcome.date:
        return None, None
    day = datetime.date.fromisoformat(outcome.date[:10])
    return day, datetime.date.fromisoformat(outcome.local_date) if outcome.local_date else day


def field_score(field: str, page: Page, outcome: Outcome) -> float | None:
    """One fundus-dev field of one page, 0 to 1, or ``None`` when the expected value is empty."""
    if field == "text":
        return bag_of_words_f1(page.truth_text, outcome.text) if page.truth_text.strip() else None
    if field == "title":
        return float(title_right(page.truth_title, outcome.title)) if page.truth_title else None
    if field == "author":
        return float(author_right(page.truth_authors, outcome.author)) if page.truth_authors else None
    if field == "date":
        return float(day_right(page, *outcome_days(outcome))) if page.truth_date else None
    return float(language_right(page.truth_language, outcome.language)) if page.truth_language else None


def same_day(truth: str, predicted: str | None) -> bool:
    return bool(predicted) and predicted[:10] == truth[:10]


def same_day_in_some_zone(truth: str, predicted: str | None) -> bool:
    """A UTC timestamp against a local day: on that day somewhere between UTC-12 and UTC+14."""
    if not predicted:
        return False
    moment = datetime.datetime.fromisoformat(predicted)
    if moment.time() == datetime.time(0):
        return same_day(truth, predicted)  # a date without time of day
    try:
        day_start = datetime.datetime.fromisoformat(truth[:10]).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return False
    return day_start - datetime.timedelta(hours=14) <= moment < day_start + datetime.timedelta(hours=36)


def report(dataset: str, results: list[tuple[Page, list[Outcome]]], worst: int) -> None:
    pages = [page for page, _ in results]
    print(f"\n== {dataset}: {len(pages)} pages")
    seconds_by_system = [sum(outcomes[index].seconds for _, outcomes in results) for index in range(len(SYSTEMS))]
    for index, system in enumerate(SYSTEMS):
        outcomes = [outcome[index] for _, outcome in results]
        speed = f"{len(outcomes) / seconds_by_system[index]:7.1f} pages/s"
        if dataset == "zyte-aeb":
            matches = [shingle_match(p.truth_text, o.text) for p, o in zip(pages, outcomes, strict=True)]
            precision, recall, f1 = benchmark_scores(matches)
            print(f"{system:<28} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}   {speed}")
        else:
            f1 = statistics.mean(bag_of_words_f1(p.truth_text, o.text) for p, o in zip(pages, outcomes, strict=True))
            dated = [(p, o) for p, o in zip(pages, outcomes, strict=True) if p.truth_date]
            date_line = ""
            if index > 0:
                accuracy = sum(same_day(p.truth_date, o.date) for p, o in dated) / len(dated)
                date_line = f"  date accuracy {accuracy:.3f} ({len(dated)} dated)"
            if index == 2:
                tolerant = sum(same_day_in_some_zone(p.truth_date, o.date) for p, o in dated) / len(dated)
                local = sum(same_day(p.truth_date, o.local_date) for p, o in dated) / len(dated)
                date_line += f", zone-tolerant {tolerant:.3f}, published_local_date {local:.3f}"
            print(f"{system:<28} word-F1 {f1:.3f}{date_line}   {speed}")
    relative = seconds_by_system[0] / seconds_by_system[2]
    print(f"speed of newsbeam Cleaner relative to bare trafilatura.extract: {relative:.2f}")
    if worst:
        ours = [(bag_of_words_f1(p.truth_text, o[2].text), p.page_id) for p, o in results]
        print("worst pages (ours):", ", ".join(f"{pid} {score:.2f}" for score, pid in sorted(ours)[:worst]))


# fundus-dev rows: (label, index into SYSTEMS)
FUNDUS_ROWS = (("newsbeam", 2), ("trafilatura", 1))


def report_fundus(results: list[tuple[Page, list[Outcome]]], misses: str | None) -> None:
    print(f"\n== fundus: {len(results)} pages")
    counted = {
        field: sum(field_score(field, page, page_outcomes[2]) is not None for page, page_outcomes in results)
        for field in FIELDS
    }
    print(f"{'':<12}" + "".join(f"{field:>10}" for field in FIELDS) + f"{'CPU s/page':>12}")
    print(f"{'n':<12}" + "".join(f"{counted[field]:>10}" for field in FIELDS))
    for label, index in FUNDUS_ROWS:
        cells = []
        for field in FIELDS:
            scores = [field_score(field, page, page_outcomes[index]) for page, page_outcomes in results]
            scores = [score for score in scores if score is not None]
            gives_none = field == "language" and not any(o[index].language for _, o in results)
            cells.append("-" if gives_none or not scores else f"{statistics.mean(scores):.3f}")
        seconds = sum(page_outcomes[index].seconds for _, page_outcomes in results) / len(results)
        print(f"{label:<12}" + "".join(f"{cell:>10}" for cell in cells) + f"{seconds:>12.3f}")
    if misses:
        print_misses(misses, results)


def shown(field: str, page: Page, outcome: Outcome | None) -> str:
    """What a miss listing shows of one field: the value, or the score for the body."""
    if field == "text":
        if outcome is None:
            return f"{len(TOKEN.findall(page.truth_text))} words"
        return f"F1 {bag_of_words_f1(page.truth_text, outcome.text):.2f} ({len(TOKEN.findall(outcome.text))} words)"
    if outcome is None:
        if field == "date":
            return f"{page.truth_date}{'' if page.date_tz_known else ' (zone unknown)'}"
        truth = {"title": page.truth_title, "author": " | ".join(page.truth_authors), "language": page.truth_language}
        return repr(truth[field])
    if field == "date":
        return f"{outcome.date} (local {outcome.local_date})" if outcome.local_date else repr(outcome.date)
    return repr(getattr(outcome, field))


def print_misses(field: str, results: list[tuple[Page, list[Outcome]]]) -> None:
    """Pages where newsbeam or trafilatura misses ``field``: ours first, then trafilatura's alone."""

    def missed(score: float | None) -> bool:
        return score is not None and score < (TEXT_MISS_BELOW if field == "text" else 1.0)

    rows = []
    for page, page_outcomes in results:
        ours, theirs = (missed(field_score(field, page, page_outcomes[index])) for _, index in FUNDUS_ROWS)
        if ours or theirs:
            rows.append((not ours, page, page_outcomes))
    ours_count = sum(not theirs_only for theirs_only, _, _ in rows)
    print(f"\n{field} misses: newsbeam {ours_count}, trafilatura only {len(rows) - ours_count}")
    for theirs_only, page, page_outcomes in sorted(rows, key=lambda row: (row[0], row[1].page_id)):
        print(f"{page.page_id}{'  (trafilatura only)' if theirs_only else ''}  {page.url}")
        print(f"  expected     {shown(field, page, None)}")
        for label, index in FUNDUS_ROWS:
            print(f"  {label:<12} {shown(field, page, page_outcomes[index])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument(
        "--dataset",
        choices=("zyte-aeb", "wcxb", "fundus", "both", "all"),
        default="both",
        help="both: zyte-aeb and wcxb; all: the three sets",
    )
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of ours (zyte-aeb, wcxb)")
    parser.add_argument("--misses", choices=FIELDS, help="list the fundus pages newsbeam or trafilatura gets wrong")
    args = parser.parse_args(argv)
    if not EXTRACTION.is_dir():
        print(f"no evaluation data at {EXTRACTION}", file=sys.stderr)
        return 1
    readers = {"zyte-aeb": zyte_pages, "wcxb": wcxb_pages, "fundus": fundus_pages}
    groups = {"both": ("zyte-aeb", "wcxb"), "all": tuple(readers)}
    chosen = {name: readers[name] for name in groups.get(args.dataset, (args.dataset,))}
    started = datetime.datetime.now()
    with Pool(args.jobs, initializer=_start_worker) as pool:
        for dataset, reader in chosen.items():
            pages = list(reader())
            if args.limit:
                pages = pages[: args.limit]
            results = pool.map(run_systems, pages, chunksize=4)
            if dataset == "fundus":
                report_fundus(results, args.misses)
            else:
                report(dataset, results, args.worst)
    print(f"\n(elapsed {(datetime.datetime.now() - started).total_seconds():.0f}s with {args.jobs} workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

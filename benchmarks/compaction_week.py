"""A week of 15-minute scheduled runs, before and after compaction: files, bytes and query times.

Every scheduled run writes one small file per table into the ``ingest_date`` partition of its UTC
day, so an output nobody compacts gains 3 x 96 files a day, and every query (and every
``pipeline.sql.connect``, which checks each file's footer) reads them all. This builds a simulated
week of such runs in a temporary output with newsbeam's own writer (``write_parquet_file``): run i
starts at 00:00 UTC + i x 15 minutes and writes, by default, 30 articles of about 600 words of
pseudo-text (Zipf-distributed pseudo-words of a seeded vocabulary, so it compresses like text),
about 10 events per article dated over the 30 days before the run (a backfill of older articles,
so every file spans a month of ``event_date``), and 5 errors. Then it measures

- files, MB and row groups per table,
- the median over ``--repeat`` fresh connections (``pipeline.sql.connect``) of opening the
  connection and of each query of a fixed set (events per root code; events of one ``event_date``
  week, where the sort inside each file lets row groups be skipped; articles per domain on one
  ingest day; events per domain through a join with articles; articles mentioning a word; errors
  per type),

before and after ``compact_table`` on every table (its time too, on a copy of the week), and
checks that every query gives the same answer after. With ``--row-group-rows N`` (default 5000),
another copy is compacted with row groups of at most N rows instead of the writer's
``ROW_GROUP_ROWS``, to compare the sizings. The outputs take turns in every round of connections,
so that the host's drifting load moves them alike; the load average is printed with the figures.
Everything lives in a temporary folder, deleted at the end unless ``--keep``.

    python -m benchmarks.compaction_week [--runs 672] [--articles-per-run 30] [--repeat 5] [--seed 1]
        [--row-group-rows 5000] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import glob
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import pyarrow.parquet as pq

from pipeline.sql import connect
from schemas import ARTICLES, ERRORS, EVENTS, TABLES
from schemas.errors import make_error
from transforms.coding import CODER_VERSION
from transforms.coding.cameo import cameo_table
from transforms.sinks import parquet
from transforms.sinks.compact import compact_table
from transforms.sinks.layout import final_file_path, table_pattern

START = datetime.datetime(2026, 11, 2, tzinfo=datetime.timezone.utc)
RUN_INTERVAL = datetime.timedelta(minutes=15)
EVENTS_PER_ARTICLE = 10
ERRORS_PER_RUN = 5
# How far back articles of a backfill-like feed reach: each run's events span about a month.
PUBLISHED_WITHIN_DAYS = 30
VOCABULARY_SIZE = 6_000
SYLLABLES = (
    "ba be bi bo bu da de di do ka ke ki ko la le li lo lu ma me mi mo na ne ni no ra re ri ro sa se si so "
    "ta te ti to va ve vi an en in on ar er or al el il st tr pr gr ch sh th"
).split()
# Actors and places of the simulated events: (code, name, country, type) and (name, country, lat, lon).
ACTORS = (
    ("USA", "United States", "USA", None), ("USAGOV", "US government", "USA", "GOV"),
    ("RUS", "Russia", "RUS", None), ("RUSMIL", "Russian army", "RUS", "MIL"),
    ("UKR", "Ukraine", "UKR", None), ("UKRMIL", "Ukrainian forces", "UKR", "MIL"),
    ("CHN", "China", "CHN", None), ("CHNGOV", "Chinese government", "CHN", "GOV"),
    ("GBR", "United Kingdom", "GBR", None), ("FRA", "France", "FRA", None), ("DEU", "Germany", "DEU", None),
    ("ISR", "Israel", "ISR", None), ("IRN", "Iran", "IRN", None), ("IGOUNO", "United Nations", None, "IGO"),
    ("IGOEU", "European Union", None, "IGO"), ("---REB", "rebels", None, "REB"), ("---GOV", "government", None, "GOV"),
    ("---COP", "police", None, "COP"), ("---OPP", "opposition", None, "OPP"),
)
PLACES = (
    ("Kyiv", "UKR", 50.45, 30.52), ("Moscow", "RUS", 55.76, 37.62), ("Washington", "USA", 38.9, -77.04),
    ("Beijing", "CHN", 39.9, 116.4), ("London", "GBR", 51.51, -0.13), ("Paris", "FRA", 48.86, 2.35),
    ("Gaza", "PSE", 31.5, 34.47), ("Tehran", "IRN", 35.69, 51.39), ("Khartoum", "SDN", 15.5, 32.56),
    ("Brussels", "BEL", 50.85, 4.35), ("Geneva", "CHE", 46.2, 6.14),
)
# Share of events per CAMEO QuadClass, roughly GDELT's: verbal cooperation dominates.
QUAD_CLASS_SHARE = {1: 0.55, 2: 0.12, 3: 0.18, 4: 0.15}
ERROR_KINDS = (
    ("fetch", "timeout", None, "read timed out after 20 s"),
    ("fetch", "http_status", 404, "404 Not Found"),
    ("fetch", "http_status", 503, "503 Service Unavailable"),
    ("fetch", "connection_error", None, "Name or service not known"),
    ("clean", "empty_content", None, "no article text found on the page"),
    ("feed", "not_a_feed", None, "neither RSS, Atom nor JSON Feed"),
    ("replay", "duplicate", None, "same text as an article already stored"),
)


class WeekWriter:
    """Rows of simulated scheduled runs, all drawn from one seeded generator (same seed, same week)."""

    def __init__(self, seed: int, articles_per_run: int):
        self._random = random.Random(seed)
        self._articles_per_run = articles_per_run
        self.vocabulary = self._pseudo_words(VOCABULARY_SIZE)
        # Zipf's law over ranks, as in real text: a few words are very common, most are rare.
        self._cumulative_weights = _cumulative([1 / (rank + 2.7) for rank in range(VOCABULARY_SIZE)])
        self.domains = [f"{word}{suffix}" for word, suffix in zip(self.vocabulary[200:260], _cycle_suffixes())]
        self._domain_weights = _cumulative([1 / (rank + 1) for rank in range(len(self.domains))])
        self._sections = self.vocabulary[300:320]
        self._authors = [f"{a.title()} {b.title()}" for a, b in zip(self.vocabulary[400:600], self.vocabulary[600:800])]
        codes = list(cameo_table().values())
        per_class = {quad: sum(1 for code in codes if code.quad_class == quad) for quad in QUAD_CLASS_SHARE}
        self._codes = codes
        self._code_weights = _cumulative([QUAD_CLASS_SHARE[code.quad_class] / per_class[code.quad_class] for code in codes])
        self.counts = {name: 0 for name in TABLES}

    def write_run(self, output_dir: str, index: int) -> None:
        """Run ``index``: one file per table in the partition of the run's UTC day."""
        moment = START + index * RUN_INTERVAL
        day = moment.date().isoformat()
        run_id = f"{moment:%Y%m%dT%H%M%SZ}-{index:06x}"
        articles = [self._article(moment, number) for number in range(self._articles_per_run)]
        events = [event for article, sentences in articles for event in self._events(article, sentences, moment)]
        errors = [self._error(moment, run_id, number) for number in range(ERRORS_PER_RUN)]
        for spec, rows in ((ARTICLES, [article for article, _ in articles]), (EVENTS, events), (ERRORS, errors)):
            parquet.write_parquet_file(final_file_path(output_dir, spec.name, day, run_id, 0), spec, rows)
            self.counts[spec.name] += len(rows)

    def _article(self, moment: datetime.datetime, number: int) -> tuple[dict[str, Any], list[str]]:
        rng = self._random
        domain = rng.choices(self.domains, cum_weights=self._domain_weights)[0]
        published = moment - datetime.timedelta(seconds=rng.randrange(PUBLISHED_WITHIN_DAYS * 86_400))
        slug = "-".join(self._words(rng.randint(4, 9)))
        url = f"https://www.{domain}/{rng.choice(self._sections)}/{published:%Y/%m/%d}/{slug}"
        sentences = self._sentences(max(80, int(rng.gauss(600, 250))))
        text = "\n\n".join(" ".join(sentences[start : start + 5]) for start in range(0, len(sentences), 5))
        fetched = moment + datetime.timedelta(seconds=20 + number * 3)
        row = {
            "article_id": _hash(url),
            "url": f"{url}?utm_source=rss",
            "canonical_url": url,
            "feed_url": f"https://www.{domain}/rss.xml",
            "source_domain": domain,
            "title": " ".join(self._words(rng.randint(6, 14))).capitalize(),
            "author": rng.choice(self._authors) if rng.random() < 0.8 else None,
            "published_at": published,
            "language": "en",
            "text": text,
            "text_hash": _hash(text.lower()),
            "word_count": len(text.split()),
            "fetched_at": fetched,
            "published_local_date": published.date(),
            "ingest_date": fetched.date().isoformat(),
        }
        return row, sentences

    def _events(self, article: dict[str, Any], sentences: list[str], moment: datetime.datetime) -> list[dict[str, Any]]:
        rng = self._random
        count = rng.randint(0, 2 * EVENTS_PER_ARTICLE)
        chosen_codes = rng.choices(self._codes, cum_weights=self._code_weights, k=count)
        events = []
        for ordinal, code in enumerate(chosen_codes):
            sentence_index = rng.randrange(len(sentences))
            actor1, actor2 = rng.sample(ACTORS, 2)
            place = rng.choice(PLACES) if rng.random() < 0.6 else (None, None, None, None)
            # "Yesterday" and "last week" in a text date events a little before publication.
            event_date = article["published_local_date"] - datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)))
            events.append({
                "event_id": _hash(f"{article['article_id']}\x1f{sentence_index}\x1f{code.code}\x1f{ordinal}"),
                "article_id": article["article_id"],
                "url": article["url"],
                "event_date": event_date,
                "sentence_index": sentence_index,
                "sentence": sentences[sentence_index],
                **_actor("actor1", actor1),
                **_actor("actor2", actor2 if rng.random() < 0.8 else (None, None, None, None)),
                "event_code": code.code,
                "event_base_code": code.base,
                "event_root_code": code.root,
                "quad_class": code.quad_class,
                "goldstein": code.goldstein,
                "plover_type": code.plover_type,
                "is_root_event": rng.random() < 0.4,
                "action_geo_name": place[0],
                "action_geo_country_code": place[1],
                "action_geo_lat": place[2],
                "action_geo_lon": place[3],
                "confidence": round(rng.uniform(0.3, 0.95), 2),
                "coder_version": CODER_VERSION,
                "added_at": moment + datetime.timedelta(seconds=90),
                "ingest_date": article["ingest_date"],
            })
        return events

    def _error(self, moment: datetime.datetime, run_id: str, number: int) -> dict[str, Any]:
        rng = self._random
        stage, error_type, status, message = rng.choice(ERROR_KINDS)
        domain = rng.choices(self.domains, cum_weights=self._domain_weights)[0]
        url = f"https://www.{domain}/{rng.choice(self._sections)}/{'-'.join(self._words(5))}"
        when = moment + datetime.timedelta(seconds=30 + number * 7)
        record = make_error(stage, url, error_type, message, http_status=status, now=when,
                            feed_url=f"https://www.{domain}/rss.xml")
        return record._replace(run_id=run_id)._asdict()

    def _sentences(self, words: int) -> list[str]:
        sentences = []
        while words > 0:
            length = min(words, self._random.randint(8, 30))
            sentences.append(" ".join(self._words(length)).capitalize() + ".")
            words -= length
        return sentences

    def _words(self, count: int) -> list[str]:
        return self._random.choices(self.vocabulary, cum_weights=self._cumulative_weights, k=count)

    def _pseudo_words(self, count: int) -> list[str]:
        words: dict[str, None] = {}
        while len(words) < count:
            words["".join(self._random.choices(SYLLABLES, k=self._random.choice((1, 2, 2, 3, 3, 4))))] = None
        return list(words)


def _actor(prefix: str, actor: tuple) -> dict[str, Any]:
    code, name, country, kind = actor
    return {f"{prefix}_code": code, f"{prefix}_name": name, f"{prefix}_country_code": country, f"{prefix}_type": kind}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _cumulative(weights: list[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _cycle_suffixes() -> Iterator[str]:
    while True:
        yield from (".com", ".co.uk", ".org", ".net", ".de", ".fr", "news.com")


@dataclass(frozen=True)
class TableFiles:
    files: int
    bytes: int
    row_groups: int


def table_files(output_dir: str) -> dict[str, TableFiles]:
    """Files, bytes and row groups of each table's Parquet files (a local output)."""
    found = {}
    for name in TABLES:
        paths = sorted(Path(path) for path in glob.glob(table_pattern(output_dir, name)))
        groups = sum(pq.ParquetFile(path).metadata.num_row_groups for path in paths)
        found[name] = TableFiles(len(paths), sum(path.stat().st_size for path in paths), groups)
    return found


def typical_queries(word: str) -> dict[str, str]:
    """What a dashboard or an analyst asks of a week of output; every answer is exact (no float
    sums whose last digits depend on the order rows are read in), so before and after can be compared."""
    week_start = (START - datetime.timedelta(days=14)).date().isoformat()
    ingest_day = (START + datetime.timedelta(days=3)).date().isoformat()
    return {
        "events per root code": "select event_root_code, count(*) from events group by 1 order by 1",
        "events of one event_date week": (
            f"select event_root_code, count(*), count(distinct article_id), min(sentence) from events "
            f"where event_date >= date '{week_start}' and event_date < date '{week_start}' + 7 group by 1 order by 1"
        ),
        "articles per domain, one ingest day": (
            f"select source_domain, count(*), sum(word_count) from articles "
            f"where ingest_date = date '{ingest_day}' group by 1 order by 1"
        ),
        "events per domain (join)": (
            "select a.source_domain, count(*) from events e join articles a on a.article_id = e.article_id "
            "group by 1 order by 1"
        ),
        "articles mentioning a word": f"select count(*) from articles where contains(text, ' {word} ')",
        "errors per type": "select error_type, count(*) from errors group by 1 order by 1",
    }


def timed_pass(output_dir: str, queries: dict[str, str]) -> tuple[dict[str, float], dict[str, list]]:
    """Seconds of ``connect`` and of each query (once, in a fixed order) on one fresh connection,
    and each query's answer."""
    started = time.perf_counter()
    connection = connect(output_dir)
    seconds = {"connect": time.perf_counter() - started}
    answers = {}
    for name, query in queries.items():
        started = time.perf_counter()
        answers[name] = connection.execute(query).fetchall()
        seconds[name] = time.perf_counter() - started
    connection.close()
    return seconds, answers


def median_times(outputs: dict[str, str], queries: dict[str, str], repeat: int) -> dict[str, dict[str, float]]:
    """Median seconds per output and step over ``repeat`` rounds in which the outputs take turns,
    so that the host's drifting load moves them alike. Every answer must equal the first output's."""
    _, reference = timed_pass(next(iter(outputs.values())), queries)  # untimed: DuckDB's first queries warm up
    rounds: dict[str, list[dict[str, float]]] = {label: [] for label in outputs}
    for _ in range(repeat):
        for label, output_dir in outputs.items():
            seconds, answers = timed_pass(output_dir, queries)
            differing = [name for name in queries if answers[name] != reference[name]]
            if differing:
                raise SystemExit(f"{label}: other answers than before compaction to {', '.join(differing)}")
            rounds[label].append(seconds)
    return {
        label: {step: statistics.median(seconds[step] for seconds in passes) for step in passes[0]}
        for label, passes in rounds.items()
    }


@contextlib.contextmanager
def row_group_rows(limit: Optional[int]) -> Iterator[None]:
    """Write row groups of at most ``limit`` rows meanwhile (None: the writer's own sizing). The
    writer reads ``ROW_GROUP_ROWS`` at every call; a writer option only this comparison would use
    is not worth having."""
    saved = parquet.ROW_GROUP_ROWS
    if limit is not None:
        parquet.ROW_GROUP_ROWS = limit
    try:
        yield
    finally:
        parquet.ROW_GROUP_ROWS = saved


@dataclass
class State:
    label: str
    files: dict[str, TableFiles]
    seconds: dict[str, float]
    compaction_seconds: Optional[float] = None


def compacted(source: str, target: str, limit: Optional[int]) -> float:
    """Copy the week to ``target`` and compact every table there; returns the compaction's seconds."""
    shutil.copytree(source, target)
    with row_group_rows(limit):
        started = time.perf_counter()
        for spec in TABLES.values():
            compact_table(target, spec)
        return time.perf_counter() - started


def print_report(states: list[State]) -> None:
    before, afters = states[0], states[1:]
    header = f"{'':<38}{before.label:>12}" + "".join(f"{state.label:>16}{'ratio':>7}" for state in afters)
    print(header)
    print("-" * len(header))

    def line(name: str, values: list[float], fmt: str) -> None:
        cells = f"{name:<38}{format(values[0], fmt):>12}"
        for value in values[1:]:
            ratio = f"{values[0] / value:.1f}x" if value else "-"
            cells += f"{format(value, fmt):>16}{ratio:>7}"
        print(cells)

    for name in TABLES:
        line(f"files {name}", [state.files[name].files for state in states], ",d")
    for name in TABLES:
        line(f"row groups {name}", [state.files[name].row_groups for state in states], ",d")
    for name in TABLES:
        line(f"MB {name}", [state.files[name].bytes / 1e6 for state in states], ".2f")
    for name in before.seconds:
        label = "ms connect (views, footer checks)" if name == "connect" else f"ms {name}"
        line(label, [state.seconds[name] * 1000 for state in states], ".1f")
    line("ms all queries", [sum(v for k, v in state.seconds.items() if k != "connect") * 1000 for state in states], ".1f")
    for state in afters:
        print(f"compaction ({state.label}): {state.compaction_seconds:.1f} s for all three tables")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7 * 96, help="15-minute runs to simulate (default a week: 672)")
    parser.add_argument("--articles-per-run", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of fresh connections per output; medians are shown")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--row-group-rows", type=int, nargs="*", default=[5000], metavar="N",
                        help="also compact a copy of the week in row groups of at most N rows (default 5000; "
                             "none: only the writer's sizing)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs and print where they are")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="newsbeam-compaction-week-")
    try:
        before_dir = str(Path(scratch, "before"))
        writer = WeekWriter(args.seed, args.articles_per_run)
        started = time.perf_counter()
        for index in range(args.runs):
            writer.write_run(before_dir, index)
        built = time.perf_counter() - started
        rows = ", ".join(f"{count:,} {name}" for name, count in writer.counts.items())
        print(f"{args.runs} runs of 15 minutes from {START:%Y-%m-%d %H:%M} UTC: {rows}; written in {built:.0f} s")

        outputs = {"before": before_dir}
        compaction_seconds = {}
        for limit in [None, *args.row_group_rows]:
            label = "after" if limit is None else f"after, {limit} rg"
            outputs[label] = str(Path(scratch, "after" if limit is None else f"after-{limit}"))
            compaction_seconds[label] = compacted(before_dir, outputs[label], limit)
        load_before = os.getloadavg()[0]
        seconds = median_times(outputs, typical_queries(writer.vocabulary[1500]), args.repeat)
        states = [
            State(label, table_files(folder), seconds[label], compaction_seconds.get(label))
            for label, folder in outputs.items()
        ]
        print(f"medians of {args.repeat} fresh connections per output, taking turns; ratio = before / after; "
              "same answers after compaction")
        print_report(states)
        # Other work on the host takes cores from DuckDB: the times mean little on a busy one.
        print(f"load average (1 min) before and after the queries: {load_before:.1f}, {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
    finally:
        if args.keep:
            print(f"outputs kept in {scratch}")
        else:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main()

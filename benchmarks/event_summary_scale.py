"""Is the ``event_summary`` view fast enough at scale, or does ``newsbeam compact`` need to
materialise it? Query times against a plain scan of the same events, in the same run.

Builds a temporary output with newsbeam's own writer (``write_sorted_table``): ``--days`` daily
partitions of compacted files holding ``--events`` events in all, from articles of ``--events / 8``
(8 mentions an article), spread over 400 source domains. Events pick their key from a pool a third
the size of the events with a Zipf-like weight (a few events reported hundreds of times, most once),
as news is. Then, over ``--repeat`` fresh connections (``pipeline.sql.connect``, the one
``newsbeam sql`` opens), it times the median of

- ``baseline``: ``select event_key, count(*), count(distinct article_id) from events group by 1``,
  the grouping any summary needs, without the join to articles and the representative mention;
- ``summary``: ``select count(*) from event_summary`` (every row of the view computed);
- ``top10``: the README's worked example, the ten most widely reported conflict events of a week;

and prints each with its ratio to the baseline and the load average. Everything lives in a temporary
folder, deleted at the end unless ``--keep``.

    python -m benchmarks.event_summary_scale [--events 1000000] [--days 7] [--repeat 3] [--seed 1] [--keep]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time

import pyarrow as pa

from pipeline.sql import connect
from schemas import ARTICLES, EVENTS
from transforms.sinks.layout import final_file_path
from transforms.sinks.parquet import write_sorted_table

START = datetime.datetime(2026, 11, 2, tzinfo=datetime.timezone.utc)
MENTIONS_PER_ARTICLE = 8
DOMAINS = 400
BASE_CODES = ("010", "036", "042", "057", "112", "145", "173", "190", "193", "195")
QUERIES = {
    "baseline": "select event_key, count(*) as n, count(distinct article_id) as a from events group by event_key",
    "summary": "select count(*) from event_summary",
    "top10": """select event_date, actor1_code, actor2_code, event_code, action_geo_name, num_sources, num_articles
                from event_summary
                where quad_class in (3, 4) and event_date between date '2026-11-02' and date '2026-11-08'
                order by num_sources desc, num_articles desc, event_key limit 10""",
}


def build(output: str, events: int, days: int, seed: int) -> None:
    """Write the articles and events tables, one compacted file per table and day."""
    rng = random.Random(seed)
    articles = max(events // MENTIONS_PER_ARTICLE, 1)
    pool = max(events // 3, 1)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(pool)]
    keys = rng.choices(range(pool), weights=weights, k=events)
    for day in range(days):
        moment = START + datetime.timedelta(days=day)
        first, last = articles * day // days, articles * (day + 1) // days
        article_ids = [f"a{number:09d}" for number in range(first, last)]
        write_sorted_table(
            final_file_path(output, "articles", moment.date().isoformat(), "bench", 0),
            ARTICLES,
            pa.Table.from_pylist(
                [_article(article_id, number, moment) for number, article_id in zip(range(first, last), article_ids)],
                schema=ARTICLES.file_schema,
            ),
        )
        rows = []
        for mention in range(first * MENTIONS_PER_ARTICLE, min(last * MENTIONS_PER_ARTICLE, events)):
            rows.append(_event(mention, keys[mention], f"a{mention // MENTIONS_PER_ARTICLE:09d}", moment))
        write_sorted_table(
            final_file_path(output, "events", moment.date().isoformat(), "bench", 0),
            EVENTS,
            pa.Table.from_pylist(rows, schema=EVENTS.file_schema),
        )


def _article(article_id: str, number: int, moment: datetime.datetime) -> dict:
    domain = f"outlet{number % DOMAINS}.example"
    return {
        "article_id": article_id, "url": f"https://{domain}/{number}", "canonical_url": f"https://{domain}/{number}",
        "source_domain": domain, "published_at": moment, "text": "text", "text_hash": article_id, "word_count": 1,
        "fetched_at": moment, "tone": (number % 21) - 10.0,
    }  # fmt: skip


def _event(mention: int, key: int, article_id: str, moment: datetime.datetime) -> dict:
    base = BASE_CODES[key % len(BASE_CODES)]
    return {
        "event_id": hashlib.sha256(str(mention).encode()).hexdigest()[:32], "article_id": article_id,
        "url": f"https://x.example/{article_id}", "event_date": (START + datetime.timedelta(days=key % 7)).date(),
        "sentence_index": mention % 20, "sentence": f"Sentence {mention}.", "actor1_code": f"C{key % 97:02d}",
        "actor2_code": f"C{key % 89:02d}", "event_code": base, "event_base_code": base, "event_root_code": base[:2],
        "quad_class": 4 if base >= "180" else 3 if base >= "110" else 1, "goldstein": 0.0,
        "is_root_event": mention % 20 == 0, "action_geo_name": "Place", "action_geo_country_code": "KEN",
        "confidence": 0.5, "coder_version": "bench", "added_at": moment, "event_key": f"{key:032x}", "tone": 0.0,
    }  # fmt: skip


def measure(output: str, repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in QUERIES}
    for _ in range(repeat):
        for name, sql in QUERIES.items():
            connection = connect(output)
            started = time.perf_counter()
            connection.sql(sql).fetchall()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="newsbeam-summary-")
    try:
        started = time.perf_counter()
        build(folder, args.events, args.days, args.seed)
        print(f"built {args.events} events in {time.perf_counter() - started:.1f} s under {folder}")
        medians = measure(folder, args.repeat)
        for name, seconds in medians.items():
            print(f"  {name:<9}{seconds:8.3f} s  {seconds / medians['baseline']:5.2f}x baseline")
        print(f"  load average {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()

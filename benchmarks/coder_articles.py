"""CPU cost of the event coder on real article texts, as the pipeline calls it (once per article).

``python -m benchmarks.coder_articles [--cache FILE] [--repeat 5] [--limit N]``

The corpus is the text the project's ``Cleaner`` extracts from the saved pages that
``benchmarks.replay_workers.available_pages()`` lists (the shared extraction dev sets, read at run
time from ``../shared``, and the bundled sample corpus), each with its published date. Cleaning is
slow, so ``--cache FILE`` keeps the corpus as JSON: read when the file exists, written when not
(keep it outside the repository). Empty texts are left out: the coder never sees them.

``Coder.code_text`` runs once over every article as a warm-up, then ``--repeat`` times; the figures
are from the fastest pass in ``time.process_time()`` CPU seconds, because other jobs on a shared
machine only ever make a pass slower. ``--cleaning-sample N`` also times ``Cleaner.clean`` on N of
the saved pages in the same run (fastest of two passes) and prints coding's cost as a share of
cleaning's, per article: coding may cost at most as much as cleaning.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path
from typing import NamedTuple, Optional, Sequence

from benchmarks.replay_workers import available_pages
from transforms.clean.extract import Cleaner
from transforms.coding import Coder
from transforms.coding.text import normalise, split_paragraphs, split_sentences
from transforms.fetch.content import decode_html

# Pages without a published date are anchored here instead of on today, so that runs on different
# days code the same events.
FALLBACK_DATE = "2024-01-01"


class Article(NamedTuple):
    page: str
    text: str
    date: str


class Timing(NamedTuple):
    cpu_seconds: float
    articles: int
    sentences: int
    events: int


def read_page(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return decode_html(data, None)


def build_corpus(pages: Sequence[Path]) -> list[Article]:
    """Cleaned text and published date (ISO, UTC) of every page that has article text."""
    cleaner = Cleaner()
    corpus = []
    for path in pages:
        cleaned = cleaner.clean(read_page(path))
        if not cleaned.text:
            continue
        date = cleaned.published_at.date().isoformat() if cleaned.published_at else FALLBACK_DATE
        corpus.append(Article(f"{path.parent.parent.name}/{path.name}", cleaned.text, date))
    return corpus


def load_corpus(cache: Optional[Path]) -> list[Article]:
    if cache is not None and cache.exists():
        return [Article(**item) for item in json.loads(cache.read_text(encoding="utf-8"))]
    corpus = build_corpus(available_pages())
    if cache is not None:
        cache.write_text(json.dumps([item._asdict() for item in corpus]), encoding="utf-8")
    return corpus


def sentence_count(text: str) -> int:
    """Sentences as the coder splits them (counted outside the timed passes)."""
    return sum(len(split_sentences(paragraph)) for paragraph in split_paragraphs(normalise(text)))


def timed_pass(coder: Coder, corpus: Sequence[Article]) -> tuple[float, int]:
    """(CPU seconds, events coded) for one pass over the corpus."""
    events = 0
    started = time.process_time()
    for article in corpus:
        events += len(coder.code_text(article.text, article.date))
    return time.process_time() - started, events


def measure(coder: Coder, corpus: Sequence[Article], repeat: int) -> Timing:
    """The fastest of ``repeat`` passes, after a warm-up pass."""
    timed_pass(coder, corpus)
    passes = [timed_pass(coder, corpus) for _ in range(repeat)]
    cpu_seconds, events = min(passes)
    return Timing(cpu_seconds, len(corpus), sum(sentence_count(article.text) for article in corpus), events)


def cleaning_ms_per_page(pages: Sequence[Path], repeat: int = 2) -> float:
    """CPU milliseconds ``Cleaner.clean`` takes per page (decoding outside the timing)."""
    cleaner = Cleaner()
    html = [read_page(path) for path in pages]
    cleaner.clean(html[0])
    passes = []
    for _ in range(repeat):
        started = time.process_time()
        for page in html:
            cleaner.clean(page)
        passes.append(time.process_time() - started)
    return 1000 * min(passes) / len(html)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, help="corpus JSON: read if it exists, else built and written")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes; the fastest counts")
    parser.add_argument("--limit", type=int, help="use only the first N articles")
    parser.add_argument("--cleaning-sample", type=int, default=0, help="also time the cleaner on N pages")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.cache)[: args.limit]
    if not corpus:
        raise SystemExit("no article texts: are the saved pages there?")
    timing = measure(Coder(), corpus, args.repeat)
    print(
        f"{timing.articles} articles, {timing.sentences} sentences, {timing.events} events; "
        f"fastest of {args.repeat} passes: {timing.cpu_seconds:.2f} CPU s"
    )
    print(
        f"{1000 * timing.cpu_seconds / timing.articles:.2f} CPU ms per article, "
        f"{timing.articles / timing.cpu_seconds:,.1f} articles/s, {timing.sentences / timing.cpu_seconds:,.0f} sentences/s"
    )
    if args.cleaning_sample:
        pages = available_pages()
        step = max(1, len(pages) // args.cleaning_sample)
        cleaning = cleaning_ms_per_page(pages[::step][: args.cleaning_sample])
        coding = 1000 * timing.cpu_seconds / timing.articles
        print(f"cleaning: {cleaning:.2f} CPU ms per page; coding costs {coding / cleaning:.2f}x cleaning per article")


if __name__ == "__main__":
    main()

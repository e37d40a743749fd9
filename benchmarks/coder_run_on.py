"""What text that is no prose costs the event coder, against prose of the same size.

``python -m benchmarks.coder_run_on [--megabytes 2] [--long-article 20000]``

Times ``Coder.code_text`` on: a prose article of about ``--megabytes`` (the baseline, built from
``coder_speed``'s sentences), one line of that size without a full stop (a table or a page without
punctuation), the same size of "U.S. U.S. ..." (a full stop after every word, each one an
abbreviation the sentence split must look at), and an article of ``--long-article`` real
sentences, with the process's peak memory after it. Each run-on should cost a small fraction of
the prose: it is skipped as no prose. The peak memory is the process's (coder and model included).
"""

from __future__ import annotations

import argparse
import resource
import time

from benchmarks.coder_speed import SENTENCES, article
from transforms.coding import Coder


def seconds(coder: Coder, text: str) -> float:
    started = time.process_time()
    coder.code_text(text, "2024-03-05")
    return time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=2.0, help="size of each input (default 2)")
    parser.add_argument("--long-article", type=int, default=20_000, help="sentences in the long article (default 20,000)")
    args = parser.parse_args(argv)
    size = int(args.megabytes * 1_000_000)
    coder = Coder()
    coder.code_text(article(40), "2024-03-05")  # warm up: the parser's first batch loads lazily
    sentence_length = sum(len(sentence) + 1 for sentence in SENTENCES) / len(SENTENCES)
    prose = article(int(size / sentence_length))
    run_on = ("Russia attacked Ukraine and Iran condemned Israel while protesters clashed with police " * (size // 86 + 1))[:size]
    initialisms = ("U.S. " * (size // 5 + 1))[:size]
    baseline = seconds(coder, prose)
    print(f"prose, {len(prose) / 1e6:.1f} MB: {baseline:.2f} CPU s (the baseline)")
    for name, text in (("one line without a full stop", run_on), ('"U.S. U.S. ..."', initialisms)):
        cost = seconds(coder, text)
        print(f"{name}, {len(text) / 1e6:.1f} MB: {cost:.2f} CPU s ({cost / baseline:.3f}x the prose)")
    long_article = article(args.long_article)
    cost = seconds(coder, long_article)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"one article of {args.long_article:,} sentences: {cost:.1f} CPU s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()

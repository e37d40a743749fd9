"""How many sentences a second the event coder handles on one core.

``python -m benchmarks.coder_speed [--sentences N]``

Builds long inputs (articles of 40 sentences) from a set of news-like sentences written for this
benchmark, times ``Coder.code_text`` over them after one warm-up call, and prints the rate. Then it
runs the same articles through ``newsbeam code`` (JSON lines in and out, as a user would) and prints
that rate too, with and without the command's start-up (timed on an empty input).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from transforms.coding import Coder

# Our own sentences: a mix of political, neutral and non-political news prose.
SENTENCES = (
    "Russian forces shelled the outskirts of Kharkiv overnight, Ukrainian officials said on Tuesday.",
    "The European Union agreed to extend sanctions on Moscow for another six months.",
    "Thousands of protesters marched through the capital demanding the resignation of the prime minister.",
    "Chinese Foreign Minister Wang Yi met his Indian counterpart in Beijing to discuss the border dispute.",
    "The company reported a rise in quarterly profits as demand for its phones recovered.",
    "Heavy rain is expected across the region over the weekend, forecasters said.",
    "Israel denied that its aircraft had struck a convoy near the Syrian border.",
    "The United Nations appealed for humanitarian aid for millions displaced by the fighting in Sudan.",
    "Opposition lawmakers walked out of parliament in protest at the new security law.",
    "The striker scored twice as the home side won 3-1 in front of a sell-out crowd.",
    "Iran threatened to close the Strait of Hormuz if new oil sanctions were imposed.",
    "Police in Nairobi arrested two journalists who had reported on the demonstrations.",
    "The two leaders signed a defence cooperation agreement and pledged to deepen trade ties.",
    "Turkey summoned the Swedish ambassador to protest against the burning of a Koran.",
    "Officials said the talks would resume next week in Geneva under UN mediation.",
    "The central bank left interest rates unchanged for the third month in a row.",
)


def article(sentence_count: int) -> str:
    """One long article body cycling through the sample sentences, a paragraph every four."""
    sentences = list(itertools.islice(itertools.cycle(SENTENCES), sentence_count))
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return "\n\n".join(paragraphs)


def measure(coder: Coder, total_sentences: int, per_article: int = 40) -> tuple[float, float, int]:
    """(sentences per CPU second, per wall-clock second, events coded) over long articles.

    CPU time is the one-core figure even on a busy machine; wall time is what a user waits.
    """
    body = article(per_article)
    coder.code_text(body, "2024-03-05")
    articles = max(1, total_sentences // per_article)
    events = 0
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for _ in range(articles):
        events += len(coder.code_text(body, "2024-03-05"))
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    sentences = articles * per_article
    return sentences / cpu, sentences / wall, events


def command_seconds(input_path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "code", "--input", str(input_path), "--output", "-"],
        check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def measure_command(total_sentences: int, per_article: int = 40) -> tuple[float, float]:
    """(sentences per second through ``newsbeam code``, the same without its start-up)."""
    articles = max(1, total_sentences // per_article)
    body = article(per_article)
    with tempfile.TemporaryDirectory(prefix="newsbeam-code-") as scratch:
        lines, empty = Path(scratch) / "articles.jsonl", Path(scratch) / "empty.jsonl"
        lines.write_text("".join(json.dumps({"id": i, "text": body, "date": "2024-03-05"}) + "\n" for i in range(articles)))
        empty.write_text("")
        startup = command_seconds(empty)
        total = command_seconds(lines)
    sentences = articles * per_article
    return sentences / total, sentences / max(total - startup, 1e-9)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=20_000, help="sentences to code in total")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    coder = Coder()
    print(f"coder setup: {time.perf_counter() - started:.2f} s")
    cpu_rate, wall_rate, events = measure(coder, args.sentences)
    print(f"{cpu_rate:,.0f} sentences per CPU second on one core ({wall_rate:,.0f} per wall-clock second; "
          f"{args.sentences:,} sentences, {events:,} events)")
    with_startup, without_startup = measure_command(args.sentences)
    print(f"newsbeam code: {with_startup:,.0f} sentences per second ({without_startup:,.0f} without its start-up)")


if __name__ == "__main__":
    main()

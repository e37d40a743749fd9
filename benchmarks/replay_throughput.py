"""Pipeline throughput and memory against bare trafilatura, on the same saved pages, in one run.

Run from the repository root:
``python -m benchmarks.replay_throughput [--pages 600] [--repeat 3] [--memory-pages 500 5000]``.

Prints
- the time of a bare loop (read file, gunzip, decode, ``trafilatura.extract``) over the pages,
- the time of ``newsbeam run --html-dir`` over the same pages with one worker and with two worker
  processes (clean, dedupe, code events, write Parquet: the whole pipeline),
- the ratio bare time / pipeline time for each (issue 5 asks for >= 0.85 and >= 1.5); with
  ``--repeat N`` the bare loop and the pipelines take turns N times and each ratio is taken within
  its round, so that the machine's drifting speed (a shared 2-core host varies by 10% over minutes)
  moves both sides alike; the median ratio is printed last,
- the peak resident memory of a one-worker run for a small and a large page count (the large one
  must stay within 1.5x of the small one: nothing may accumulate per article).
Pages come from ``benchmarks.replay_pages``: the shared extraction dev sets (read at run time, never
copied into the repository), the sample corpus, then copies altered in URL and text, so every copy
is a distinct article that goes through the whole pipeline.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from benchmarks.replay_pages import build_html_dir
from benchmarks.replay_workers import CONFIGURATIONS, replay
from transforms.fetch.content import decode_html


def bare_seconds(html_dir: Path) -> float:
    started = time.monotonic()
    for path in sorted(html_dir.iterdir()):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        trafilatura.extract(decode_html(data, None))
    return time.monotonic() - started


def peak_memory_mb(html_dir: Path, output: Path) -> float:
    """Peak RSS of a whole one-worker ``newsbeam run`` in a fresh process (its own child)."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-c", probe, sys.executable, "-m", "pipeline.cli", "run",
               "--html-dir", str(html_dir), "--output", str(output)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(completed.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600, help="pages for the throughput runs (default 600)")
    parser.add_argument("--memory-pages", type=int, nargs=2, default=[500, 5000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=1, help="rounds of bare loop and pipelines, taking turns")
    parser.add_argument("--skip-memory", action="store_true", help="only the throughput part")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsbeam-throughput-") as scratch:
        root = Path(scratch)
        html_dir = root / "html"
        build_html_dir(html_dir, args.pages)
        ratios: dict[str, list[float]] = {label: [] for label in CONFIGURATIONS}
        for round_number in range(args.repeat):
            bare = bare_seconds(html_dir)
            print(f"round {round_number + 1}: {args.pages} saved pages; bare trafilatura loop: {bare:.1f} s "
                  f"({args.pages / bare:.1f} pages/s)")
            print(f"  {'pipeline':<12}{'wall s':>9}{'bare/pipeline':>15}")
            for number, (label, beam_args) in enumerate(CONFIGURATIONS.items()):
                run_name = f"throughput-{round_number}-{number}"
                timing = replay(html_dir, root / f"out-{run_name}", run_name, beam_args)
                ratios[label].append(bare / timing.wall_seconds)
                print(f"  {label:<12}{timing.wall_seconds:>9.1f}{ratios[label][-1]:>15.2f}")
        if args.repeat > 1:
            medians = ", ".join(f"{label} {statistics.median(values):.2f}" for label, values in ratios.items())
            print(f"median bare/pipeline over {args.repeat} rounds: {medians}")

        if args.skip_memory:
            return
        peaks = []
        for count in args.memory_pages:
            pages_dir = root / f"editions-{count}"
            build_html_dir(pages_dir, count)
            peaks.append(peak_memory_mb(pages_dir, root / f"memory-out-{count}"))
            print(f"peak memory, {count} pages, 1 worker: {peaks[-1]:.0f} MB")
        print(f"  large/small peak memory: {peaks[1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    main()

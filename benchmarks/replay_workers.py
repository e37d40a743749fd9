"""Replay a folder of saved pages with one worker and with two worker processes; print the times.

Run from the repository root: ``python -m benchmarks.replay_workers [--pages 600] [--repeat 1]``.

The folder is assembled in a temporary directory at run time from the shared extraction dev sets
(``../shared/eval/extraction/*/html/``) and the bundled sample corpus pages; nothing is copied into
the repository. Each configuration is a full ``newsbeam run --html-dir`` in a fresh output folder
(clean, code, write), timed from the outside (process start to exit), by the run record, and in
CPU seconds of the run and its worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from sample_corpus import CORPUS_FOLDER
from transforms.sinks.layout import run_record_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EXTRACTION = SHARED / "eval" / "extraction"
CONFIGURATIONS = {
    "1 worker": ["--direct_num_workers=1"],
    "2 workers": ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
}


class Timing(NamedTuple):
    wall_seconds: float
    pipeline_seconds: float
    cpu_seconds: float
    articles: int


def available_pages() -> list[Path]:
    """Saved pages in a fixed order: the shared dev sets first, then the sample corpus."""
    shared = sorted(path for path in EXTRACTION.glob("*/html/*") if path.name.endswith((".html", ".html.gz")))
    return shared + sorted((CORPUS_FOLDER / "pages").glob("*.html"))


def build_html_dir(target: Path, count: int) -> int:
    pages = available_pages()
    if len(pages) < count:
        raise SystemExit(f"only {len(pages)} saved pages found (is {EXTRACTION} there?), {count} asked for")
    target.mkdir(parents=True)
    for index, page in enumerate(pages[:count]):
        # Prefixed by position: two dev sets both have a 0001.html.gz.
        shutil.copyfile(page, target / f"{index:05d}-{page.name}")
    return count


def replay(html_dir: Path, output: Path, run_id: str, beam_args: list[str]) -> Timing:
    command = [
        sys.executable, "-m", "pipeline.cli", "run", "--html-dir", str(html_dir),
        "--output", str(output), "--run-id", run_id, *beam_args,
    ]
    cpu_before = _children_cpu_seconds()
    started = time.monotonic()
    completed = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    cpu = _children_cpu_seconds() - cpu_before
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    record = json.loads(Path(run_record_path(str(output), run_id)).read_text())
    return Timing(wall, record["seconds"], cpu, record["rows"]["articles"])


def _children_cpu_seconds() -> float:
    """User + system CPU time of finished child processes (the run and the workers it started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600, help="saved pages to replay (default 600)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; the median is shown")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="newsbeam-replay-") as scratch:
        html_dir = Path(scratch) / "html"
        pages = build_html_dir(html_dir, args.pages)
        timings: dict[str, list[Timing]] = {label: [] for label in CONFIGURATIONS}
        # Alternated, so that a change in the machine's other load affects both configurations alike.
        for attempt in range(args.repeat):
            for index, (label, beam_args) in enumerate(CONFIGURATIONS.items()):
                output = Path(scratch) / f"out-{index}-{attempt}"
                timings[label].append(replay(html_dir, output, f"replay-{attempt}", beam_args))
    medians = {
        label: Timing(
            statistics.median(t.wall_seconds for t in runs),
            statistics.median(t.pipeline_seconds for t in runs),
            statistics.median(t.cpu_seconds for t in runs),
            runs[0].articles,
        )
        for label, runs in timings.items()
    }

    print(f"Replay of {pages} saved pages (newsbeam run --html-dir, FnApiRunner), median of {args.repeat}:")
    print(f"  {'configuration':<12}{'wall s':>9}{'pipeline s':>12}{'CPU s':>9}{'articles':>10}")
    for label, timing in medians.items():
        print(
            f"  {label:<12}{timing.wall_seconds:>9.1f}{timing.pipeline_seconds:>12.1f}"
            f"{timing.cpu_seconds:>9.1f}{timing.articles:>10}"
        )
    one, two = medians["1 worker"], medians["2 workers"]
    print(f"  speed-up with 2 workers: {one.wall_seconds / two.wall_seconds:.2f}x wall, "
          f"{one.pipeline_seconds / two.pipeline_seconds:.2f}x pipeline")
    # Other work on the machine takes cores from the workers: the figures mean little on a busy one.
    print(f"  load average (1 min) at start and end: {load_before:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

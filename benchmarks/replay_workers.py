"""Replay a folder of saved pages with one worker and with two worker processes: where the CPU
goes in each, the fixed cost of a worker, and the predicted and measured speed-up.

Run from the repository root: ``python -m benchmarks.replay_workers [--pages 2000] [--repeat 1]``.

The folder is assembled in a temporary directory at run time (``benchmarks.replay_pages``: the
shared extraction dev sets, the sample corpus, then altered copies, so 2,000 or more pages reach the
tables as distinct articles); nothing is copied into the repository. Each configuration is a full
``newsbeam run --html-dir`` in a fresh output folder (clean, dedupe, code, write), measured by
``benchmarks.run_profile``: wall seconds, and CPU seconds per process and per stage.

CPU seconds decide, because the machine may be shared: other work slows a run down but does not
change its CPU time. From them the benchmark predicts what two workers would take on two free
cores (the launching process's CPU, plus in every stage the busier worker's) and compares that with
one worker's CPU; the measured wall-clock speed-up is printed beside it, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from benchmarks.replay_pages import EXTRACTION as EXTRACTION
from benchmarks.replay_pages import available_pages as available_pages
from benchmarks.replay_pages import build_html_dir
from benchmarks.run_profile import RunProfile, profile_run, stage_kind
from transforms.sinks.layout import run_record_path

CONFIGURATIONS = {
    "1 worker": ["--direct_num_workers=1"],
    "2 workers": ["--direct_num_workers=2", "--direct_running_mode=multi_processing"],
}
# What every worker process builds before its first page, timed in a fresh interpreter.
_FIXED_COST_PROBE = """
import resource, sys
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
steps = []
def step(name, since):
    steps.append((name, cpu() - since))
    return cpu()
mark = step("interpreter", 0.0)
import apache_beam.runners.worker.sdk_worker_main
mark = step("import Beam's SDK worker", mark)
import transforms.clean.clean_articles, transforms.coding.code_events
mark = step("import the cleaning and coding stages", mark)
from transforms.clean.extract import Cleaner
from transforms.clean.tone import ToneLexicon
Cleaner(); ToneLexicon.load()
mark = step("build the cleaner (setup)", mark)
from transforms.coding import Coder
Coder()
mark = step("build the coder (setup: dictionaries, gazetteer, parser)", mark)
for name, seconds in steps:
    print(f"{seconds:.3f} {name}")
"""


class Timing(NamedTuple):
    wall_seconds: float
    pipeline_seconds: float
    cpu_seconds: float
    articles: int


def replay(html_dir: Path, output: Path, run_id: str, beam_args: list[str]) -> Timing:
    """One ``newsbeam run --html-dir`` in a child process: wall seconds from the outside, the run
    record's seconds, CPU seconds of the run and its workers, articles stored."""
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
    record = _run_record(output, run_id)
    return Timing(wall, record["seconds"], cpu, record["rows"]["articles"])


def _run_record(output: Path, run_id: str) -> dict:
    return json.loads(Path(run_record_path(str(output), run_id)).read_text())


def _children_cpu_seconds() -> float:
    """User + system CPU time of finished child processes (the run and the workers it started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fixed_cost_steps() -> list[tuple[float, str]]:
    """CPU seconds of each thing a worker process does before its first page, in a fresh interpreter."""
    completed = subprocess.run(
        [sys.executable, "-c", _FIXED_COST_PROBE], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return [(float(seconds), name) for seconds, name in (line.split(" ", 1) for line in completed.stdout.splitlines())]


def profiled_replay(html_dir: Path, output: Path, run_id: str, beam_args: list[str]) -> tuple[RunProfile, int]:
    """``newsbeam run --html-dir`` measured by ``run_profile``; the profile and the articles stored."""
    profile = profile_run([
        "--html-dir", str(html_dir), "--output", str(output), "--run-id", run_id, "--quiet", *beam_args,
    ])
    if profile.returncode != 0:
        raise SystemExit(f"newsbeam run {' '.join(beam_args)} failed:\n{profile.stderr[-3000:]}")
    return profile, _run_record(output, run_id)["rows"]["articles"]


def predicted_seconds(profile: RunProfile) -> float:
    """CPU-bound seconds of a run on free cores: the launching process's CPU, plus in every stage the
    CPU of the busiest worker (a stage ends when its last worker does). Only a lower bound for waits."""
    busiest = sum(max((stage.cpu.get(pid, 0.0) for pid in profile.workers), default=0.0) for stage in profile.stages)
    return profile.process_cpu.get(profile.run_pid, 0.0) + busiest


def print_profile(label: str, profile: RunProfile, articles: int) -> None:
    """Per process: CPU before the first page (start-up, imports, small stages), in cleaning, in
    coding and the rest; per stage kind: wall seconds."""
    print(f"\n{label}: wall {profile.wall_seconds:.1f} s, CPU {profile.cpu_seconds:.1f} s, {articles} articles")
    print(f"  {'process':<22}{'before clean':>13}{'clean':>8}{'dedupe':>8}{'code':>8}{'write':>8}{'total':>8}")
    names = {profile.run_pid: "run (launching)"} | {pid: f"worker {n}" for n, pid in enumerate(profile.workers, 1)}
    first_clean = next((n for n, stage in enumerate(profile.stages) if stage_kind(stage.name) == "clean"), 0)
    for pid, name in names.items():
        before = sum(stage.cpu.get(pid, 0.0) for stage in profile.stages[:first_clean])
        kinds = [profile.stage_cpu(kind, pid) for kind in ("clean", "dedupe", "code", "write")]
        print(f"  {name:<22}{before:>13.1f}" + "".join(f"{cpu:>8.1f}" for cpu in kinds)
              + f"{profile.process_cpu.get(pid, 0.0):>8.1f}")
    kinds = ("start", "read", "clean", "dedupe", "code", "write")
    print("  wall s per stage kind: " + ", ".join(f"{kind} {profile.stage_seconds(kind):.1f}" for kind in kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="saved pages to replay (default 2000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration, alternated; medians shown")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    steps = fixed_cost_steps()
    print("Fixed cost of a worker process, CPU s (fresh interpreter):")
    for seconds, name in steps:
        print(f"  {seconds:6.2f}  {name}")
    print(f"  {sum(seconds for seconds, _ in steps):6.2f}  in all")

    with tempfile.TemporaryDirectory(prefix="newsbeam-replay-") as scratch:
        html_dir = Path(scratch) / "html"
        folder = build_html_dir(html_dir, args.pages)
        print(f"\n{args.pages} saved pages: {folder.originals} originals, {folder.copies} altered copies")
        runs: dict[str, list[tuple[RunProfile, int]]] = {label: [] for label in CONFIGURATIONS}
        # Alternated, so that a change in the machine's other load affects both configurations alike.
        for attempt in range(args.repeat):
            for index, (label, beam_args) in enumerate(CONFIGURATIONS.items()):
                output = Path(scratch) / f"out-{index}-{attempt}"
                runs[label].append(profiled_replay(html_dir, output, f"replay-{attempt}", beam_args))
                print_profile(f"{label}, run {attempt + 1}", *runs[label][-1])

    one, two = runs["1 worker"], runs["2 workers"]
    if {articles for _, articles in one + two} != {one[0][1]}:
        raise SystemExit("the configurations stored different numbers of articles")
    wall_one = statistics.median(profile.wall_seconds for profile, _ in one)
    wall_two = statistics.median(profile.wall_seconds for profile, _ in two)
    cpu_one = statistics.median(profile.cpu_seconds for profile, _ in one)
    cpu_two = statistics.median(profile.cpu_seconds for profile, _ in two)
    predicted = cpu_one / statistics.median(predicted_seconds(profile) for profile, _ in two)
    print(f"\nMedians of {args.repeat}: 1 worker {wall_one:.1f} s wall, {cpu_one:.1f} CPU s; "
          f"2 workers {wall_two:.1f} s wall, {cpu_two:.1f} CPU s ({cpu_two / cpu_one:.2f}x the CPU)")
    print(f"  pages/s: 1 worker {args.pages / wall_one:.1f}, 2 workers {args.pages / wall_two:.1f}")
    print(f"  speed-up with 2 workers: predicted from CPU {predicted:.2f}x, measured {wall_one / wall_two:.2f}x wall")
    # Other work on the machine takes cores from the workers: the wall figures mean little on a busy one.
    print(f"  load average (1 min) at start and end: {load_before:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

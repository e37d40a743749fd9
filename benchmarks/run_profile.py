"""Where a ``newsbeam run`` spends its CPU: per process (the run, each Beam worker process) and per
Beam stage, for the replay benchmarks.

The run is started in a child process that logs, for every bundle FnApiRunner starts, the time and
the stage's name; meanwhile the CPU seconds (user + system, from ``/proc/<pid>/stat``) of the run
and of every process it starts are sampled. CPU seconds rather than wall time, because the
benchmark machine is shared: other work there slows a run down but does not change its CPU time.
Linux only (``/proc``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPOSITORY = Path(__file__).resolve().parents[1]
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_SAMPLE_SECONDS = 0.05
# New processes (Beam's workers) are looked for less often than known ones are sampled.
_SCAN_EVERY = 4
WORKER_MODULE = "apache_beam.runners.worker.sdk_worker_main"

# ``newsbeam run`` with one line per bundle FnApiRunner starts ("<monotonic seconds> <stage>"), in
# the file named by NEWSBEAM_STAGE_LOG; "start" and "end" frame the whole command.
_LOGGED_RUN = """
import logging, os, sys, time
log = open(os.environ["NEWSBEAM_STAGE_LOG"], "w", buffering=1)
class StageStarts(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        if message.startswith("Running bundle for stage "):
            stage = message.split("\\n", 1)[0].removeprefix("Running bundle for stage ")
            log.write(f"{time.monotonic():.4f} {stage}\\n")
bundles = logging.getLogger("apache_beam.runners.portability.fn_api_runner.fn_runner.run_bundle")
bundles.setLevel(logging.DEBUG)
bundles.addHandler(StageStarts())
bundles.propagate = False
log.write(f"{time.monotonic():.4f} start\\n")
from pipeline.cli import main
status = main(sys.argv[1:])
log.write(f"{time.monotonic():.4f} end\\n")
sys.exit(status)
"""


@dataclass
class Stage:
    """One run of a fused Beam stage: when it started (seconds after the run started), how long it
    took and the CPU seconds each process spent meanwhile (by pid)."""

    name: str
    start: float
    seconds: float
    cpu: dict[int, float]


@dataclass
class RunProfile:
    """What ``profile_run`` measured: wall seconds, CPU seconds of the run and everything it started
    (exact, from ``getrusage``), CPU seconds per process (sampled; workers are the Beam worker
    processes, ``run`` the command itself), and the stages in order."""

    wall_seconds: float
    cpu_seconds: float
    run_pid: int
    process_cpu: dict[int, float]
    workers: list[int]
    stages: list[Stage] = field(default_factory=list)
    returncode: int = 0
    stderr: str = ""

    def stage_seconds(self, kind: str) -> float:
        return sum(stage.seconds for stage in self.stages if stage_kind(stage.name) == kind)

    def stage_cpu(self, kind: str, pid: int) -> float:
        return sum(stage.cpu.get(pid, 0.0) for stage in self.stages if stage_kind(stage.name) == kind)


STAGE_KINDS = ("start", "read", "clean", "dedupe", "code", "write")


def stage_kind(name: str) -> str:
    """Which part of the graph a fused stage belongs to: ``start`` (before the first stage: imports,
    checks, graph construction), ``read`` (saved pages, what the output holds), ``clean``
    (CleanArticles; reading the pages is fused into it), ``dedupe``, ``code`` (CodeEvents) or
    ``write`` (the tables' files, the commit, the summary)."""
    if name == "start":
        return "start"
    if "CleanArticles" in name:
        return "clean"
    if "CodeEvents" in name:
        return "code"
    if any(label in name for label in ("DropDuplicates", "SkipCodedArticles")):
        return "dedupe"
    if "PagesToTables" in name or name == "end":
        return "write"
    return "read"


def profile_run(arguments: list[str], cwd: Path = REPOSITORY) -> RunProfile:
    """Run ``newsbeam run ARGUMENTS`` and measure it (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="newsbeam-stages-") as scratch:
        stage_log = Path(scratch) / "stages.log"
        environment = dict(os.environ, NEWSBEAM_STAGE_LOG=str(stage_log))
        cpu_before = _children_cpu_seconds()
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", _LOGGED_RUN, "run", *arguments],
            cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        sampler = _CpuSampler(process.pid)
        sampler.start()
        _, stderr = process.communicate()
        sampler.stop()
        wall = time.monotonic() - started
        cpu = _children_cpu_seconds() - cpu_before
        starts = _read_stage_log(stage_log)
    profile = RunProfile(
        wall_seconds=wall,
        cpu_seconds=cpu,
        run_pid=process.pid,
        process_cpu=sampler.final_cpu(),
        # Beam starts each worker through a shell (``sh -c python -m ...``): the shell is no worker.
        workers=[
            pid for pid, command in sampler.commands.items()
            if WORKER_MODULE in command and not command.startswith("/bin/sh")
        ],
        returncode=process.returncode,
        stderr=stderr,
    )
    for (start, name), (end, _) in zip(starts, starts[1:]):
        profile.stages.append(Stage(name, start - started, end - start, sampler.cpu_between(start, end)))
    return profile


def _read_stage_log(path: Path) -> list[tuple[float, str]]:
    if not path.exists():
        return []
    lines = (line.rstrip("\n").split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return [(float(moment), name) for moment, name in lines]


def _children_cpu_seconds() -> float:
    """User + system CPU seconds of the finished child processes (the run and what it started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _CpuSampler(threading.Thread):
    """Samples the CPU seconds of a process and all its descendants until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self._root = root
        self._stopping = threading.Event()
        self.samples: list[tuple[float, dict[int, float]]] = []
        self.commands: dict[int, str] = {}

    def run(self) -> None:
        known = [self._root]
        rounds = 0
        while not self._stopping.is_set():
            if rounds % _SCAN_EVERY == 0:
                known = _descendants(self._root)
                for pid in known:
                    self.commands.setdefault(pid, _command_line(pid))
            moment = time.monotonic()
            cpu = {pid: seconds for pid in known if (seconds := _cpu_seconds(pid)) is not None}
            if cpu:
                self.samples.append((moment, cpu))
            rounds += 1
            self._stopping.wait(_SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def final_cpu(self) -> dict[int, float]:
        """The last CPU seconds seen of every process (a process's last 50 ms can be missed)."""
        last: dict[int, float] = {}
        for _, cpu in self.samples:
            last.update(cpu)
        return last

    def cpu_between(self, start: float, end: float) -> dict[int, float]:
        return {pid: self._cpu_at(pid, end) - self._cpu_at(pid, start) for pid in self.final_cpu()}

    def _cpu_at(self, pid: int, moment: float) -> float:
        """CPU seconds of ``pid`` at ``moment``, interpolated between the samples around it."""
        before: Optional[tuple[float, float]] = None
        for sampled, cpu in self.samples:
            if pid not in cpu:
                continue
            if sampled >= moment:
                if before is None:  # not started yet, or started since the last scan
                    return 0.0
                share = (moment - before[0]) / (sampled - before[0]) if sampled > before[0] else 1.0
                return before[1] + share * (cpu[pid] - before[1])
            before = (sampled, cpu[pid])
        return before[1] if before else 0.0


def _stat_fields(pid: int) -> Optional[list[str]]:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name in parentheses may hold spaces; the fields after it are plain.
    return text[text.rfind(")") + 2 :].split()


def _cpu_seconds(pid: int) -> Optional[float]:
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS if fields else None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""

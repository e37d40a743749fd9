"""Progress lines on stderr while a run goes on, from Beam's own metrics.

Where the metrics come from depends on the runner:
- runners whose ``run()`` returns while the job goes on (Dataflow, the portable Job API, Prism)
  report through ``PipelineResult.metrics()``, which ``follow`` polls;
- Beam's in-process ``FnApiRunner`` (newsbeam's default) returns only when the job is done;
  ``ProgressFnApiRunner`` adds up the metrics of each bundle as it finishes and, for bundles still
  running in this process, asks their bundle processors for their metrics so far (what Beam's SDK
  harness answers a runner's progress request with). With ``--direct_running_mode=multi_processing``
  the workers are other processes: the line then moves as each worker's share of a stage completes.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import weakref
from collections import Counter
from typing import Iterator, Optional, TextIO

from apache_beam.metrics import monitoring_infos
from apache_beam.runners.portability import portable_metrics
from apache_beam.runners.portability.fn_api_runner import FnApiRunner, fn_runner
from apache_beam.runners.runner import PipelineResult, PipelineState

PROGRESS_SECONDS = 5.0

# (label, counter) in the order of the pipeline's stages.
SHOWN_COUNTERS = (
    ("feeds read", "feeds/feeds_read"),
    ("sitemaps read", "sitemaps/sitemaps_read"),
    ("pages fetched", "fetch/pages_fetched"),
    ("pages replayed", "replay/pages_read"),
    ("WARC records read", "warc/records_read"),
    ("cleaned", "clean/articles_cleaned"),
    ("events coded", "coding/events_coded"),
)
ERROR_COUNTER_PREFIX = "error_types/"


class _Totals:
    """Counters of finished bundles plus those of bundles running in this process, readable from
    the reporting thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._finished: Counter[str] = Counter()
        # Weak: a stream runs one job per window, and each job's workers must go when the job ends
        # (holding them kept every window's SDK worker and its caches alive, a few MB a window).
        self._workers: weakref.WeakSet = weakref.WeakSet()

    def add_finished(self, infos) -> None:
        with self._lock:
            self._finished.update(_counter_totals(infos))

    def watch_workers(self, worker_handlers) -> None:
        """Remember the in-process SDK workers (``EmbeddedWorkerHandler.worker``) of a bundle."""
        with self._lock:
            for handler in worker_handlers:
                worker = getattr(handler, "worker", None)
                if worker is not None and hasattr(worker, "bundle_processor_cache"):
                    self._workers.add(worker)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            totals = Counter(self._finished)
            workers = list(self._workers)
        for worker in workers:
            for _, processor in list(worker.bundle_processor_cache.active_bundle_processors.values()):
                totals.update(_counter_totals(processor.monitoring_infos()))
        return dict(totals)


def _counter_totals(infos) -> Counter[str]:
    counters = portable_metrics.from_monitoring_infos(infos, user_metrics_only=True)[0]
    return Counter({f"{key.metric.namespace}/{key.metric.name}": int(value or 0) for key, value in counters.items()})


_BUNDLE_TOTALS = _Totals()


class ProgressFnApiRunner(FnApiRunner):
    """Beam's in-process runner, reporting each finished bundle's metrics to the progress line.

    Two fixes make it fit for streams (``--streaming``), whose poll ticks come from a splittable
    DoFn (``PeriodicImpulse``) that defers the rest of its work to the next tick's time:

    - Beam's runner ignores the delay a deferred remainder asks for and runs it again at once, so the
      tick stage spun through some 200 bundles a second, each finding its next tick not yet due (a
      core busy for nothing). Here, when such a remainder is all there is to run, the runner waits
      for the requested time first: one bundle per tick.
    - ``FnApiRunner.run_stages`` folds each bundle's metrics into the stage's with
      ``consolidate(chain(new, old))``, and ``consolidate`` is a generator: every bundle nests one
      more generator, so a stage of about a thousand bundles ended in RecursionError when the metrics
      were read (a 40-second stream did, through the spinning above). The runner's module is given a
      consolidation that returns a list, with the same result, so no number of bundles can nest.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fn_runner.consolidate_monitoring_infos = _consolidated_list

    def _execute_bundle(self, runner_execution_context, bundle_context_manager, bundle_input):
        _BUNDLE_TOTALS.watch_workers(bundle_context_manager.worker_handlers)
        result = super()._execute_bundle(runner_execution_context, bundle_context_manager, bundle_input)
        _BUNDLE_TOTALS.add_finished(result.process_bundle.monitoring_infos)
        # The remainder the bundle deferred is already queued; anything more means other work is ready.
        if len(runner_execution_context.queues.ready_inputs) <= 1:
            time.sleep(requested_resume_delay(result.process_bundle.residual_roots))
        return result


def requested_resume_delay(residual_roots) -> float:
    """Seconds until the soonest deferred remainder of a bundle asked to run again (0 when none did):
    ``DelayedBundleApplication.requested_time_delay`` of each of ``residual_roots``."""
    delays = [root.requested_time_delay.ToTimedelta().total_seconds() for root in residual_roots]
    return max(0.0, min(delays, default=0.0))


def _consolidated_list(infos) -> list:
    return list(monitoring_infos.consolidate(infos))


def progress_line(seconds: float, counts: dict[str, int]) -> str:
    """``newsbeam: 12 s: feeds read 2, pages fetched 40, ..., errors 3`` (counters not seen yet left out)."""
    parts = [f"{label} {counts[name]}" for label, name in SHOWN_COUNTERS if name in counts]
    errors = sum(value for name, value in counts.items() if name.startswith(ERROR_COUNTER_PREFIX))
    parts.append(f"errors {errors}")
    return f"newsbeam: {seconds:.0f} s: " + ", ".join(parts)


class ProgressReporter:
    """Prints ``progress_line`` every ``interval`` seconds until stopped."""

    def __init__(self, interval: float, out: TextIO):
        self._interval = interval
        self._out = out
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._result: Optional[PipelineResult] = None
        self._baseline = _BUNDLE_TOTALS.snapshot()
        self._thread = threading.Thread(target=self._loop, name="newsbeam-progress", daemon=True)

    def follow(self, result: PipelineResult) -> None:
        """Read the counters from a job that is still running (runners whose run() returns early)."""
        self._result = result

    def _counts(self) -> dict[str, int]:
        result = self._result
        if result is not None and not PipelineState.is_terminal(result.state):
            from pipeline.run import counters_of

            return counters_of(result)
        totals = _BUNDLE_TOTALS.snapshot()
        return {name: value - self._baseline.get(name, 0) for name, value in totals.items()}

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                line = progress_line(time.monotonic() - self._started, self._counts())
            except Exception:  # noqa: BLE001 - a runner without live metrics: the run goes on silently
                continue
            print(line, file=self._out, flush=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class _NoProgress:
    def follow(self, result: PipelineResult) -> None:
        pass


@contextlib.contextmanager
def report_progress(enabled: bool, interval: float = PROGRESS_SECONDS, out: TextIO = sys.stderr) -> Iterator:
    """While the block runs, a progress line every ``interval`` seconds on ``out`` (when enabled)."""
    if not enabled:
        yield _NoProgress()
        return
    reporter = ProgressReporter(interval, out)
    reporter.start()
    try:
        yield reporter
    finally:
        reporter.stop()

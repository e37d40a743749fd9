"""``newsbeam run``: one path for batch and streaming jobs, from a checked RunPlan to a RunReport.

    claim the output (lock, run-id check, recovery)  ->  build the graph  ->  run it, with progress
    ->  keep the feeds' validators and the run record  ->  report (and the exit status)

An interrupt (Ctrl-C, SIGTERM) while the job runs ends in ``RunInterrupted``, after the output has
been settled: a commit under way is completed, or the run's uncommitted files are discarded.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions, TestOptions
from apache_beam.utils.timestamp import Timestamp

from pipeline.claim import Claim, claim_output, run_id_traces
from pipeline.errors import UsageError, one_line
from pipeline.graph import GraphConfig, build_graph
from pipeline.options import DEFAULT_RUNNER
from pipeline.output import write_run_record
from pipeline.plan import (
    FeedSource,
    HtmlDirSource,
    RunPlan,
    SitemapSource,
    Source,
    UrlListSource,
    WarcSource,
    check_runner,
)
from pipeline.progress import ProgressFnApiRunner, report_progress
from pipeline.streaming import StreamingConfig, build_streaming_graph, stored_index_source, window_jobs
from schemas import TABLES
from transforms.dedupe.stream import SharedIndex
from transforms.sinks import interrupts
from transforms.sinks.commit import recover_interrupted_runs, remove_run_temp_folder
from transforms.sinks.layout import run_record_path
from transforms.sinks.parquet import write_empty_tables
from transforms.sinks.upgrade import legacy_events_files
from transforms.sources import validators

EXIT_OK = 0
# No source could be read at all: every feed failed, every listed URL failed, no saved page read.
EXIT_NO_SOURCE_READ = 3


@dataclass(frozen=True)
class RunReport:
    run_id: str
    output_dir: str
    runner: str
    seconds: float
    rows: dict[str, int]
    error_types: dict[str, int]
    counters: dict[str, int]
    used_sample: bool
    dry_run: bool = False
    # What claiming the output finished or discarded of earlier runs, one line each.
    recovery: list[str] = field(default_factory=list)
    exit_status: int = EXIT_OK
    problem: Optional[str] = None


class RunInterrupted(Exception):
    """The run was interrupted; ``state`` says in one sentence what the output now holds."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def beam_options(plan: RunPlan) -> PipelineOptions:
    options = PipelineOptions(list(plan.beam_args))
    standard = options.view_as(StandardOptions)
    standard.streaming = plan.streaming is not None or bool(standard.streaming)
    if standard.runner is None:
        standard.runner = DEFAULT_RUNNER
    return options


def new_pipeline(options: PipelineOptions) -> beam.Pipeline:
    """A pipeline on the chosen runner; Beam's in-process runner reports progress as it goes."""
    if options.view_as(StandardOptions).runner == DEFAULT_RUNNER:
        return beam.Pipeline(runner=ProgressFnApiRunner(), options=options)
    return beam.Pipeline(options=options)


def execute(plan: RunPlan) -> RunReport:
    """Run the plan's job to its end (a stream: to ``--stop-after`` or cancellation) and report."""
    options = beam_options(plan)
    check_runner(options)
    standard = options.view_as(StandardOptions)
    runner = str(standard.runner) + (" (streaming)" if standard.streaming else "")
    refuse_legacy_layout(plan.output_dir)
    dry_run = options.view_as(TestOptions).dry_run
    with claim_output(plan.output_dir, "run", plan.run_id, plan.lock_timeout) as claim:
        started_at = datetime.datetime.now(datetime.timezone.utc)
        if not dry_run:
            write_empty_tables(plan.output_dir, TABLES.values(), plan.run_id, started_at.date().isoformat())
        clock = time.monotonic()
        counters: Counter[str] = Counter()
        try:
            show_progress = not plan.quiet and not dry_run
            with report_progress(show_progress, plan.progress_interval) as progress:
                for pipeline in _jobs(plan, options):
                    result = pipeline.run()
                    progress.follow(result)
                    result.wait_until_finish()
                    if not dry_run:
                        counters.update(counters_of(result))
                    if plan.streaming is not None:
                        # Beam swallows an interrupt that lands in a DoFn's teardown at the end of a
                        # window's job: the stream stops here instead of polling on.
                        interrupts.raise_if_received()
        except BaseException as error:
            # Beam may have wrapped an interrupt raised inside a DoFn in an error of its own.
            interrupted = interrupts.received() is not None
            state = _settle_after_stop(plan, claim, started_at, runner, time.monotonic() - clock, interrupted, error)
            if interrupted:
                raise RunInterrupted(state) from None
            raise
        seconds = time.monotonic() - clock
        if dry_run:  # the job was only built (e.g. for Dataflow): the id stays free
            remove_run_temp_folder(plan.output_dir, plan.run_id)
            FileSystems.delete([run_record_path(plan.output_dir, plan.run_id)])
            return RunReport(plan.run_id, plan.output_dir, runner, seconds, {}, {}, {}, _is_sample(plan.source), True)
        return _complete(plan, claim, dict(sorted(counters.items())), runner, started_at, seconds)


def refuse_legacy_layout(output_dir: str) -> None:
    """An output whose events are still in the ``event_date`` folders of schema version 3 must be
    upgraded first: new files beside them would give readers two partition schemes in one table."""
    legacy = legacy_events_files(output_dir)
    if legacy:
        raise UsageError(
            f"{output_dir!r} holds {len(legacy)} events file(s) in the event_date folders of schema version 3 "
            f"and older; run `newsbeam compact --upgrade --output {output_dir}` once, then run again"
        )


def _jobs(plan: RunPlan, options: PipelineOptions) -> Iterator[beam.Pipeline]:
    """The run's pipelines, each built when the one before has finished: one, or for a stream on
    the in-process runner one per window (``pipeline.streaming.window_jobs``)."""
    stored_validators = validators.load(validators.state_file(plan.output_dir)) if plan.conditional_get else {}
    if plan.streaming is not None:
        assert isinstance(plan.source, FeedSource)
        config = StreamingConfig(
            feed_urls=plan.source.urls,
            output_dir=plan.output_dir,
            index=SharedIndex(stored_index_source(plan.output_dir, plan.retry_permanent_after, plan.streaming.window_seconds)),
            run_id=plan.run_id,
            poll_interval=plan.streaming.poll_interval,
            window_seconds=plan.streaming.window_seconds,
            fetch=plan.fetch,
            stored_validators=stored_validators,
            conditional_get=plan.conditional_get,
            min_article_confidence=plan.min_article_confidence,
        )
        started = time.time()
        stop = started + plan.streaming.stop_after if plan.streaming.stop_after is not None else None
        if options.view_as(StandardOptions).runner == DEFAULT_RUNNER:
            yield from window_jobs(config, started, stop, lambda: new_pipeline(options))
            return
        pipeline = new_pipeline(options)
        build_streaming_graph(pipeline, config, Timestamp(started), Timestamp(stop) if stop is not None else None)
        yield pipeline
        return
    pipeline = new_pipeline(options)
    build_graph(
        pipeline,
        GraphConfig(
            source=plan.source,
            output_dir=plan.output_dir,
            run_id=plan.run_id,
            fetch=plan.fetch,
            feed_validators=stored_validators,
            retry_permanent_after=plan.retry_permanent_after,
            min_article_confidence=plan.min_article_confidence,
            allowed_domains=plan.allowed_domains,
            published_since=plan.published_since,
            published_until=plan.published_until,
        ),
    )
    yield pipeline


def _complete(
    plan: RunPlan, claim: Claim, counters: dict[str, int], runner: str, started_at: datetime.datetime, seconds: float
) -> RunReport:
    """After the pipelines: keep the feeds' validators, tidy up, write the run record, report."""
    validators.merge_after_success(plan.output_dir, plan.run_id)
    remove_run_temp_folder(plan.output_dir, plan.run_id)
    problem = no_source_read(plan.source, counters)
    report = RunReport(
        run_id=plan.run_id,
        output_dir=plan.output_dir,
        runner=runner,
        seconds=seconds,
        rows={table: counters.get(f"sink/{table}_rows", 0) for table in TABLES},
        error_types={name.split("/", 1)[1]: value for name, value in counters.items() if name.startswith("error_types/")},
        counters=counters,
        used_sample=_is_sample(plan.source),
        recovery=claim.recovery_lines(),
        exit_status=EXIT_NO_SOURCE_READ if problem else EXIT_OK,
        problem=problem,
    )
    _write_record(
        plan, claim, started_at, runner, seconds,
        {
            "status": "no_source_read" if problem else "succeeded",
            "rows": report.rows,
            "error_types": report.error_types,
            "counters": counters,
        },
    )
    return report


def no_source_read(source: Source, counters: dict[str, int]) -> Optional[str]:
    """Why nothing at all could be read from the run's source, or None when something was.

    A scheduler alerts on this (exit status 3): every feed failing is an outage or a broken list,
    not a quiet hour. URLs skipped because they are already stored count as read.
    """
    # Only with failures on record: a runner that reports no metrics (some portable job services
    # drop them) must not turn a good run into an alert.
    error_rows = sum(value for name, value in counters.items() if name.startswith("error_types/"))
    if isinstance(source, FeedSource):
        read = counters.get("feeds/feeds_read", 0) + counters.get("feeds/feeds_not_modified", 0)
        if read == 0 and (counters.get("feeds/feed_errors", 0) > 0 or error_rows > 0):
            return f"none of the {len(source.urls)} feed(s) could be read (see the errors table)"
    elif isinstance(source, UrlListSource):
        if counters.get("fetch/pages_fetched", 0) == 0 and counters.get("fetch/fetch_errors", 0) > 0:
            return f"none of the {len(source.urls)} listed URL(s) could be fetched (see the errors table)"
    elif isinstance(source, HtmlDirSource):
        if counters.get("replay/pages_read", 0) == 0 and error_rows > 0:
            return f"no saved page in {source.folder!r} could be read (see the errors table)"
    elif isinstance(source, SitemapSource):
        if counters.get("sitemaps/sitemaps_read", 0) == 0 and counters.get("sitemaps/sitemap_errors", 0) > 0:
            return f"none of the {len(source.urls)} listed sitemap(s) or site(s) could be read (see the errors table)"
    elif isinstance(source, WarcSource):
        if counters.get("warc/records_read", 0) == 0 and error_rows > 0:
            return f"none of the {len(source.locations)} WARC location(s) could be read (see the errors table)"
    return None


def _settle_after_stop(
    plan: RunPlan, claim: Claim, started_at: datetime.datetime, runner: str, seconds: float,
    interrupted: bool, error: BaseException,
) -> str:
    """Leave the output whole after the job stopped early (the lock is still held) and say what it
    holds: a commit under way is completed, uncommitted files are discarded. A run whose rows all
    became visible also keeps its feeds' validators, as a finished run does. When settling fails
    too, the next writer does it (``pipeline.claim``)."""
    what = f"run {plan.run_id} " + ("was interrupted" if interrupted else "failed")
    try:
        completed = plan.run_id in recover_interrupted_runs(plan.output_dir)
        committed = any(trace.startswith("file ") for trace in run_id_traces(plan.output_dir, plan.run_id))
        if plan.streaming is not None:  # a stream commits window by window
            state = (
                f"{what}; the windows it committed are visible, the rows of the window under way were not written"
                if committed else f"{what} before its first commit; nothing of it was written to the tables"
            )
        elif completed:
            state = f"{what} during its commit; the commit was completed, all its rows are visible"
        elif committed:
            state = f"{what} after its commit; all its rows are visible"
        else:
            state = f"{what} before its commit; nothing of it was written to the tables"
        if "all its rows are visible" in state:
            validators.merge_after_success(plan.output_dir, plan.run_id)
        remove_run_temp_folder(plan.output_dir, plan.run_id)
        outcome = {"status": "interrupted" if interrupted else "failed", "state": state, "error": one_line(error)}
        _write_record(plan, claim, started_at, runner, seconds, outcome)
    except Exception as settling:  # noqa: BLE001 - the next writer finishes or discards it
        state = f"{what}; the next run or `newsbeam check --repair` settles its files ({one_line(settling)})"
    return state


def _write_record(
    plan: RunPlan, claim: Claim, started_at: datetime.datetime, runner: str, seconds: float, outcome: dict[str, Any]
) -> None:
    write_run_record(
        plan.output_dir,
        plan.run_id,
        {
            "run_id": plan.run_id,
            "runner": runner,
            "started_at": started_at.isoformat(),
            "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "seconds": round(seconds, 3),
            "sources": plan.source.describe(),
            "recovered_runs": claim.completed_runs,
            "discarded_runs": claim.discarded_runs,
            "options": plan.options,
            "beam_args": list(plan.beam_args),
            "streaming": plan.streaming is not None,
            **outcome,
        },
    )


def _is_sample(source: Source) -> bool:
    return isinstance(source, FeedSource) and source.sample


def counters_of(result: beam.runners.runner.PipelineResult) -> dict[str, int]:
    """Beam counters summed over steps, as ``namespace/name``; committed values where the runner has them."""
    totals: dict[str, int] = defaultdict(int)
    for counter in result.metrics().query()["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[f"{counter.key.metric.namespace}/{counter.key.metric.name}"] += int(value or 0)
    return dict(sorted(totals.items()))

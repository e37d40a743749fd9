"""``newsbeam run``: check the inputs, build the graph, run it, keep a run record, report.

``prepare`` and ``complete`` are shared by the batch job (``execute`` here) and the streaming job
(``pipeline.streaming``), so both check their input, choose their runner and report the same way.
"""

from __future__ import annotations

import argparse
import datetime
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions, TestOptions

from pipeline.errors import UsageError
from pipeline.graph import GraphConfig, Sources, build_graph
from pipeline.options import DEFAULT_RUNNER, fetch_settings_from, new_run_id
from pipeline.output import absolute_output, check_writable, write_run_record
from sample_corpus import FEED_LIST
from schemas import TABLES
from transforms.sinks.commit import recover_interrupted_runs, remove_run_temp_folder
from transforms.sinks.compact import recover_compactions
from transforms.sources import validators
from transforms.sources.lists import SourceListError, read_list
from transforms.sources.replay import count_saved_pages

SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


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


@dataclass
class RunContext:
    """What a run knows before its pipeline starts."""

    run_id: str
    output_dir: str
    sources: Sources
    used_sample: bool
    options: PipelineOptions
    recovered_runs: list[str]
    started_at: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    clock: float = field(default_factory=time.monotonic)

    @property
    def runner(self) -> str:
        standard = self.options.view_as(StandardOptions)
        return str(standard.runner) + (" (streaming)" if standard.streaming else "")

    @property
    def dry_run(self) -> bool:
        return bool(self.options.view_as(TestOptions).dry_run)


def resolve_sources(args: argparse.Namespace) -> tuple[Sources, bool]:
    """The run's source, read and checked now so that bad input fails before any work starts."""
    try:
        if args.html_dir:
            if count_saved_pages(args.html_dir) == 0:
                raise UsageError(f"--html-dir {args.html_dir!r} holds no *.html or *.html.gz files")
            return Sources(html_dir=args.html_dir), False
        if args.urls:
            return Sources(article_urls=read_list(args.urls, "URL")), False
        if args.feeds:
            return Sources(feed_urls=read_list(args.feeds, "feed")), False
        return Sources(feed_urls=read_list(str(FEED_LIST), "feed")), True
    except SourceListError as error:
        raise UsageError(str(error)) from error


def prepare(args: argparse.Namespace, beam_args: Sequence[str], default_runner: str, streaming: bool = False) -> RunContext:
    """Check the input and the output location, finish what interrupted runs left, set the runner."""
    run_id = args.run_id or new_run_id()
    if not SAFE_RUN_ID.match(run_id):
        raise UsageError(f"--run-id {run_id!r} may hold only letters, digits, '.', '_' and '-'")
    sources, used_sample = resolve_sources(args)
    output_dir = absolute_output(args.output)
    check_writable(output_dir, run_id)
    recovered = recover_interrupted_runs(output_dir)
    recover_compactions(output_dir)

    options = PipelineOptions(list(beam_args))
    standard = options.view_as(StandardOptions)
    standard.streaming = streaming or bool(standard.streaming)
    if standard.runner is None:
        standard.runner = default_runner
    return RunContext(run_id, output_dir, sources, used_sample, options, recovered)


def complete(
    context: RunContext,
    result: beam.runners.runner.PipelineResult,
    args: argparse.Namespace,
    beam_args: Sequence[str],
    record_extra: Optional[dict[str, Any]] = None,
) -> RunReport:
    """After the pipeline: keep the feeds' validators, tidy up, write the run record, report."""
    seconds = time.monotonic() - context.clock
    if context.dry_run:  # the job was only built (e.g. for Dataflow): nothing ran, nothing to keep
        return RunReport(context.run_id, context.output_dir, context.runner, seconds, {}, {}, {}, context.used_sample, True)
    validators.merge_after_success(context.output_dir, context.run_id)
    remove_run_temp_folder(context.output_dir, context.run_id)

    counters = counters_of(result)
    report = RunReport(
        run_id=context.run_id,
        output_dir=context.output_dir,
        runner=context.runner,
        seconds=seconds,
        rows={table: counters.get(f"sink/{table}_rows", 0) for table in TABLES},
        error_types={
            name.split("/", 1)[1]: value for name, value in counters.items() if name.startswith("error_types/")
        },
        counters=counters,
        used_sample=context.used_sample,
    )
    sources = context.sources
    write_run_record(
        context.output_dir,
        context.run_id,
        {
            "run_id": context.run_id,
            "runner": context.runner,
            "started_at": context.started_at.isoformat(),
            "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "seconds": round(seconds, 3),
            "sources": {"feeds": list(sources.feed_urls), "urls": len(sources.article_urls), "html_dir": sources.html_dir},
            "rows": report.rows,
            "recovered_runs": context.recovered_runs,
            "error_types": report.error_types,
            "counters": counters,
            "options": {key: value for key, value in vars(args).items() if key != "func"},
            "beam_args": list(beam_args),
            **(record_extra or {}),
        },
    )
    return report


def execute(args: argparse.Namespace, beam_args: Sequence[str]) -> RunReport:
    """Run one batch job described by parsed ``newsbeam run`` arguments."""
    context = prepare(args, beam_args, DEFAULT_RUNNER)
    config = GraphConfig(
        sources=context.sources,
        output_dir=context.output_dir,
        run_id=context.run_id,
        fetch=fetch_settings_from(args),
        feed_validators={} if args.no_conditional_get else validators.load(validators.state_file(context.output_dir)),
    )
    pipeline = beam.Pipeline(options=context.options)
    build_graph(pipeline, config)
    result = pipeline.run()
    result.wait_until_finish()
    return complete(context, result, args, beam_args)


def counters_of(result: beam.runners.runner.PipelineResult) -> dict[str, int]:
    """Beam counters summed over steps, as ``namespace/name``; committed values where the runner has them."""
    totals: dict[str, int] = defaultdict(int)
    for counter in result.metrics().query()["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        totals[f"{counter.key.metric.namespace}/{counter.key.metric.name}"] += int(value or 0)
    return dict(sorted(totals.items()))

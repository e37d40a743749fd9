"""The run plan: everything ``newsbeam run`` will do, settled and checked at the command line.

``plan_from_args`` turns parsed arguments into one ``RunPlan`` (the source, the output, the run id,
the lock's patience, fetch settings, Beam's options), or raises UsageError with one clear line: an
option neither newsbeam nor any Beam ``PipelineOptions`` class defines (with the closest valid
spelling), no source, an unreadable list, a bad run id. Nothing is read from or written to the
output here; ``pipeline.run.execute`` takes the plan from there.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

from pipeline.errors import UsageError, one_line
from pipeline.options import fetch_settings_from, new_run_id
from pipeline.output import absolute_output
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.fetch.client import FetchSettings
from transforms.sources.sitemaps import DEFAULT_MAX_SITEMAPS

SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SOURCE_OPTIONS = "--feeds FILE, --sitemaps FILE, --urls FILE, --html-dir DIR, --warc PATH, --warc-list FILE or --sample"


@dataclass(frozen=True)
class FeedSource:
    """RSS/Atom/JSON feeds (and OPML lists of them), read once per run or polled when streaming."""

    urls: tuple[str, ...]
    sample: bool = False  # the bundled offline sample corpus's feeds

    def describe(self) -> dict:
        return {"feeds": list(self.urls), "sample": self.sample}


@dataclass(frozen=True)
class SitemapSource:
    """Sitemaps and site roots (read through robots.txt ``Sitemap:`` lines), with the indexes below them."""

    urls: tuple[str, ...]
    max_sitemaps: int = DEFAULT_MAX_SITEMAPS  # read below each listed entry, newest first

    def describe(self) -> dict:
        return {"sitemaps": list(self.urls), "max_sitemaps": self.max_sitemaps}


@dataclass(frozen=True)
class UrlListSource:
    """Article page URLs given directly."""

    urls: tuple[str, ...]

    def describe(self) -> dict:
        return {"urls": len(self.urls)}


@dataclass(frozen=True)
class HtmlDirSource:
    """A folder of saved pages to replay (a backfill)."""

    folder: str

    def describe(self) -> dict:
        return {"html_dir": self.folder}


@dataclass(frozen=True)
class WarcSource:
    """Web archives (WARC files: CC-NEWS, a crawler's output), each file one unit of work."""

    locations: tuple[str, ...]  # paths, globs, gs:// or s3:// paths, http(s) URLs

    def describe(self) -> dict:
        return {"warc": len(self.locations)}


Source = Union[FeedSource, SitemapSource, UrlListSource, HtmlDirSource, WarcSource]


@dataclass(frozen=True)
class StreamingSettings:
    poll_interval: float
    window_seconds: int
    stop_after: Optional[float]


@dataclass(frozen=True)
class RunPlan:
    source: Source
    output_dir: str
    run_id: str
    fetch: FetchSettings
    beam_args: tuple[str, ...]
    lock_timeout: float = 0.0
    conditional_get: bool = True
    retry_permanent_after: datetime.timedelta = datetime.timedelta(days=7)
    # Events below this confidence are not kept from an article (transforms.coding.confidence_floor).
    min_article_confidence: float = ARTICLE_CONFIDENCE_FLOOR
    streaming: Optional[StreamingSettings] = None
    quiet: bool = False
    progress_interval: float = 5.0
    # Backfill filters (transforms/sources/backfill_filters.py): the registrable domains (or hosts)
    # whose pages are kept, and the publication times kept, both bounds included; None: no filter.
    allowed_domains: Optional[frozenset[str]] = None
    published_since: Optional[datetime.datetime] = None
    published_until: Optional[datetime.datetime] = None
    # The command line as given, kept in the run record.
    options: dict = field(default_factory=dict)


DEFAULT_POLL_SECONDS = 300.0
DEFAULT_WINDOW_SECONDS = 600
STREAM_OPTIONS = (("--poll-interval", "poll_interval"), ("--window", "window"), ("--stop-after", "stop_after"))


def plan_from_args(args: argparse.Namespace, extra_args: Sequence[str]) -> RunPlan:
    """Check everything the user typed and settle the run; raises UsageError."""
    check_beam_args(extra_args, newsbeam_options=_option_strings(args))
    run_id = new_run_id() if args.run_id is None else args.run_id
    if not SAFE_RUN_ID.match(run_id):
        raise UsageError(f"--run-id {run_id!r} may hold only letters, digits, '.', '_' and '-' (at most 128, not starting with '.', '_' or '-')")
    streaming = None
    if args.streaming:
        if args.urls or args.html_dir or args.sitemaps or args.warc or args.warc_list:
            raise UsageError("--streaming polls feeds: use --feeds FILE (or --sample)")
        streaming = StreamingSettings(
            args.poll_interval if args.poll_interval is not None else DEFAULT_POLL_SECONDS,
            args.window if args.window is not None else DEFAULT_WINDOW_SECONDS,
            args.stop_after,
        )
    else:
        # Without --streaming they would be ignored, and a stream run as a one-off batch.
        given = [name for name, value in STREAM_OPTIONS if getattr(args, value) is not None]
        if given:
            raise UsageError(f"{', '.join(given)} only apply with --streaming")
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since.isoformat()} is after --until {args.until.isoformat()}: no article could be kept")
    if streaming and (args.domains or args.since or args.until):
        raise UsageError("--domains, --since and --until cut backfills: they apply to batch runs, not to --streaming")
    return RunPlan(
        source=resolve_source(args),
        output_dir=absolute_output(args.output),
        run_id=run_id,
        fetch=fetch_settings_from(args),
        beam_args=tuple(extra_args),
        lock_timeout=args.lock_timeout,
        conditional_get=not args.no_conditional_get,
        retry_permanent_after=datetime.timedelta(days=args.retry_permanent_after),
        min_article_confidence=args.min_article_confidence,
        streaming=streaming,
        quiet=args.quiet,
        progress_interval=args.progress_interval,
        allowed_domains=_allowed_domains(args.domains),
        published_since=args.since,
        published_until=args.until,
        options={key: value for key, value in vars(args).items() if key not in ("func", "option_strings")},
    )


def _allowed_domains(location: Optional[str]) -> Optional[frozenset[str]]:
    from transforms.sources.backfill_filters import DomainListError, read_domains

    if location is None:
        return None
    try:
        return read_domains(location)
    except DomainListError as error:
        raise UsageError(str(error)) from None


def check_runner(options) -> None:
    """An unknown ``--runner`` is a usage error now, not a failure once the run has begun."""
    from apache_beam.options.pipeline_options import StandardOptions
    from apache_beam.runners.runner import create_runner

    runner = options.view_as(StandardOptions).runner
    if runner is None or not isinstance(runner, str):
        return
    try:
        create_runner(runner)
    except (ValueError, ImportError, AttributeError) as error:
        raise UsageError(f"--runner {runner!r}: {one_line(error)}") from None


def resolve_source(args: argparse.Namespace) -> Source:
    """The run's one source, read and checked now so that bad input fails before any work starts."""
    from sample_corpus import FEED_LIST
    from transforms.sources.lists import SourceListError, read_list
    from transforms.sources.replay import html_dir_problem

    chosen = [name for name in ("feeds", "sitemaps", "urls", "html_dir", "warc", "warc_list", "sample") if getattr(args, name)]
    if not chosen:
        raise UsageError(f"no source given: use one of {SOURCE_OPTIONS} (--sample runs the bundled offline corpus)")
    try:
        if args.html_dir:
            problem = html_dir_problem(args.html_dir)
            if problem:
                raise UsageError(f"--html-dir {args.html_dir!r} {problem}")
            return HtmlDirSource(args.html_dir)
        if args.urls:
            return UrlListSource(tuple(read_list(args.urls, "URL")))
        if args.feeds:
            return FeedSource(tuple(read_list(args.feeds, "feed")))
        if args.sitemaps:
            return SitemapSource(tuple(read_list(args.sitemaps, "sitemap")), args.max_sitemaps)
        if args.warc or args.warc_list:
            return _warc_source(args.warc or [], args.warc_list)
        return FeedSource(tuple(read_list(str(FEED_LIST), "feed")), sample=True)
    except SourceListError as error:
        raise UsageError(str(error)) from error


def _warc_source(patterns: Sequence[str], list_file: Optional[str]) -> WarcSource:
    """--warc patterns must each match a file now; --warc-list entries (thousands, on object
    stores) are only read: one that names no file becomes an error row of the run."""
    from transforms.fetch.urls import UrlProblem, local_path
    from transforms.sources.lists import read_list
    from transforms.sources.warc import warc_location_problem

    for pattern in patterns:
        problem = warc_location_problem(pattern)
        if problem:
            raise UsageError(f"--warc {pattern!r} {problem}")
    listed = []
    for entry in read_list(list_file, "WARC") if list_file else []:
        try:  # read_list gives local entries as file:// URLs; Beam's file systems take paths
            path = local_path(entry)
        except UrlProblem:
            path = None
        listed.append(str(path) if path is not None else entry)
    return WarcSource(tuple(dict.fromkeys([*patterns, *listed])))


def check_beam_args(extra_args: Sequence[str], newsbeam_options: Sequence[str] = ()) -> None:
    """Raise UsageError unless every argument is an option some Beam ``PipelineOptions`` class defines.

    Beam itself only logs a warning for an unknown option and goes on without it, which turns a typo
    (``--html_dir`` for ``--html-dir``) into a run of something else.
    """
    parser = _beam_option_parser()
    ours = {_normal_option(option): option for option in newsbeam_options}
    for argument in extra_args:
        name = argument.split("=", 1)[0]
        if name in parser._option_string_actions and _normal_option(name) in ours:
            # "--user_agent" is also one of Beam's options: Beam would take it and newsbeam's own
            # --user-agent would stay at its default.
            raise UsageError(
                f"unknown option {name} for newsbeam (it is Beam's own, and would leave newsbeam's"
                f" {ours[_normal_option(name)]} at its default); did you mean {ours[_normal_option(name)]}?"
            )
    _, unknown = parser.parse_known_args(list(extra_args))
    if not unknown:
        return
    first = next((arg for arg in unknown if arg.startswith("-")), unknown[0])
    if not first.startswith("-"):
        raise UsageError(f"unexpected argument {first!r} (options take the form --name VALUE)")
    name = first.split("=", 1)[0]
    valid = list(newsbeam_options) + [option for option in parser._option_string_actions if option.startswith("--")]
    # newsbeam's own options first: "--out" is "--output", not one of Beam's many "--output_..." ones.
    hint = closest_option(name, list(newsbeam_options)) or closest_option(name, valid)
    raise UsageError(
        f"unknown option {name}" + (f"; did you mean {hint}?" if hint else "")
        + " (newsbeam run --help lists newsbeam's options; Beam's are in its PipelineOptions)"
    )


def _normal_option(option: str) -> str:
    return option.lstrip("-").replace("_", "-").lower()


def closest_option(name: str, valid: Sequence[str]) -> Optional[str]:
    """The valid option most like ``name``, with '_' and '-' treated alike (``--html_dir``); a
    shortened name (``--out``) is taken for the one option it begins."""
    by_normal = {_normal_option(option): option for option in reversed(list(valid))}
    typed = _normal_option(name)
    if typed in by_normal:
        return by_normal[typed]
    longer = [option for normal, option in by_normal.items() if len(typed) >= 2 and normal.startswith(typed)]
    if len(longer) == 1:
        return longer[0]
    matches = difflib.get_close_matches(typed, list(by_normal), n=1, cutoff=0.75)
    return by_normal[matches[0]] if matches else None


def _beam_option_parser() -> argparse.ArgumentParser:
    # The parser Beam's own PipelineOptions.get_all_options builds from every PipelineOptions
    # subclass (runner-specific ones included); Beam offers no public call that reports unknown ones.
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

    class QuietParser(_BeamArgumentParser):
        def error(self, message: str):  # a bad value of a Beam option: one line, not Beam's usage text
            raise UsageError(f"Beam option: {message}")

    parser = QuietParser(allow_abbrev=False)
    classes = {str(cls): cls for cls in PipelineOptions.__subclasses__()}
    for cls in classes.values():
        cls._add_argparse_args(parser)
    return parser


def _option_strings(args: argparse.Namespace) -> list[str]:
    return list(getattr(args, "option_strings", []))


"""The ``newsbeam`` command: ``run``, ``code``, ``clean``, ``sql``, ``schema``, ``compact``, ``check`` and ``export``.

Bad input ends with one clear line on stderr and exit status 2; a failed query with status 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import NoReturn, Optional, Sequence

from pipeline.errors import UsageError, one_line

EXIT_FAILED = 1
EXIT_USAGE = 2
# Another writer holds the output's lock (EX_TEMPFAIL: try again later).
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
# The reader of standard output went away (`| head`): what a shell reports for a process SIGPIPE ended.
EXIT_BROKEN_PIPE = 141
COMMANDS = "{run,code,clean,sql,schema,compact,check,export}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while the command is still loading (before its own handling starts): one line.
        print("newsbeam: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Optional[Sequence[str]]) -> int:
    _quiet_import_warnings()
    parser = _build_parser()
    OneLineParser.typed = list(sys.argv[1:] if argv is None else argv)
    typed = OneLineParser.typed
    if typed and typed[0].startswith("-") and typed[0].split("=", 1)[0] not in parser._option_string_actions:
        parser.error(f"{typed[0].split('=', 1)[0]} comes before the command: options go after it (newsbeam COMMAND --option ...)")
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.error(f"a command is needed: one of {COMMANDS}")
    command = _command_parser(parser, args)
    repeated = _repeated_option(command, typed) if command is not None else None
    if repeated:
        command.error(f"{repeated} is given more than once (the last would silently win)")
    if extra and args.command != "run":
        command = _command_parser(parser, args)
        hint = command._typo_hint() if command is not None else ""
        print(usage_line(command_name(args), f"unrecognised arguments: {' '.join(extra)}{hint}"), file=sys.stderr)
        return EXIT_USAGE
    from transforms.sinks.interrupts import interrupts_as_exceptions

    with interrupts_as_exceptions():
        return _dispatch(args, extra)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, ``newsbeam CMD: error: ...``,
    with a pointer to ``--help`` instead of the usage block argparse prints first; exit status 2.

    Subcommand parsers are of the same class (argparse makes them with their parent's class)."""

    # The command line being parsed, for hints: set by ``main`` before parsing.
    typed: Sequence[str] = ()

    def __init__(self, *args, **kwargs) -> None:
        # "--inp" is no "--input": a shortened or mistyped option is an error, never a guess.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, usage_line(self.prog, message + self._choice_hint(message) + self._typo_hint()) + "\n")

    @staticmethod
    def _choice_hint(message: str) -> str:
        """"; did you mean code?" for a mistyped command (``newsbeam cod``)."""
        import difflib
        import re

        found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if not found:
            return ""
        typed = list(OneLineParser.typed)
        # "argument --format: invalid choice: 'xml'" is an option's value, not a misplaced command.
        if found.group(1) in typed and not message.startswith("argument -"):
            before = typed[typed.index(found.group(1)) - 1] if typed.index(found.group(1)) > 0 else ""
            if before.startswith("-"):
                # "newsbeam export --output o2 gdelt": the option's value was read as the command.
                return f"; {before} comes before the command: options go after it"
        choices = re.findall(r"[\w-]+", found.group(2))
        close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
        return f"; did you mean {close[0]}?" if close else ""

    def _typo_hint(self) -> str:
        """"; did you mean --input?" for an option this command does not know (``--inptu``), which
        argparse reports only as a required option missing."""
        from pipeline.plan import closest_option

        known = [option for option in self._option_string_actions if option.startswith("--")]
        for argument in OneLineParser.typed:
            name = argument.split("=", 1)[0]
            if name.startswith("--") and name not in self._option_string_actions:
                hint = closest_option(name, known)
                if hint:
                    return f" ({name} is no option of this command; did you mean {hint}?)"
        return ""


def _repeated_option(command: argparse.ArgumentParser, typed: Sequence[str]) -> Optional[str]:
    """The first option of ``command`` given twice on the command line, unless it is one that
    collects its values (``--warc``, ``--allow-host``); None when there is none."""
    seen: set[int] = set()
    for argument in typed:
        action = command._option_string_actions.get(argument.split("=", 1)[0])
        if action is None or isinstance(action, (argparse._AppendAction, argparse._CountAction, argparse._ExtendAction)):
            continue
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        if id(action) in seen:
            return argument.split("=", 1)[0]
        seen.add(id(action))
    return None


def _command_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Optional["OneLineParser"]:
    """The parser of the command ``args`` ran (``newsbeam export gdelt``'s for an export)."""
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        command = action.choices.get(args.command)
        if command is not None and args.command == "export":
            return _command_parser(command, argparse.Namespace(command=args.export_format)) or command
        return command
    return None


def usage_line(prog: str, message: str) -> str:
    """The one line a malformed command line gets: ``newsbeam sql: error: ... (see newsbeam sql --help)``."""
    return f"{prog}: error: {message} (see {prog} --help)"


def command_name(args: argparse.Namespace) -> str:
    """The command as typed and as its parser names itself: ``newsbeam sql``, ``newsbeam export gdelt``."""
    return " ".join(["newsbeam", args.command, *([args.export_format] if args.command == "export" else [])])


def _dispatch(args: argparse.Namespace, extra: Sequence[str]) -> int:
    """Run one command; every expected failure becomes one line on stderr and an exit status."""
    from pipeline.output_lock import OutputLocked

    name = command_name(args)
    try:
        return args.func(args, extra)
    except UsageError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputLocked as error:
        print(f"{name}: {error}", file=sys.stderr)
        return EXIT_LOCKED
    except BrokenPipeError:
        # The reader (`| head`) went away: no message (the reader chose to stop), but not 0 either,
        # since part of the output was never delivered (a script with `pipefail` should know).
        # Silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print(f"{name}: interrupted", file=sys.stderr)
        return interrupt_exit_status()
    except Exception as error:  # noqa: BLE001 - one line instead of a traceback, unless asked for
        if os.environ.get("NEWSBEAM_TRACEBACK"):
            raise
        print(f"{name}: failed: {one_line(error)} (NEWSBEAM_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return EXIT_FAILED


def interrupt_exit_status() -> int:
    """130 for Ctrl-C (SIGINT), 143 for SIGTERM, as shells report a process ended by either."""

    import signal

    from transforms.sinks.interrupts import received

    return EXIT_TERMINATED if received() == signal.SIGTERM else EXIT_INTERRUPTED


def _build_parser() -> argparse.ArgumentParser:
    from pipeline.check import add_check_arguments
    from pipeline.defaults import DEFAULT_OUTPUT
    from pipeline.options import (
        add_article_confidence_argument,
        add_lock_timeout_argument,
        add_run_arguments,
        add_streaming_arguments,
        path_text,
    )
    from pipeline.schema_ddl import DEFAULT_DATASET, FORMATS, LOCATION_PLACEHOLDER
    from pipeline.sql import OUTPUT_FORMATS

    parser = OneLineParser(prog="newsbeam", description="News feeds to geopolitical event data, on Apache Beam.")
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", metavar=COMMANDS)

    run = commands.add_parser(
        "run", help="run the pipeline on one source (--feeds, --sitemaps, --urls, --html-dir, --warc, --warc-list or --sample)",
        description="Run the pipeline. Options of Beam's PipelineOptions go to Beam (--runner, "
        "--direct_num_workers, ...); any other unknown option is an error. Exit status: 0 the run did "
        "its work, 2 usage error, 3 no source could be read at all, 75 another writer holds the output, "
        "130/143 interrupted.",
    )
    add_run_arguments(run)
    add_streaming_arguments(run)
    run.set_defaults(func=_run, option_strings=[option for action in run._actions for option in action.option_strings])

    for name, what in (("code", "code events in {id, text, date?} lines"), ("clean", "clean {id, url?, html} lines")):
        command = commands.add_parser(name, help=what, description=what.capitalize() + " (JSON lines; - is stdin/stdout).")
        command.add_argument("--input", required=True, metavar="FILE", type=path_text, help="JSON lines to read, or -")
        command.add_argument("--output", default="-", metavar="FILE", type=path_text, help="JSON lines to write, or - (default)")
        if name == "code":
            add_article_confidence_argument(command)
        command.set_defaults(func=_code if name == "code" else _clean)

    sql = commands.add_parser("sql", help="query the output tables with DuckDB SQL", description="Query articles, events and errors with DuckDB SQL.")
    sql.add_argument("query", help='e.g. "select event_root_code, count(*) from events group by 1"')
    sql.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", type=path_text, help=f"the run's output folder (default ./{DEFAULT_OUTPUT})")
    sql.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="how to print the result")
    sql.set_defaults(func=_sql)

    schema = commands.add_parser(
        "schema", help="print the DDL that declares the output tables in DuckDB, Spark, BigQuery, Trino or Athena",
        description="Print, from newsbeam's table schemas, the statements that declare the output tables over an "
        "output folder in an engine (columns, types, the ingest_date partition), or the schemas as JSON.",
    )
    schema.add_argument("table", nargs="?", metavar="TABLE", help="articles, events or errors (default: all three)")
    # Checked once, by schema_ddl.render (which other callers use too), not again by argparse `choices`.
    schema.add_argument("--format", required=True, metavar="{" + ",".join(FORMATS) + "}", help="the engine, or json")
    schema.add_argument(
        "--location", default=LOCATION_PLACEHOLDER, metavar="URI",
        help=f"the output folder: an absolute path or a gs:// or s3:// URI (default: {LOCATION_PLACEHOLDER}, to edit)",
    )
    schema.add_argument(
        "--dataset", default=DEFAULT_DATASET, metavar="NAME",
        help=f"the BigQuery dataset, Trino schema or Athena database (default: {DEFAULT_DATASET})",
    )
    schema.set_defaults(func=_schema)

    compact = commands.add_parser(
        "compact", help="merge the small Parquet files of each partition into few large ones",
        description="Merge each partition's small files into files of at most the table's rows per file, "
        "atomically and without changing a row; files of older schema versions are rewritten to the current one.",
    )
    compact.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", type=path_text, help=f"the output folder (default ./{DEFAULT_OUTPUT})")
    compact.add_argument("--table", metavar="TABLE", help="only this table: articles, events or errors (default: all)")
    compact.add_argument(
        "--before", metavar="DATE", help="only partitions dated before DATE (YYYY-MM-DD), e.g. today while a stream writes"
    )
    compact.add_argument(
        "--upgrade", action="store_true",
        help="also move events of outputs written before schema version 4 (event_date folders) into ingest_date partitions",
    )
    add_lock_timeout_argument(compact)
    compact.set_defaults(func=_compact)

    check = commands.add_parser(
        "check", help="verify every file, manifest and temp folder of an output (--repair mends)",
        description="Verify an output folder; --repair moves unreadable files to _quarantine/ (nothing is "
        "deleted) and completes interrupted commits. Exit status 0 when sound, 1 when problems remain.",
    )
    add_check_arguments(check)
    check.set_defaults(func=_check)

    export = commands.add_parser(
        "export", help="write the output in another dataset's format (gdelt)",
        description="Write the output's events in another dataset's file format.",
    )
    export_formats = export.add_subparsers(dest="export_format", metavar="{gdelt}", required=True)
    gdelt = export_formats.add_parser(
        "gdelt", help="GDELT 2.0 Events and Mentions files (tab-separated, GDELT's columns)",
        description="Write GDELT 2.0 Events (*.export.CSV: events first seen from --since to --until) and "
        "Mentions (*.mentions.CSV: mentions added in those days) files, tab-separated in GDELT's column "
        "order; existing files are never replaced.",
    )
    gdelt.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", type=path_text, help=f"the output folder (default ./{DEFAULT_OUTPUT})")
    gdelt.add_argument("--since", required=True, metavar="DATE", help="first UTC day (YYYY-MM-DD) events were added")
    gdelt.add_argument("--until", metavar="DATE", help="last UTC day, inclusive (default: today, UTC)")
    gdelt.add_argument("--to", required=True, metavar="FOLDER", type=path_text, help="where to write the files: a folder, gs:// or s3://")
    gdelt.set_defaults(func=_export_gdelt)
    return parser


def version_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "unknown"

    return f"newsbeam {of('newsbeam')} (Apache Beam {of('apache-beam')}, Python {sys.version.split()[0]})"


def _run(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    from pipeline.plan import plan_from_args
    from pipeline.run import RunInterrupted, execute
    from pipeline.summary import format_summary

    plan = plan_from_args(args, beam_args)
    problem = _syntax_model_problem()
    if problem:
        # Found in the workers, it would fail every article's coding, row by row.
        print(f"newsbeam run: {problem}", file=sys.stderr)
        return EXIT_FAILED
    logging.getLogger().setLevel(logging.WARNING)
    # Per-page parser chatter ("empty link", "discarding data") and the worker processes' start-up
    # warnings of multi-process runs would drown the run's own messages.
    for noisy in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "apache_beam.runners.portability.local_job_service"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    # A DoFn that raises is logged by Beam with its traceback before the job fails; the failure
    # reaches the user as one line (and the run record), so that log stays out of the terminal.
    logging.getLogger("apache_beam.runners.common").setLevel(logging.CRITICAL)
    try:
        report = execute(plan)
    except RunInterrupted as interrupted:
        print(f"newsbeam run: {interrupted.state}", file=sys.stderr)
        return interrupt_exit_status()
    print(format_summary(report))
    if report.problem:
        print(f"newsbeam run: {report.problem}", file=sys.stderr)
    return report.exit_status


def _syntax_model_problem() -> Optional[str]:
    """Why the coder's syntax model cannot load (missing or damaged), or None. Loading it here
    costs nothing extra on the local runners: the workers of this process reuse it."""
    from transforms.coding.syntax.parse import SyntaxModel, SyntaxModelError

    try:
        SyntaxModel()
    except SyntaxModelError as error:
        return str(error)
    return None


def _code(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.jsonl import code_handler

    return _jsonl(args, lambda: code_handler(args.min_article_confidence), ("text",), "events")


def _clean(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.jsonl import clean_handler

    return _jsonl(args, clean_handler, ("html",), "articles")


def _jsonl(args: argparse.Namespace, make_handler, required: tuple[str, ...], outputs: str) -> int:
    """Exit status 0 when every line was used (an empty input too, said on stderr, since an empty
    output alone cannot tell it from a wrong file), 1 when some were skipped."""
    from pipeline.jsonl import open_text, require_distinct_files, transform_lines

    require_distinct_files(args.input, args.output)
    try:
        with open_text(args.input, "r") as source, open_text(args.output, "w") as sink:
            read, rejected = transform_lines(source, sink, make_handler(), required)
    except KeyboardInterrupt:
        if args.output != "-" and not os.path.exists(args.output):
            print(f"newsbeam {args.command}: no output written to {args.output!r} (it appears whole or not at all)", file=sys.stderr)
        raise
    if not read:
        source_name = "stdin" if args.input == "-" else repr(args.input)
        print(f"newsbeam {args.command}: read 0 lines from {source_name}; wrote 0 {outputs}", file=sys.stderr)
    if rejected:
        print(f"newsbeam {args.command}: {rejected} of {read} lines skipped", file=sys.stderr)
        return 1
    return 0


def _sql(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.output import absolute_output
    from pipeline.sql import QueryFailed, run_query

    try:
        run_query(absolute_output(args.output), args.query, args.format)
    except QueryFailed as error:
        print(f"newsbeam sql: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _schema(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.schema_ddl import render, table_specs

    sys.stdout.write(render(table_specs(args.table), args.format, args.location, args.dataset))
    return 0


def _compact(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.claim import claim_output
    from pipeline.compact import compaction_request, execute, format_compaction

    request = compaction_request(args)
    with claim_output(request.output_dir, "compact", lock_timeout=args.lock_timeout) as claim:
        results = execute(request)
    for line in claim.recovery_lines():
        print(line, file=sys.stderr)
    print(format_compaction(claim.completed_compactions, results))
    return 0


def _export_gdelt(args: argparse.Namespace, _: Sequence[str]) -> int:
    import datetime

    from pipeline.export_gdelt import export_days, export_gdelt
    from pipeline.output import absolute_output

    since, until = export_days(args.since, args.until, today=datetime.datetime.now(datetime.timezone.utc).date())
    folder = absolute_output(args.to)
    exported = export_gdelt(absolute_output(args.output), since, until, folder)
    if exported.created_folder:
        print(f"Created the folder {folder}")
    print(f"Wrote {exported.events} events to {exported.events_path}")
    print(f"Wrote {exported.mentions} mentions to {exported.mentions_path}")
    if not exported.events and not exported.mentions:
        # GDELT's files hold what was added on their days; users often mean the day events happened.
        print(f"(--since and --until select the days events were first added to {args.output}, "
              "not the days they happened: a run's events are added on the day it runs)")
    return 0


def _check(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.check import run_check

    return run_check(args)


def _quiet_import_warnings() -> None:
    """Beam warns at import time about optional cloud clients we do not use; keep the terminal clean."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())

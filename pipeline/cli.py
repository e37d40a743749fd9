"""The ``newsbeam`` command: ``run``, ``code``, ``clean``, ``sql`` and ``compact``.

Bad input ends with one clear line on stderr and exit status 2; a failed query with status 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Optional, Sequence

from pipeline.errors import UsageError

EXIT_USAGE = 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    _quiet_import_warnings()
    parser = _build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if extra and args.command != "run":
        parser.error(f"unrecognised arguments: {' '.join(extra)}")
    try:
        return args.func(args, extra)
    except UsageError as error:
        print(f"newsbeam {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (`| head`) went away: not an error of ours; silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"newsbeam {args.command}: interrupted", file=sys.stderr)
        return 130


def _build_parser() -> argparse.ArgumentParser:
    from pipeline.defaults import DEFAULT_OUTPUT
    from pipeline.options import add_run_arguments, add_streaming_arguments
    from pipeline.sql import OUTPUT_FORMATS

    parser = argparse.ArgumentParser(
        prog="newsbeam", description="News feeds to geopolitical event data, on Apache Beam."
    )
    commands = parser.add_subparsers(dest="command", metavar="{run,code,clean,sql,compact}")

    run = commands.add_parser(
        "run", help="run the pipeline (the bundled sample corpus when no source is given)",
        description="Run the pipeline. Arguments not listed here go to Beam (--runner, --direct_num_workers, ...).",
    )
    add_run_arguments(run)
    add_streaming_arguments(run)
    run.set_defaults(func=_run)

    for name, what in (("code", "code events in {id, text, date?} lines"), ("clean", "clean {id, url?, html} lines")):
        command = commands.add_parser(name, help=what, description=what.capitalize() + " (JSON lines; - is stdin/stdout).")
        command.add_argument("--input", required=True, metavar="FILE", help="JSON lines to read, or -")
        command.add_argument("--output", default="-", metavar="FILE", help="JSON lines to write, or - (default)")
        command.set_defaults(func=_code if name == "code" else _clean)

    sql = commands.add_parser("sql", help="query the output tables with DuckDB SQL", description="Query articles, events and errors with DuckDB SQL.")
    sql.add_argument("query", help='e.g. "select event_root_code, count(*) from events group by 1"')
    sql.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", help=f"the run's output folder (default ./{DEFAULT_OUTPUT})")
    sql.add_argument("--format", choices=OUTPUT_FORMATS, default="table", help="how to print the result")
    sql.set_defaults(func=_sql)

    compact = commands.add_parser(
        "compact", help="merge the small Parquet files of each partition into few large ones",
        description="Merge each partition's small files into files of at most the table's rows per file, "
        "atomically and without changing a row.",
    )
    compact.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", help=f"the output folder (default ./{DEFAULT_OUTPUT})")
    compact.add_argument("--table", metavar="TABLE", help="only this table: articles, events or errors (default: all)")
    compact.add_argument(
        "--before", metavar="DATE", help="only partitions dated before DATE (YYYY-MM-DD), e.g. today while a stream writes"
    )
    compact.set_defaults(func=_compact)
    return parser


def _run(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    from pipeline.summary import format_summary

    if args.streaming:
        from pipeline.streaming import execute
    else:
        from pipeline.run import execute

    logging.getLogger().setLevel(logging.WARNING)
    # Per-page parser chatter ("empty link", "discarding data") would drown the run's own messages.
    for noisy in ("trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    print(format_summary(execute(args, beam_args)))
    return 0


def _code(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.jsonl import code_handler

    return _jsonl(args, code_handler, ("text",))


def _clean(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.jsonl import clean_handler

    return _jsonl(args, clean_handler, ("html",))


def _jsonl(args: argparse.Namespace, make_handler, required: tuple[str, ...]) -> int:
    from pipeline.jsonl import open_text, transform_lines

    with open_text(args.input, "r") as source, open_text(args.output, "w") as sink:
        read, rejected = transform_lines(source, sink, make_handler(), required)
    if rejected:
        print(f"newsbeam {args.command}: {rejected} of {read} lines skipped", file=sys.stderr)
        return 1
    return 0


def _sql(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.output import absolute_output
    from pipeline.sql import run_query

    run_query(absolute_output(args.output), args.query, args.format)
    return 0


def _compact(args: argparse.Namespace, _: Sequence[str]) -> int:
    from pipeline.compact import execute, format_compaction

    print(format_compaction(*execute(args)))
    return 0


def _quiet_import_warnings() -> None:
    """Beam warns at import time about optional cloud clients we do not use; keep the terminal clean."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")


if __name__ == "__main__":
    sys.exit(main())

"""What a run pays before its first page, on an output that already holds many files.

Every run claims the output (lock, run-id check, recovery) and checks the footer of every stored
Parquet file it reads for dedupe (a damaged file must not stop the run). Both grow with the number
of files, so this builds an output of N small files per table (what a 15-minute schedule leaves
before compaction) and times, in the same process:

- baseline: listing the files (``FileSystems.match``), which reading them for dedupe needs anyway;
- claim: ``claim_output`` (lock, run-id check over run records, temp folders and table files,
  recovery) on that output;
- footers: ``match_partitioned_files`` over the three tables (what ``ReadStored`` does).

    python -m benchmarks.run_start_overhead [--files 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import tempfile
import time

from apache_beam.io.filesystems import FileSystems

from pipeline.claim import claim_output
from schemas import ERRORS, TABLES
from schemas.errors import make_error
from transforms.sinks.integrity import match_partitioned_files
from transforms.sinks.layout import final_file_path, table_pattern
from transforms.sinks.parquet import write_parquet_file


def build_output(root: str, files: int) -> None:
    """``files`` one-row errors files over 30 days, as ``files`` scheduled runs would leave them."""
    start = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
    for index in range(files):
        moment = start + datetime.timedelta(minutes=15 * index)
        row = make_error("fetch", f"https://example.org/{index}", "timeout", "slow", now=moment)
        path = final_file_path(root, ERRORS.name, moment.date().isoformat(), f"run{index:05d}", 0)
        write_parquet_file(path, ERRORS, [row._asdict()])


def timed(action, repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        build_output(root, args.files)
        patterns = [table_pattern(root, spec.name) for spec in TABLES.values()]
        baseline = timed(lambda: FileSystems.match(patterns), args.repeat)

        counter = iter(range(10**6))

        def claim() -> None:
            with claim_output(root, "run", f"bench-{next(counter)}"):
                pass

        claiming = timed(claim, args.repeat)
        footers = timed(lambda: [match_partitioned_files(root, spec) for spec in TABLES.values()], args.repeat)
    print(f"output of {args.files} files, median of {args.repeat}:")
    print(f"  listing the files (baseline)   {baseline * 1000:8.1f} ms")
    print(f"  claim_output                   {claiming * 1000:8.1f} ms  ({claiming / baseline:.1f}x the listing)")
    print(f"  footer check of every file     {footers * 1000:8.1f} ms  ({footers / baseline:.1f}x the listing, "
          f"{footers / args.files * 1e6:.0f} us a file)")


if __name__ == "__main__":
    main()

"""Files, rows and partitions that one pipeline run adds to each table of an output.

Runs ``newsbeam run --html-dir DIR --quiet`` once into a fresh temporary output and prints, per
table, the files (zero-row ones apart), rows, MB and ``ingest_date`` partitions it wrote, and the
run's wall time. DIR defaults to the 711 saved article pages of
``../shared/eval/extraction/wcxb-dev-articles/html`` (read in place as ``.html.gz``, never copied).
``benchmarks/compaction_week.py`` simulates a week of scheduled runs assuming one file per table
per run; this checks that assumption on real pages. Other arguments go to the run (Beam options).

    python -m benchmarks.files_per_run [--html-dir DIR] [--keep] [--direct_num_workers=2 ...]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.replay_workers import EXTRACTION
from schemas import TABLES
from transforms.sinks.layout import table_pattern

WCXB_PAGES = EXTRACTION / "wcxb-dev-articles" / "html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--html-dir", type=Path, default=WCXB_PAGES, help="saved pages (default: wcxb dev articles)")
    parser.add_argument("--keep", action="store_true", help="keep the output and print where it is")
    args, run_args = parser.parse_known_args()
    pages = sum(1 for path in args.html_dir.rglob("*") if path.name.endswith((".html", ".htm", ".html.gz", ".htm.gz")))

    scratch = tempfile.mkdtemp(prefix="newsbeam-files-per-run-")
    try:
        output = Path(scratch, "out")
        command = [sys.executable, "-m", "pipeline.cli", "run", "--html-dir", str(args.html_dir),
                   "--output", str(output), "--quiet", *run_args]
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        completed = subprocess.run(command, capture_output=True, text=True)
        wall = time.monotonic() - started
        if completed.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")

        print(f"one run over {pages} saved pages in {args.html_dir}: {wall:.0f} s wall "
              f"(load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"  {'table':<10}{'files':>7}{'empty':>7}{'rows':>8}{'MB':>8}{'partitions':>12}")
        for name in TABLES:
            paths = sorted(Path(path) for path in glob.glob(table_pattern(str(output), name)))
            rows = [pq.ParquetFile(path).metadata.num_rows for path in paths]
            partitions = {path.parent.name for path in paths}
            megabytes = sum(path.stat().st_size for path in paths) / 1e6
            print(f"  {name:<10}{len(paths):>7}{rows.count(0):>7}{sum(rows):>8,}{megabytes:>8.2f}{len(partitions):>12}")
    finally:
        if args.keep:
            print(f"output kept in {scratch}")
        else:
            shutil.rmtree(scratch)


if __name__ == "__main__":
    main()

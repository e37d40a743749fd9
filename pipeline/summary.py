"""The text ``newsbeam run`` prints when a job ends."""

from __future__ import annotations

import os
import shlex

from apache_beam.io.filesystems import FileSystems

from pipeline.defaults import DEFAULT_OUTPUT
from pipeline.run import RunReport

EXAMPLE_QUERY = "select event_root_code, count(*) as events from events group by 1 order by 1"


def format_summary(report: RunReport) -> str:
    if report.dry_run:
        return f"newsbeam run {report.run_id}: job built for {report.runner} (--dry_run: nothing was run or written)"
    lines = [
        f"newsbeam run {report.run_id} finished in {report.seconds:.1f} s on {report.runner}"
        + (" (bundled sample corpus)" if report.used_sample else ""),
    ]
    if report.recovery:
        lines += ["", "Before this run:", *[f"  {line}" for line in report.recovery]]
    lines += [
        "",
        "Rows written:",
    ]
    for table, rows in report.rows.items():
        lines.append(f"  {table:<9}{rows:>8}  {FileSystems.join(report.output_dir, table)}")
    lines += ["", "Errors by type:"]
    lines += [f"  {name:<26}{count:>6}" for name, count in sorted(report.error_types.items())] or ["  (none)"]
    lines += ["", "Beam counters:"]
    lines += [f"  {name:<34}{value:>8}" for name, value in report.counters.items()]
    lines += ["", "Query the tables with SQL, for example:", f"  {example_sql_command(report.output_dir)}"]
    return "\n".join(lines)


def example_sql_command(output_dir: str) -> str:
    command = f"newsbeam sql {shlex.quote(EXAMPLE_QUERY)}"
    if os.path.abspath(DEFAULT_OUTPUT) != output_dir:
        command += f" --output {shlex.quote(output_dir)}"
    return command

"""The text ``newsbeam run`` prints when a job ends."""

from __future__ import annotations

import os
import shlex

from apache_beam.io.filesystems import FileSystems

from pipeline.defaults import DEFAULT_OUTPUT
from pipeline.run import RunReport
from transforms.sources.warc import SKIP_REASONS

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
    lines += backfill_lines(report.counters)
    lines += ["", "Beam counters:"]
    lines += [f"  {name:<34}{value:>8}" for name, value in report.counters.items()]
    lines += ["", "Query the tables with SQL, for example:", f"  {example_sql_command(report.output_dir)}"]
    return "\n".join(lines)


def backfill_lines(counters: dict[str, int]) -> list[str]:
    """What became of the records of WARC files, and what the backfill filters dropped (when either did anything)."""
    lines = []
    if "warc/records_read" in counters:
        skipped = ", ".join(
            f"{label} {counters[f'warc/skipped_{reason}']}" for reason, label in SKIP_REASONS.items() if counters.get(f"warc/skipped_{reason}")
        )
        lines += [
            "",
            f"WARC records: {counters['warc/records_read']} read, {counters.get('warc/pages_kept', 0)} kept as pages, "
            f"{counters.get('warc/broken_records', 0)} broken" + (f"; skipped: {skipped}" if skipped else ""),
        ]
    by_domain, by_date = counters.get("backfill/filtered_by_domain", 0), counters.get("backfill/filtered_by_date", 0)
    if by_domain or by_date:
        lines += ["", f"Filtered out: {by_domain} outside --domains, {by_date} published outside --since/--until"]
    return lines


def example_sql_command(output_dir: str) -> str:
    command = f"newsbeam sql {shlex.quote(EXAMPLE_QUERY)}"
    if os.path.abspath(DEFAULT_OUTPUT) != output_dir:
        command += f" --output {shlex.quote(output_dir)}"
    return command

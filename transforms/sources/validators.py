"""Conditional GET for feeds: the ETag and Last-Modified each feed sent, kept between runs.

A run writes what it learnt to ``_temp/<run-id>/feed-validators.json``; only after the run has
succeeded does the launcher merge it into ``_state/feeds/validators.json``, so a failed run can never
make the next one skip a feed whose entries were not stored.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Optional

from apache_beam.io.filesystems import FileSystems

Validators = dict[str, dict[str, str]]

STATE_PATH = ("_state", "feeds", "validators.json")


def state_file(output_dir: str) -> str:
    return FileSystems.join(output_dir, *STATE_PATH)


def run_file(output_dir: str, run_id: str) -> str:
    return FileSystems.join(output_dir, "_temp", run_id, "feed-validators.json")


def from_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The validators worth keeping from a response's (lower-cased) headers."""
    kept = {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
    return {name: value for name, value in kept.items() if value}


def request_headers(validators: Optional[Mapping[str, str]]) -> dict[str, str]:
    """The conditional request headers for a feed we have seen before."""
    headers = {}
    if validators and validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators and validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def load(path: str) -> Validators:
    if not FileSystems.exists(path):
        return {}
    with FileSystems.open(path) as handle:
        try:
            document = json.loads(handle.read().decode("utf-8"))
        except ValueError:
            return {}  # a damaged state file only costs one unconditional fetch per feed
    return {url: dict(values) for url, values in document.items() if isinstance(values, dict)}


def save(path: str, validators: Mapping[str, Mapping[str, str]]) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(dict(sorted(validators.items())), indent=1).encode("utf-8"))


def write_run_validators(output_dir: str, run_id: str, learnt: Iterable[tuple[str, dict[str, str]]]) -> None:
    save(run_file(output_dir, run_id), dict(learnt))


def merge_after_success(output_dir: str, run_id: str) -> int:
    """Fold a finished run's validators into the state file; returns how many feeds it updated."""
    learnt = load(run_file(output_dir, run_id))
    if not learnt:
        return 0
    state = load(state_file(output_dir))
    state.update(learnt)
    save(state_file(output_dir), state)
    return len(learnt)

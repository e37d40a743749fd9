"""Conditional GET for feeds: the ETag and Last-Modified each feed sent, kept between runs.

A batch run writes what it learnt to ``_temp/<run-id>/feed-validators.json``; only after the run has
succeeded does the launcher merge it into ``_state/feeds/validators.json``, so a failed run can never
make the next one skip a feed whose entries were not stored. A stream keeps them in its own state
from poll to poll (``transforms.sources.poll``) and merges each window's into the state file right
after that window's commit, for the same reason.

Whatever these files hold is sent back as request headers, so only well-formed entries are kept
when reading them: a damaged file costs unconditional fetches, never a run.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from typing import Any, Iterable, Mapping, Optional

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.sinks.layout import feed_validators_path, run_feed_validators_path

Validators = dict[str, dict[str, str]]

VALIDATOR_NAMES = ("etag", "last_modified")
# How a problem names what json.loads returned instead of an object.
_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean", type(None): "null"}

_LOGGER = logging.getLogger(__name__)


def state_file(output_dir: str) -> str:
    return feed_validators_path(output_dir)


def run_file(output_dir: str, run_id: str) -> str:
    return run_feed_validators_path(output_dir, run_id)


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
    """The file's well-formed entries ({} when there is no file); the rest is dropped with a warning."""
    validators, problem = read_checked(path)
    if problem is not None:
        _LOGGER.warning("%s: %s; the feeds concerned are fetched unconditionally", path, problem)
    return validators


def read_checked(path: str) -> tuple[Validators, Optional[str]]:
    """The well-formed entries of a validators file, and what else it holds in one line (None when
    nothing): a JSON object mapping feed URLs to objects whose ``etag`` and ``last_modified``, when
    present, are strings a request header can carry. Other keys of an entry are dropped silently."""
    if not FileSystems.exists(path):
        return {}, None
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            document = json.loads(handle.read().decode("utf-8"))
    except (ValueError, RecursionError) as error:
        return {}, f"cannot be parsed: {(str(error).splitlines() or [type(error).__name__])[0]}"
    if not isinstance(document, dict):
        return {}, f"holds {_JSON_KINDS[type(document)]}, not an object of feed URLs"
    kept = {url: entry for url, entry in ((url, _entry(values)) for url, values in document.items()) if entry is not None}
    dropped = [url for url in document if url not in kept]
    if dropped:
        return kept, f"{len(dropped)} of {len(document)} feed entries are not as a run writes them, e.g. {dropped[0]!r}"
    return kept, None


def _entry(values: Any) -> Optional[dict[str, str]]:
    """The validators of one feed entry, or None when the entry is not an object of header values."""
    if not isinstance(values, dict) or not all(_is_header_value(values.get(name, "")) for name in VALIDATOR_NAMES):
        return None
    return {name: values[name] for name in VALIDATOR_NAMES if name in values}


def _is_header_value(value: Any) -> bool:
    """A string http.client sends as it is: Latin-1, without control characters (CR, LF, NUL ...)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(unicodedata.category(character) == "Cc" for character in value)


def save(path: str, validators: Mapping[str, Mapping[str, str]]) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(dict(sorted(validators.items())), indent=1).encode("utf-8"))


def write_run_validators(output_dir: str, run_id: str, learnt: Iterable[tuple[str, dict[str, str]]]) -> None:
    save(run_file(output_dir, run_id), dict(learnt))


def merge_after_success(output_dir: str, run_id: str) -> int:
    """Fold a finished run's validators into the state file; returns how many feeds it updated."""
    return merge_into_state(output_dir, load(run_file(output_dir, run_id)))


def merge_into_state(output_dir: str, learnt: Mapping[str, Mapping[str, str]]) -> int:
    """Fold validators whose feeds' entries are all stored (a finished run's, a stream's committed
    window's) into the state file; returns how many feeds it updated.

    A damaged state file is rewritten with its well-formed entries even when nothing was learnt,
    so the damage is not met again by every later run."""
    state, problem = read_checked(state_file(output_dir))
    if not learnt and problem is None:
        return 0
    state.update({url: dict(values) for url, values in learnt.items()})
    save(state_file(output_dir), state)
    return len(learnt)

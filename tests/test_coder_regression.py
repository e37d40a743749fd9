"""Regression suite for the event coder: our own sentences with the events they must (not) give.

Each line of ``tests/coder_cases/*.jsonl``: ``text``, optional ``date`` (default 2024-03-06),
``expect`` (events that must be among the coded ones; ``[]`` means no event at all) and optional
``forbid`` (events that must not be coded), optional ``max_events`` (no more rows than that: one
action must not give the same event twice). An expected event lists only the fields it checks:
``actor1``/``actor2`` (actor codes, null for none), ``code``, ``root``, ``plover``, ``event_date``,
``geo_country``. ``"min_article_confidence": 0`` codes the case with every event kept (the case
tests an article mechanism on an event below the article confidence floor).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.events import CodedEvent
from transforms.coding import Coder

CASES_DIR = Path(__file__).resolve().parent / "coder_cases"
DEFAULT_DATE = "2024-03-06"
FIELDS = {
    "actor1": lambda event: event.actor1_code,
    "actor2": lambda event: event.actor2_code,
    "code": lambda event: event.event_code,
    "root": lambda event: event.event_root_code,
    "plover": lambda event: event.plover_type,
    "event_date": lambda event: event.event_date,
    "geo_country": lambda event: event.action_geo_country_code,
}


def load_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                cases.append((f"{path.stem}:{number}", json.loads(line)))
    return cases


CASES = load_cases()


def matches(event: CodedEvent, wanted: dict) -> bool:
    return all(FIELDS[field](event) == value for field, value in wanted.items())


def describe(events: list[CodedEvent]) -> list[str]:
    return [f"{e.actor1_code}>{e.event_code}>{e.actor2_code} {e.event_date} {e.action_geo_country_code}" for e in events]


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


@pytest.fixture(scope="module")
def every_event_coder() -> Coder:
    """For cases (``"min_article_confidence": 0``) that test how an article's context codes an
    event the article confidence floor would hold back."""
    return Coder(min_article_confidence=0)


def test_suite_is_large_and_covers_every_root():
    assert len(CASES) >= 100
    roots = {wanted.get("root") or wanted.get("code", "")[:2] for _, case in CASES for wanted in case["expect"]}
    assert {f"{number:02d}" for number in range(1, 21)} <= roots
    assert sum(1 for _, case in CASES if case["expect"] == []) >= 20


@pytest.mark.parametrize("case_id, case", CASES, ids=[case_id for case_id, _ in CASES])
def test_case(coder: Coder, every_event_coder: Coder, case_id: str, case: dict):
    chosen = every_event_coder if case.get("min_article_confidence") == 0 else coder
    events = chosen.code_text(case["text"], case.get("date", DEFAULT_DATE))
    if case["expect"] == []:
        assert events == [], describe(events)
    for wanted in case["expect"]:
        assert any(matches(event, wanted) for event in events), (wanted, describe(events))
    for unwanted in case.get("forbid", []):
        assert not any(matches(event, unwanted) for event in events), (unwanted, describe(events))
    assert len(events) <= case.get("max_events", len(events)), describe(events)

"""Word-order predicates of the coder (transforms/coding/word_order.py), on prepared sentences."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.coding.coder import Coder
from transforms.coding.word_order import reported_subject, reporting_doer

BASE = datetime.date(2024, 3, 6)
PROTEST = "140"


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


def doer_of_protest(coder: Coder, sentence: str):
    ready = coder._prepare(sentence, BASE, {})
    assert ready is not None
    protest = next(match for match in ready.matches if match.code == PROTEST)
    return reporting_doer(coder.cues, ready.tokens, ready.actors, protest), ready


def test_a_protest_after_a_comma_at_the_end_reports_the_clause_before_it(coder):
    doer, ready = doer_of_protest(coder, "Turkish police had beaten journalists, Amnesty International protested on Monday.")
    assert doer is not None and doer.code == "NGOAMN"
    about = reported_subject(coder.cues, ready.tokens, ready.actors)
    assert about is not None and about.code == "TURCOP"


@pytest.mark.parametrize("sentence", [
    "Amnesty International protested the arrest of journalists by Turkish police.",  # no comma before
    "Turkish police beat journalists, and Amnesty International protested to the Turkish government.",  # an actor after
    "The government raised fuel prices, Kenyans protested in Nairobi.",  # a place: the streets
    "The government raised fuel prices, protesters protested on Monday.",  # a crowd
])
def test_a_protest_that_is_done_reports_nothing(coder, sentence):
    doer, _ = doer_of_protest(coder, sentence)
    assert doer is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Kenya", "police", ",", "protested", "the", "in", "Nairobi", "on", "Monday", "."]), max_size=14))
def test_the_reporting_doer_is_an_actor_right_before_the_verb(coder, words):
    ready = coder._prepare(" ".join(words), BASE, {})
    if ready is None:
        return
    for match in ready.matches:
        doer = reporting_doer(coder.cues, ready.tokens, ready.actors, match)
        assert doer is None or (doer in ready.actors and doer.end == match.start)

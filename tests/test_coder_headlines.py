"""Title Case headlines go to the parser with their verbs and function words in lower case."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from transforms.coding import Coder
from transforms.coding.text import lower_first_letters, tokenize

STORY_DATE = datetime.date(2026, 11, 20)


@given(st.text(max_size=80))
def test_lowering_keeps_every_offset(text: str) -> None:
    tokens = tokenize(text)
    lowered = lower_first_letters(text, 0, tokens)
    assert len(lowered) == len(text)
    assert lowered.lower() == text.lower() or any(len(c.lower()) != 1 for c in text)


def test_lowering_changes_only_first_letters_and_keeps_capitals_words() -> None:
    text = "Russia Attacks US Bases"
    tokens = tokenize(text)
    assert lower_first_letters(text, 0, tokens[1:3]) == "Russia attacks US Bases"


def test_parser_reads_a_title_case_headline_as_running_text() -> None:
    coder = Coder()
    ready = coder._prepare("Pakistan Arrests Opposition Leader Imran Khan In Islamabad", STORY_DATE, {})
    assert ready is not None
    assert ready.parsed_text == "Pakistan arrests Opposition Leader Imran Khan in Islamabad"


def test_running_text_is_parsed_as_written() -> None:
    coder = Coder()
    sentence = "Pakistan's Premier Consulting Partner said on Monday that talks In Islamabad failed."
    ready = coder._prepare(sentence, STORY_DATE, {})
    assert ready is not None and ready.parsed_text == sentence

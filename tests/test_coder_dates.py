"""Event dates: the article date moved by relative and explicit dates in the sentence."""

from __future__ import annotations

import datetime

import pytest

from transforms.coding import Coder
from transforms.coding.dates import event_date, latest_past_year, parse_date
from transforms.coding.text import is_month_name, tokenize

WEDNESDAY = datetime.date(2024, 3, 6)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Troops attacked the town yesterday.", "2024-03-05"),
        ("Troops attacked the town last night.", "2024-03-05"),
        ("Troops attacked the town today.", "2024-03-06"),
        ("Troops attacked the town on Monday.", "2024-03-04"),
        ("Troops attacked the town on Wednesday.", "2024-03-06"),
        ("Troops attacked the town last Wednesday.", "2024-02-28"),
        ("Troops attacked the town on Thursday.", "2024-02-29"),
        ("Troops attacked the town on March 1.", "2024-03-01"),
        ("Troops attacked the town on 2 February.", "2024-02-02"),
        # A day without a year after the story's date is last year's: news reports the past.
        ("Troops attacked the town on December 25.", "2023-12-25"),
        ("Troops attacked the town on 7 March.", "2023-03-07"),
        ("Troops attacked the town on Sept. 11, 2001.", "2001-09-11"),
        ("The report dated 2019-07-04 describes the attack.", "2019-07-04"),
        ("Troops attacked the town.", "2024-03-06"),
        ("Officials said they may attack the town.", "2024-03-06"),
    ],
)
def test_event_date(sentence, expected):
    assert event_date(sentence, WEDNESDAY).isoformat() == expected


def test_explicit_date_wins_over_relative_words():
    assert event_date("Yesterday officials recalled the attack of May 3, 2020.", WEDNESDAY) == datetime.date(2020, 5, 3)


def test_parse_date_accepts_dates_iso_strings_timestamps_and_none():
    assert parse_date(WEDNESDAY) == WEDNESDAY
    assert parse_date(datetime.datetime(2024, 3, 6, 23, 59)) == WEDNESDAY
    assert parse_date("2024-03-06") == WEDNESDAY
    assert parse_date("2024-03-06T10:00:00Z") == WEDNESDAY
    assert parse_date(None, today=WEDNESDAY) == WEDNESDAY
    assert parse_date(None) == datetime.datetime.now(datetime.timezone.utc).date()


@pytest.mark.parametrize(
    "sentence, position, expected",
    [
        ("The vote will be held in March .", 6, True),
        ("March 3 was the deadline .", 0, True),
        ("March on the capital , they said .", 0, False),
        ("Talks may resume .", 1, False),
        ("Theresa May spoke .", 1, True),
    ],
)
def test_capitalised_month_names_are_months_not_verbs(sentence, position, expected):
    assert is_month_name(tokenize(sentence), position) is expected


def test_an_undated_article_is_as_recent_as_the_latest_past_year_it_names():
    today = datetime.date(2026, 12, 2)
    assert latest_past_year("In 2003 the outbreak ... in November 2019 ... the 2030 deadline", today) == 2019
    assert latest_past_year("No year here.", today) is None


def test_history_in_an_undated_article_is_not_coded_but_a_single_sentence_is():
    coder = Coder()
    old = "In 2003, Chinese police arrested dozens of protesters in Beijing."
    article = old + "\n\nIn November 2019, Hong Kong police fired tear gas at protesters."
    coded = {event.sentence_index for event in coder.code_text(article)}
    assert 0 not in coded and 1 in coded
    assert coder.code_text(old)  # alone, nothing says it is old

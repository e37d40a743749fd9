"""The plain predicates that say whether an action is reported (transforms/coding/reporting.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from transforms.coding.reporting import is_headline_list, is_question
from transforms.coding.text import title_case, tokenize


def test_a_question_reports_nothing_unless_it_is_quoted():
    assert is_question(tokenize("What did the prosecutors say?"))
    assert is_question(tokenize("Why would these experts be outraged (as they say)?"))
    assert not is_question(tokenize('"Why did you attack us?" the minister asked.'))
    assert not is_question(tokenize("The minister asked why the army attacked."))


def test_title_case_and_navigation_runs():
    assert title_case(tokenize("China Warns Taiwan Over Drills"))
    assert not title_case(tokenize("China warned Taiwan over the drills on Monday."))
    run = " ".join(["Russia Attacks Ukrainian Port Again", "Ten Recipes For Summer", "Kenya Protests Over Taxes"] * 3)
    assert is_headline_list(tokenize(run))
    assert not is_headline_list(tokenize("Russia Attacks Ukrainian Port Again"))


@given(st.text(max_size=200))
def test_the_predicates_take_any_text(text):
    tokens = tokenize(text)
    assert isinstance(is_question(tokens), bool)
    assert is_headline_list(tokens) <= title_case(tokens)

"""Articles' tone from vaderSentiment's lexicon, on GDELT's scale."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.clean.tone import ToneLexicon, parse_lexicon


@pytest.fixture(scope="module")
def lexicon() -> ToneLexicon:
    return ToneLexicon.load()


def test_the_lexicon_ships_inside_the_installed_package_and_knows_news_words(lexicon):
    tone = lexicon.tone("Troops killed protesters; leaders condemned the brutal attack.")
    assert tone is not None and tone.negative > 0 and tone.tone < 0
    assert lexicon.tone("The two leaders welcomed a peaceful agreement.").tone > 0


def test_figures_are_percentages_of_all_words():
    lexicon = ToneLexicon({"good": 1, "bad": -1})
    tone = lexicon.tone("good good bad and then some other words here")  # 9 words
    assert tone.positive == pytest.approx(200 / 9, abs=1e-3)
    assert tone.negative == pytest.approx(100 / 9, abs=1e-3)
    assert tone.tone == pytest.approx(100 / 9, abs=1e-3)
    assert tone.polarity == pytest.approx(300 / 9, abs=1e-3)


def test_text_without_words_has_no_tone(lexicon):
    assert lexicon.tone("") is None and lexicon.tone("2026 — 42 %") is None


def test_lexicon_lines_give_signs_and_skip_emoticons_neutral_and_broken_lines():
    text = "good\t1.9\t0.9\t[2, 2]\nbad\t-2.5\t0.5\t[]\n:-)\t1.3\t0.4\t[]\nmeh\t0.0\t1\t[]\nbroken\nodd\tx\t1\t[]\n"
    assert parse_lexicon(text) == {"good": 1, "bad": -1}


@given(st.text(max_size=400))
def test_any_text_gives_bounded_consistent_figures(lexicon, text):
    tone = lexicon.tone(text)
    if tone is not None:
        assert -100 <= tone.tone <= 100 and 0 <= tone.positive <= 100 and 0 <= tone.negative <= 100
        assert math.isclose(tone.tone, tone.positive - tone.negative, abs_tol=1e-3)
        assert math.isclose(tone.polarity, tone.positive + tone.negative, abs_tol=1e-3)

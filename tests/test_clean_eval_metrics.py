"""The extraction benchmark's scoring, checked on hand-made texts."""

from __future__ import annotations

import pytest

from benchmarks.eval_extraction import (
    bag_of_words_f1,
    benchmark_scores,
    same_day_in_some_zone,
    shingle_match,
)

TRUTH = "one two three four five six"


def test_identical_texts_match_fully():
    assert shingle_match(TRUTH, TRUTH) == (1.0, 0.0, 0.0)
    assert benchmark_scores([shingle_match(TRUTH, TRUTH)]) == (1.0, 1.0, 1.0)


def test_extra_text_costs_precision_not_recall():
    tp, fp, fn = shingle_match(TRUTH, TRUTH + " seven eight")
    assert fn == 0.0 and fp > 0.0
    precision, recall, _ = benchmark_scores([(tp, fp, fn)])
    assert recall == 1.0 and precision == pytest.approx(3 / 5)


def test_shingles_are_counted_as_multisets():
    # the repeated text adds shingles the truth has only once
    tp, fp, fn = shingle_match(TRUTH, f"{TRUTH} {TRUTH}")
    assert fp > 0.0 and fn == 0.0


def test_bag_of_words_is_case_insensitive():
    assert bag_of_words_f1("The Cat sat", "the cat SAT") == 1.0
    assert bag_of_words_f1("the cat sat", "") == 0.0


@pytest.mark.parametrize(
    ("predicted", "expected"),
    [
        ("2020-04-13T01:00:00+00:00", True),  # 21:00 on the 12th in New York
        ("2020-04-12T10:00:00+00:00", True),
        ("2020-04-14T13:00:00+00:00", False),
        ("2020-04-13T00:00:00+00:00", False),  # a date without time must match exactly
        ("2020-04-12T00:00:00+00:00", True),
        (None, False),
    ],
)
def test_zone_tolerant_dates(predicted, expected):
    assert same_day_in_some_zone("2020-04-12", predicted) is expected

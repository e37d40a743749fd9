"""The coder's shortcuts change nothing: a sentence the key-word look-up skips has no event, the
cheap word set is the tokenizer's, and the topic regex matches what a flat word list matches."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from transforms.coding import Coder
from transforms.coding.actions import ActionLexicon, compile_pattern
from transforms.coding.relevance import RelevanceFilter
from transforms.coding.text import token_words, tokenize

CASES_DIR = Path(__file__).resolve().parent / "coder_cases"
DATE = datetime.date(2024, 3, 6)
# Sentences of the kinds most of an article is made of: no action, no actor, or neither.
WITHOUT_EVENTS = (
    "The weather was mild for the time of year.",  # no actor
    "Click here to subscribe to our newsletter.",
    "Ukrainian officials and Russian diplomats.",  # actors, no action
    "Apple shares rose two percent in early trading.",
)
WITH_EVENTS = (
    "Russian forces shelled the Ukrainian city of Kharkiv on Monday, officials said.",
    "Turkey summoned the Swedish ambassador to protest against the burning of a Koran.",
    "Police detained four opposition activists in Harare on Sunday.",
    "KABUL (Reuters) - Taliban fighters attacked a police checkpoint.",
)


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


def _case_sentences() -> list[str]:
    return [
        json.loads(line)["text"]
        for path in sorted(CASES_DIR.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_sentences_without_an_action_or_an_actor_are_skipped(coder, monkeypatch):
    assert not any(coder._may_have_event(sentence) for sentence in WITHOUT_EVENTS)
    # The full analysis agrees: none of them has an event.
    monkeypatch.setattr(coder, "_may_have_event", lambda sentence, known_names=None: True)
    assert all(coder.code_sentence(sentence, DATE) == [] for sentence in WITHOUT_EVENTS)


def test_sentences_with_events_are_not_skipped(coder):
    for sentence in WITH_EVENTS:
        assert coder._may_have_event(sentence), sentence
        assert coder.code_sentence(sentence, DATE), sentence


def test_the_look_up_changes_no_coded_case(coder, monkeypatch):
    sentences = _case_sentences() + list(WITHOUT_EVENTS) + list(WITH_EVENTS)
    with_look_up = [coder.code_sentence(sentence, DATE) for sentence in sentences]
    monkeypatch.setattr(coder, "_may_have_event", lambda sentence, known_names=None: True)
    assert [coder.code_sentence(sentence, DATE) for sentence in sentences] == with_look_up
    assert sum(map(bool, with_look_up)) > len(sentences) // 2


def test_event_keys_are_one_word_of_each_opening_phrase():
    lexicon = ActionLexicon([
        compile_pattern("163", "act", "impose+ _ sanction~|embargo"),
        compile_pattern("042", "act", "pay+ a visit _ to"),
        compile_pattern("000", "none", "peacekeeping"),  # keeps a word from reading as an action
    ])
    assert {"impose", "imposed", "imposes", "imposing", "visit"} <= lexicon.event_keys
    assert "peacekeeping" not in lexicon.event_keys
    assert not {"pay", "paid", "a", "to", "sanction", "embargo"} & lexicon.event_keys


def test_every_actor_phrase_has_a_key_word(coder):
    words = token_words("Hungarian and Romanian officials met the UN envoy in New Delhi.")
    assert {"hungarian", "romanian", "officials", "un", "envoy"} <= words & coder.actors.key_words
    assert "and" not in coder.actors.key_words and "met" not in coder.actors.key_words


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. didn't say it won't sign; they'll see.",
        "About 10,000 people (2.5 percent) marched in İstanbul's streets - \"peacefully\".",
        "Officials can't confirm the E.U.'s 3rd offer, ΑΘΗΝΑΣ said.",
    ],
)
def test_token_words_are_the_tokenizers_words(sentence):
    assert token_words(sentence) == {token.lower for token in tokenize(sentence)}


def test_topic_words_match_as_a_flat_word_list_would():
    words = ["award", "awards", "away game", "box office", "crash", "cricket", "ceo", "drink-driving"]
    topics = RelevanceFilter({"offtopic": {"all": words}, "score_pattern": r"\d+-\d+", "disaster_topics": []})
    flat = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
    sentences = [
        "He won two Awards.", "The awardee spoke.", "An away game.", "The awayday.", "Box office takings.",
        "A cricketer.", "The CEO said.", "Drink-driving rose.", "Drink driving rose.", "The crashes.",
    ]
    assert [topics.has_topic_words(s) for s in sentences] == [bool(flat.search(s)) for s in sentences]
    assert topics.has_topic_words("He won two Awards.") and not topics.has_topic_words("The awardee spoke.")

"""The coder's public interface, as the pipeline and the `newsbeam code` CLI call it."""

from __future__ import annotations

import datetime

import pytest

from schemas.events import CodedEvent
from transforms.coding import CODER_VERSION, Coder, code_text
from transforms.coding.actions import ActionLexicon, compile_pattern, load_patterns
from transforms.coding.inflection import noun_forms, verb_forms
from transforms.coding.text import dateline_end, split_sentences, tokenize

ARTICLE = (
    "Russian forces shelled the Ukrainian city of Kharkiv on Monday, officials said.\n\n"
    "The attack came a day after Kyiv accused Moscow of targeting power stations.\n\n"
    "Later the European Union condemned the strikes. Apple shares rose two percent."
)


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


def test_an_article_keeps_only_events_at_or_above_the_confidence_floor():
    # "The minister accused the opposition of lying": a minister of no known country, confidence
    # 0.45; alone it is a sentence and kept, in an article it is held back unless the floor is 0.
    sentence = "The minister accused the opposition of lying."
    article = "The weather was fine on Monday.\n\n" + sentence
    default = Coder()
    assert default.min_article_confidence == 0.6
    assert [event.event_root_code for event in default.code_text(sentence, "2024-05-02")] == ["11"]
    assert default.code_text(article, "2024-05-02") == []
    weak = [event.confidence for event in Coder(min_article_confidence=0).code_text(article, "2024-05-02")]
    assert weak and max(weak) < 0.6
    # A strong event stays in an article.
    strong = "Russia's foreign ministry condemned the strikes on Kyiv.\n\nThe weather was fine."
    assert [event.actor1_code for event in default.code_text(strong, "2024-05-02")] == ["RUSGOV"]
    for bad in (-0.1, 1.5, "0.6", float("nan"), True):
        with pytest.raises(ValueError, match="min_article_confidence"):
            Coder(min_article_confidence=bad)


def test_version_string():
    assert CODER_VERSION.startswith("newsbeam-coder ")


def test_code_text_returns_complete_coded_events(coder):
    events = coder.code_text(ARTICLE, datetime.date(2024, 3, 6))
    assert events and all(isinstance(event, CodedEvent) for event in events)
    first = events[0]
    assert (first.actor1_code, first.event_code, first.event_base_code, first.event_root_code) == ("RUSMIL", "194", "194", "19")
    assert (first.quad_class, first.goldstein, first.plover_type) == (4, -10.0, "ASSAULT")
    assert first.event_date == "2024-03-04"
    assert first.is_root_event and first.sentence_index == 0
    assert 0.0 < first.confidence <= 1.0
    assert {event.sentence_index for event in events} == {0, 1, 2}
    assert not any(event.is_root_event for event in events if event.sentence_index > 0)


def test_dates_as_strings_and_none(coder):
    assert coder.code_text("Iran condemned Israel.", "2024-03-06")[0].event_date == "2024-03-06"
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert coder.code_text("Iran condemned Israel.", None)[0].event_date == today


def test_a_text_or_date_of_the_wrong_type_is_a_clear_type_error(coder):
    with pytest.raises(TypeError, match="text must be a str, not bytes"):
        coder.code_text(b"Kenya condemned Uganda.")
    with pytest.raises(TypeError, match="date must be a date, an ISO date string or None, not int"):
        coder.code_text("Kenya condemned Uganda.", 20240305)
    assert coder.code_text(None) == []
    with pytest.raises(ValueError, match="date '05/03/2024' is not an ISO date"):
        coder.code_text("Kenya condemned Uganda.", "05/03/2024")
    with pytest.raises(ValueError, match="out of range"):
        coder.code_text("Yesterday Kenya condemned Uganda.", datetime.date(1, 1, 1))
    # Python's fromisoformat reads week dates and compact forms; users mean YYYY-MM-DD.
    for week_or_compact in ("2024-W10", "20240305"):
        with pytest.raises(ValueError, match="is not an ISO date"):
            coder.code_text("Kenya condemned Uganda.", week_or_compact)
    with pytest.raises(ValueError, match="lone surrogate at character 6"):
        coder.code_text("Kenya \ud800 condemned Uganda.", "2024-03-05")


def test_module_level_code_text_uses_a_shared_coder():
    events = code_text("Egypt praised Jordan.", "2024-03-06")
    assert [(e.actor1_code, e.event_code, e.actor2_code) for e in events] == [("EGY", "051", "JOR")]


def test_empty_and_irrelevant_texts_give_nothing(coder):
    assert coder.code_text("", None) == []
    assert coder.code_text("The weather was fine.", None) == []


def test_sentence_splitting_keeps_abbreviations():
    text = "U.S. President Joe Biden met Gen. Milley. They talked."
    assert split_sentences(text) == ["U.S. President Joe Biden met Gen. Milley.", "They talked."]
    assert [token.text for token in tokenize("didn't")] == ["did", "n't"]


def test_datelines_are_places_not_actors(coder):
    sentence = "KABUL, Afghanistan (Reuters) - Taliban fighters attacked a police post."
    assert sentence[dateline_end(sentence):].startswith("Taliban")
    assert dateline_end("NATO - the alliance - said so.") == 0
    [event] = coder.code_text(sentence, "2019-03-06")
    assert (event.actor1_code, event.action_geo_name, event.action_geo_country_code) == ("AFGREB", "Kabul", "AFG")


def test_inflection_and_pattern_compilation():
    assert {"attacks", "attacked", "attacking"} <= verb_forms("attack")
    assert {"struck", "strikes"} <= verb_forms("strike")
    assert noun_forms("treaty") == {"treaty", "treaties"}
    pattern = compile_pattern("163", "act", "impose+ _ sanction~|embargo")
    lexicon = ActionLexicon([pattern])
    [match] = lexicon.find(tokenize("The EU imposed tough new sanctions on Iran"))
    assert (match.code, match.start) == ("163", 2)
    with pytest.raises(ValueError):
        compile_pattern("163", "maybe", "impose+")


def test_patterns_the_cues_name_are_patterns_of_the_action_file(coder):
    # A cue that names an actions.tsv pattern does nothing once the pattern is reworded.
    patterns = {pattern.text for pattern in load_patterns()}
    named = coder.cues.protest_reports | coder.cues.content_keeping_frames
    assert named and named <= patterns


def test_an_offtopic_lead_silences_the_whole_article(coder):
    sports = (
        "Kenya beat Uganda 3-1 in the regional football final on Sunday.\n\n"
        "The Kenyan captain praised the Ugandan goalkeeper after the match. Uganda travel to Rwanda next."
    )
    assert coder.code_text(sports, "2024-03-06") == []
    politics = (
        "Kenya's president praised Uganda's government for its help after the floods.\n\n"
        "The Kenyan captain praised the Ugandan goalkeeper after the match."
    )
    assert [e.actor1_code for e in coder.code_text(politics, "2024-03-06")][:1] == ["KENGOV"]


def test_tokens_keep_offsets_for_any_letters():
    tokens = tokenize("İstanbul hosted talks")
    assert [(t.text, t.start, t.end) for t in tokens] == [("İstanbul", 0, 8), ("hosted", 9, 15), ("talks", 16, 21)]


@pytest.mark.parametrize(
    "sentence, target_name",
    [
        ("Federal prosecutors in New York charged Maxwell with sex trafficking on Monday.", "Maxwell"),
        ("Police in Pennsylvania arrested Bryan Kohberger on Friday.", "Bryan Kohberger"),
    ],
)
def test_a_private_person_acted_on_is_a_civilian_target(coder, sentence, target_name):
    events = [event for event in coder.code_text(sentence) if event.event_root_code == "17"]
    assert events and events[0].actor2_name == target_name
    assert events[0].actor2_code == "USACVL"


def test_a_weekday_or_a_place_is_no_private_person(coder):
    for event in coder.code_text("Russian troops attacked Kharkiv on Monday."):
        assert event.actor2_code is None or not event.actor2_code.endswith("CVL")


def test_a_surname_keeps_the_office_the_article_gave_it(coder):
    # Undated, so our table's dates are today's and Pompeo alone is a former official (ELI); the
    # article named him with his office, and "Pompeo" later in it is that office holder.
    text = (
        "U.S. Secretary of State Mike Pompeo arrived in Hanoi on Monday for two days of talks. "
        "Pompeo accused China of bullying its neighbours in the South China Sea."
    )
    accusers = {e.actor1_code for e in coder.code_text(text) if e.event_root_code == "11" and e.sentence_index == 1}
    assert accusers == {"USAGOV"}


def test_ministers_of_defence_are_government(coder):
    events = coder.code_text("The Iranian defence minister accused Israel of attacking a convoy.", "2024-05-02")
    assert {(e.actor1_code, e.actor2_code) for e in events if e.event_root_code == "11"} == {("IRNGOV", "ISR")}


def test_a_control_character_does_not_hide_a_sentence_break(coder):
    events = coder.code_text("France criticized Italy.\x00 Germany praised Spain.", "2024-05-02")
    assert {(e.sentence_index, e.actor1_code) for e in events} == {(0, "FRA"), (1, "DEU")}


@pytest.mark.parametrize(
    "text",
    [
        "France criticized Italy. \u200bGermany praised Spain.",  # a zero-width space before a sentence
        "\ufeffFrance criticized Italy. Germany praised Sp\u00adain.",  # a byte-order mark, a soft hyphen
        "\u202eFrance criticized Italy. Germany praised Spain.",  # a bidirectional control
        "France criticized Italy\u2026 Germany praised Spain.",  # an ellipsis ends a sentence
        "France criticized Italy\u2028Germany praised Spain",  # a Unicode line separator ends a paragraph
        "France criticized Italy\rGermany praised Spain",  # so does a bare carriage return
        "\uff26\uff52\uff41\uff4e\uff43\uff45 criticized Italy.\u3000Germany praised Spain.",  # fullwidth letters
    ],
)
def test_characters_that_show_nothing_hide_no_word_or_sentence(coder, text):
    events = coder.code_text(text, "2024-05-02")
    assert {(e.sentence_index, e.actor1_code, e.actor2_code) for e in events} == {(0, "FRA", "ITA"), (1, "DEU", "ESP")}


def test_a_sentence_longer_than_any_prose_is_not_parsed(coder):
    run_on = "Russian forces shelled Kharkiv and " * 2_000 + "Ukraine protested."
    assert coder.code_text(run_on, "2024-05-02") == []
    assert coder.code_text("Russian forces shelled Kharkiv.", "2024-05-02")


def test_a_run_on_text_gives_no_home_country_and_no_events():
    # A "sentence" longer than any prose (a table or text without full stops) is skipped whole:
    # not parsed, and not counted for the article's home country either. (Every event kept: the
    # countryless one is below the article confidence floor.)
    coder = Coder(min_article_confidence=0)
    run_on = "Kenyan police clashed with protesters in Nairobi and " * 200
    events = coder.code_text(run_on + "\n\nThe minister accused the opposition of lying.", "2024-05-02")
    assert [event.actor1_code for event in events] == ["---GOV"]
    short = "Kenyan police clashed with protesters in Nairobi.\n\nThe minister accused the opposition of lying."
    assert "KENGOV" in {event.actor1_code for event in coder.code_text(short, "2024-05-02")}


def test_sentence_splitting_reads_only_the_last_word_before_a_full_stop():
    from transforms.coding.text import split_sentences

    # Every "U.S." is a possible sentence end kept by the abbreviation rule: the split reads a short
    # window before each, so the result is one sentence, and the rule still holds in prose.
    assert len(split_sentences("U.S. " * 20_000)) == 1
    assert split_sentences("Mr. Smith went to Washington. He met the U.S. President. Then he left!") == [
        "Mr. Smith went to Washington.", "He met the U.S. President.", "Then he left!",
    ]


def test_it_opening_a_sentence_is_the_body_that_opened_the_one_before(coder):
    text = "The Nigerian government condemned the attack. It said the perpetrators would be punished."
    events = coder.code_text(text, "2024-05-02")
    assert ("NGAGOV", "010") in {(e.actor1_code, e.event_code) for e in events if e.sentence_index == 1}
    # A person opening the sentence before is no "it"; nor is an "it" that opens no statement an event.
    assert [e.sentence_index for e in coder.code_text("Russia attacked Kyiv overnight. It was the largest attack in months.", "2024-05-02")] == [0]
    person = coder.code_text("Olaf Scholz condemned the attack. It said nothing else.", "2024-05-02")
    assert all(e.sentence_index == 0 for e in person)


def test_an_event_in_a_long_sentence_is_trusted_less(coder):
    short = "Russia's foreign ministry condemned the strikes on Kyiv."
    long = (
        "Russia's foreign ministry condemned the strikes on Kyiv on Monday in a statement that ran to several "
        "pages and went over the history of the region, the talks of the past years, the many meetings held "
        "in the spring and the summer, and what it called the plain facts."
    )
    assert len(long.split()) > 45 >= len(short.split())
    (strong,) = [e.confidence for e in coder.code_text(short, "2024-05-02") if e.event_root_code == "11"]
    weaker = [e.confidence for e in coder.code_text(long, "2024-05-02") if e.event_root_code == "11"]
    assert weaker == [pytest.approx(strong - 0.1)]


def test_an_event_that_needs_a_target_and_has_none_is_trusted_less(coder):
    # CAMEO events are dyadic: an attack with no target found has most likely missed it.
    (with_target,) = coder.code_text("Russia's army attacked Ukraine.", "2024-05-02")
    (without,) = coder.code_text("Russia's army attacked.", "2024-05-02")
    assert (with_target.event_root_code, without.event_root_code, without.actor2_code) == ("19", "19", None)
    assert without.confidence == pytest.approx(with_target.confidence - 0.1)
    # A protest (like a statement) often has no target: no doubt for that.
    (protest,) = coder.code_text("Protesters marched against the government in Kyiv.", "2024-05-02")
    (march,) = coder.code_text("Protesters marched in Kyiv.", "2024-05-02")
    assert (march.event_root_code, march.actor2_code) == ("14", None)
    assert march.confidence >= protest.confidence


def test_a_reported_act_named_by_a_noun_or_done_by_a_named_person_is_trusted_less(coder):
    def confidence(sentence: str, root: str) -> float:
        (found,) = [e for e in coder.code_text(sentence, "2024-05-02") if e.event_root_code == root]
        return found.confidence

    verb = confidence("Russia's army invaded Ukraine.", "19")
    assert confidence("Russia's army invasion of Ukraine continued.", "19") == pytest.approx(verb - 0.1)
    by_role = confidence("Russia's foreign minister met Iran's foreign minister.", "04")
    assert confidence("Sergei Lavrov met Iran's foreign minister.", "04") == pytest.approx(by_role - 0.1)
    # A named person's statement is no weaker than a role's.
    assert confidence("Sergei Lavrov said the talks were useful.", "01") == confidence(
        "Russia's foreign minister said the talks were useful.", "01"
    )

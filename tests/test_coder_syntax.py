"""The coder reads sentence structure: the committed parser, and the roles it gives events.

Each case is a kind of fault the judged samples found in the word-order coder (the recipient taken
as the doer, a list of countries paired with each other, a name read as a verb, a ruling read as an
air strike, the speaker made the doer of what they report ...). Sentences are our own.
"""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest

from transforms.coding import Coder
from transforms.coding.syntax.parse import (
    MODEL_DIR,
    Parse,
    SyntaxModel,
    repair_misread_verb,
    repair_prepositional_subject,
    repair_verbless_root,
)
from transforms.coding.text import tokenize

DATE = "2024-05-02"


@pytest.fixture(scope="module")
def coder() -> Coder:
    return Coder()


def triples(coder: Coder, text: str) -> set[tuple[str, str | None, str | None]]:
    return {(e.event_root_code, e.actor1_code, e.actor2_code) for e in coder.code_text(text, DATE)}


def test_the_model_ships_in_the_package_with_its_licence_and_scores():
    meta = json.loads((MODEL_DIR / "meta.json").read_text())
    assert meta["license"] == "CC BY-SA 4.0"
    assert set(meta["pipeline"]) >= {"tagger", "morphologizer", "parser"}
    assert meta["newsbeam_test_scores"]["dep_uas"] > 0.8
    size = sum(path.stat().st_size for path in MODEL_DIR.rglob("*") if path.is_file())
    assert size < 15_000_000  # no vectors: a few MB


def test_a_parse_covers_every_coder_token_and_finds_the_subject():
    model = SyntaxModel()
    sentence = "Kenyan police arrested two protesters in Mombasa on Tuesday."
    parse = model.parse(sentence)
    words = [parse.word_of(token) for token in tokenize(sentence)]
    assert None not in words
    arrested = parse.words.index("arrested")
    subject = [child for child in parse.children(arrested) if parse.deps[child] == "nsubj"]
    assert [parse.words[word] for word in subject] == ["police"]
    assert parse.deps[arrested] == "root"


def test_the_recipient_of_a_complaint_is_not_its_author(coder):
    events = triples(coder, "The Kenyan president has faced complaints from Ugandan officials over the border closure.")
    assert ("11", "UGAGOV", "KENGOV") in events
    assert not any(source == "KENGOV" and root == "11" for root, source, _ in events)


def test_a_warning_received_comes_from_its_sender(coder):
    assert ("13", "IGOEEC", "IRN") in triples(coder, "Iran received a stern warning from the European Union on Monday.")


def test_a_list_of_doers_without_a_target_is_one_event_each(coder):
    events = triples(coder, "Chile, Peru and Bolivia have restricted internet access.")
    assert {source for _, source, _ in events} == {"CHL", "PER", "BOL"}
    assert {target for _, _, target in events} == {None}


def test_doers_of_a_joint_act_are_each_others_counterparts(coder):
    events = triples(coder, "Kenya and Uganda signed a trade agreement in Nairobi.")
    assert {(source, target) for _, source, target in events} >= {("KEN", "UGA"), ("UGA", "KEN")}


def test_a_surname_that_is_a_verb_is_no_action(coder):
    events = coder.code_text("Presidential aide Mary Burns said the ministry of finance would publish the budget.", DATE)
    assert not any(event.event_root_code in ("18", "19", "20") for event in events)


def test_a_verb_whose_particle_changes_its_sense_is_not_that_action(coder):
    events = triples(coder, "The High Court in Nairobi struck down the curfew on Monday.")
    assert not any(root in ("18", "19", "20") for root, _, _ in events)


def test_the_speaker_is_not_the_doer_of_what_they_report(coder):
    events = triples(coder, "A Nigerian police spokesman said two guards were wounded by gunmen near the border.")
    assert not any(root in ("18", "19") and source == "NGACOP" for root, source, _ in events)
    assert ("01", "NGACOP", None) in events


def test_an_officer_of_a_body_no_dictionary_knows_is_no_state(coder):
    assert triples(coder, "An Acme Holdings spokesperson declined to comment on the report.") == set()


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        ("A spokesperson for Hamas said the ceasefire talks had failed.", "PSEREB"),
        ("A representative of the United Nations criticised Israel on Tuesday.", "IGOUNO"),
    ],
)
def test_a_role_without_a_country_speaks_for_the_body_it_serves(coder, sentence, speaker):
    assert speaker in {actor1 for _, actor1, _ in triples(coder, sentence)}
    assert not any(actor1 and actor1.startswith("---") for _, actor1, _ in triples(coder, sentence))


def test_a_later_surname_is_the_person_introduced_earlier(coder):
    text = (
        "Mexican Foreign Minister Marcelo Ebrard arrived in Washington on Monday.\n\n"
        "Ebrard said Mexico would reject any new tariffs."
    )
    events = coder.code_text(text, DATE)
    assert any(event.actor1_code == "MEXGOV" and event.sentence_index == 1 for event in events)


def test_the_ministry_is_the_countrys_body_named_before_not_the_articles_home(coder):
    text = (
        "Ukrainian officials said Kyiv was calm on Sunday. Ukraine's president thanked Ukrainian air defences. "
        "Russia's Defense Ministry said it had hit Ukrainian military sites. "
        "The ministry added that the strikes were retaliation for earlier attacks."
    )
    speakers = {event.actor1_code for event in coder.code_text(text, DATE) if event.sentence_index == 3}
    assert speakers == {"RUSGOV"}
    # Without a body named before, "the ministry" takes the article's home.
    alone = "Ukrainian officials said Kyiv was calm on Sunday. The ministry added that the strikes had stopped."
    assert {event.actor1_code for event in coder.code_text(alone, DATE) if event.sentence_index == 1} == {"UKRGOV"}


def test_a_background_noun_is_no_event(coder):
    events = triples(coder, "Budget cuts for defence were approved amid the Congolese withdrawal from the region.")
    assert not any(root == "08" and source == "COD" for root, source, _ in events)


def test_a_role_without_a_country_takes_the_article_home(coder):
    text = (
        "Japan's ruling party met in Tokyo on Friday to choose a new leader.\n\n"
        "Japanese voters will elect a new parliament in October.\n\n"
        "The prime minister said the economy was recovering."
    )
    events = coder.code_text(text, DATE)
    assert any(event.actor1_code == "JPNGOV" and event.sentence_index == 2 for event in events)


def test_confidence_ranks_a_named_speaker_above_a_doer_without_a_country(coder):
    named = coder.code_text("Kenya's foreign minister said the talks would resume next week.", DATE)
    unknown = coder.code_text("Officials said rebels attacked a convoy.", DATE)
    assert named and unknown
    assert max(e.confidence for e in named) > max(e.confidence for e in unknown)


def test_he_right_after_a_person_is_introduced_is_that_person(coder):
    text = (
        "Mexican Foreign Minister Marcelo Ebrard arrived in Washington on Monday.\n\n"
        "He said Mexico would reject any new tariffs."
    )
    events = coder.code_text(text, DATE)
    assert ("010", "MEXGOV") in {(e.event_code, e.actor1_code) for e in events if e.sentence_index == 1}
    # Far from any introduction, "he" is nobody the coder knows.
    lone = coder.code_text("He said the talks had failed.", DATE)
    assert lone == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Chile, Peru and Bolivia restricted internet access.",
        "Chile, Argentina and Bolivia restricted internet access.",
        "Chile, Peru, and Bolivia restricted internet access.",
    ],
)
def test_every_country_of_a_list_the_parser_breaks_is_a_doer(coder, sentence):
    doers = {source for _, source, _ in triples(coder, sentence)}
    assert len(doers) == 3 and None not in doers


def test_an_action_noun_undone_by_a_phrasal_verb_is_no_event(coder):
    assert triples(coder, "The Supreme Court struck down the curfew.") == set()
    # Holding up aid reduces it (16), as the judged sample says; it is no aid given (07).
    roots = {root for root, _, _ in triples(coder, "The Kenyan government held up aid to the refugees.")}
    assert "07" not in roots and roots <= {"16"}


def test_a_recipient_beats_the_thing_given_as_target(coder):
    assert ("03", "SYR", "LBN") in triples(coder, "Syria offered its troops to Lebanon.")


def test_a_headline_in_title_case_is_coded(coder):
    assert ("13", "CHN", "TWN") in triples(coder, "China Warns Taiwan")
    assert any(source == "IGOUNO" for _, source, _ in triples(coder, "UN Condemns Attack On Aid Convoy"))


def _hand_parse(words: str, heads: list[int], deps: list[str], pos: list[str]):
    """A parse written by hand, to test the repairs without the model's own choices."""
    from transforms.coding.syntax.parse import Parse

    tokens = words.split()
    starts, offset = [], 0
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    ends = [start + len(token) for start, token in zip(starts, tokens)]
    tags = ["VBD" if tag == "VERB" else "NN" for tag in pos]
    return Parse(tuple(tokens), tuple(starts), tuple(ends), tuple(heads), tuple(deps), tuple(pos), tuple(tags), (False,) * len(tokens))


def test_a_time_word_read_as_the_subject_gives_way_to_the_noun_before_it():
    from transforms.coding.syntax.parse import repair_temporal_subject

    # "Arafat today rejected the offer", parsed with "today" as the subject and "Arafat" as the root.
    parse = _hand_parse(
        "Arafat today rejected the offer",
        [0, 2, 2, 4, 2], ["root", "nsubj", "root", "det", "obj"], ["PROPN", "NOUN", "VERB", "DET", "NOUN"],
    )
    repaired = repair_temporal_subject(parse, frozenset({"today"}))
    assert repaired.deps[0] == "nsubj" and repaired.heads[0] == 2
    assert repaired.deps[1] != "nsubj"
    assert repair_temporal_subject(parse, frozenset()) == parse


def test_a_name_read_as_an_adverb_after_a_verb_without_object_becomes_its_object():
    from transforms.coding.syntax.parse import repair_name_as_adverb

    # "Forces shelled Donetsk", parsed with "Donetsk" as an adverb.
    parse = _hand_parse("Forces shelled Donetsk", [1, 1, 1], ["nsubj", "root", "advmod"], ["NOUN", "VERB", "ADV"])
    repaired = repair_name_as_adverb(parse)
    assert (repaired.deps[2], repaired.heads[2], repaired.pos[2]) == ("obj", 1, "PROPN")
    # A lower-case adverb, or one beside an object, stays.
    adverb = _hand_parse("Forces shelled heavily", [1, 1, 1], ["nsubj", "root", "advmod"], ["NOUN", "VERB", "ADV"])
    assert repair_name_as_adverb(adverb) == adverb
    with_object = _hand_parse(
        "Forces shelled Kharkiv Overnight", [1, 1, 1, 1], ["nsubj", "root", "obj", "advmod"], ["NOUN", "VERB", "PROPN", "ADV"]
    )
    assert repair_name_as_adverb(with_object) == with_object


def test_a_gerund_after_before_or_after_is_a_verb_with_its_object():
    from transforms.coding.syntax.parse import repair_gerund_after_subordinator

    subordinators = frozenset({"before", "after"})
    # "Jury deliberated before convicting Webb", parsed as "before [a convicting Webb]".
    parse = _hand_parse(
        "Jury deliberated before convicting Webb",
        [1, 1, 4, 4, 1], ["nsubj", "root", "case", "amod", "obl"], ["NOUN", "VERB", "ADP", "ADJ", "PROPN"],
    )
    repaired = repair_gerund_after_subordinator(parse, subordinators)
    assert (repaired.deps[3], repaired.heads[3], repaired.pos[3]) == ("advcl", 1, "VERB")
    assert (repaired.deps[4], repaired.heads[4]) == ("obj", 3)
    assert (repaired.deps[2], repaired.heads[2]) == ("mark", 3)
    # A participle describing the subject of the clause "after" opens stays an adjective.
    subject = _hand_parse(
        "Prices fell after rising demand pushed",
        [1, 1, 5, 4, 5, 1], ["nsubj", "root", "mark", "amod", "nsubj", "advcl"], ["NOUN", "VERB", "SCONJ", "ADJ", "NOUN", "VERB"],
    )
    assert repair_gerund_after_subordinator(subject, subordinators) == subject
    # Nor after "by": "killed by warring factions".
    by = _hand_parse(
        "Villagers killed by warring factions",
        [1, 1, 4, 4, 1], ["nsubj", "root", "case", "amod", "obl"], ["NOUN", "VERB", "ADP", "ADJ", "NOUN"],
    )
    assert repair_gerund_after_subordinator(by, subordinators) == by


def test_a_noun_with_a_particle_is_a_verb():
    from transforms.coding.syntax.parse import repair_noun_with_particle

    # "Forces shot down drones", "shot" tagged a noun with its particle "down".
    parse = _hand_parse(
        "Forces shot down drones", [1, 1, 1, 1], ["nsubj", "root", "compound:prt", "obj"], ["NOUN", "NOUN", "ADP", "NOUN"]
    )
    repaired = repair_noun_with_particle(parse)
    assert (repaired.pos[1], repaired.tags[1]) == ("VERB", "VBD")
    # A noun with a determiner keeps its tag: "the shake up".
    noun = _hand_parse("the shake up", [1, 1, 1], ["det", "root", "compound:prt"], ["DET", "NOUN", "ADP"])
    assert repair_noun_with_particle(noun) == noun


def test_a_sentence_read_as_a_noun_phrase_gets_its_verb_back():
    from transforms.coding.syntax.parse import repair_verbless_root

    # "Union eased sanctions on Venezuela": "sanctions" the root, "eased" its modifier.
    parse = _hand_parse(
        "Union eased sanctions on Venezuela",
        [1, 2, 2, 4, 2], ["nsubj", "amod", "root", "case", "nmod"], ["PROPN", "VERB", "NOUN", "ADP", "PROPN"],
    )
    repaired = repair_verbless_root(parse)
    assert repaired.deps[1] == "root" and repaired.heads[1] == 1
    assert (repaired.deps[2], repaired.heads[2]) == ("obj", 1)
    assert (repaired.deps[0], repaired.heads[0]) == ("nsubj", 1)
    assert (repaired.deps[4], repaired.heads[4]) == ("obl", 1)


def test_a_pronoun_doer_is_the_subject_of_the_clause_above(coder):
    assert ("16", "CHE", "RUSGOV") in triples(coder, "Switzerland said it had expelled two Russian diplomats.")


def test_a_speaker_is_not_the_doer_of_an_action_nobody_in_the_report_does(coder):
    events = triples(
        coder, "Canadian spokesperson Anna Leroux said the offices are being used to support the new agency."
    )
    assert events == {("01", "CANGOV", None)}


def test_a_pronoun_in_the_report_is_the_speaker(coder):
    doers = {(root, source) for root, source, _ in triples(coder, "Syria says it is willing to withdraw its troops.")}
    assert ("03", "SYR") in doers
    assert ("13", "IRN", "ISR") in triples(coder, "Iran said it would attack Israel.")


def test_would_in_the_writers_own_words_is_a_supposition(coder):
    assert triples(coder, "Venezuela would also have to reform its laws to allow more foreign investment.") == set()
    assert ("12", "NGA", None) in {
        (root, source, None) for root, source, _ in triples(coder, "Nigeria would not allow the talks to resume.")
    }


def test_history_told_as_background_is_no_event_when_the_article_is_dated(coder):
    sentence = "In 1970, the prime minister of Lesotho suspended the constitution."
    assert coder.code_text(sentence, "2024-05-02") == []
    assert coder.code_text(sentence, "1970-03-01") != []
    assert coder.code_text(sentence) != []  # without the article's date nothing is history


def test_documents_and_private_experts_are_no_political_speakers(coder):
    assert triples(coder, "According to court records, the two guards signed false statements.") == set()
    assert triples(
        coder, "Canada's senior economist Brendon Bernard said the strong numbers are a good reminder."
    ) == set()


def test_the_source_of_according_to_is_no_member_of_the_subjects_list(coder):
    events = triples(coder, "According to the Russian defence ministry, Ukrainian troops shelled the town.")
    assert ("01", "RUSMIL", None) in events or ("01", "RUSGOV", None) in events
    assert not any(root == "19" and source.startswith("RUS") for root, source, _ in events if source)


def test_a_campaign_rally_where_something_is_said_is_no_demonstration(coder):
    events = triples(coder, '"The people of this country are not buying it," Trump said at a rally in Louisiana.')
    assert not any(root == "14" for root, _, _ in events)


def test_a_question_reports_nothing_unless_someone_asks_it(coder):
    assert triples(coder, "Why did Russia attack Ukraine again this week?") == set()
    assert triples(coder, '"Why did Russia attack Ukraine?" the Polish foreign minister asked.') != set()


def test_a_run_of_title_case_headlines_is_navigation(coder):
    links = (
        "Most Read Russia Attacks Ukrainian Port Again Ten Recipes For Summer Evenings "
        "The Best Hiking Boots Reviewed Kenya Protests Over Tax Plan Why Your Cat Ignores You"
    )
    assert triples(coder, links) == set()
    assert triples(coder, "Russia Attacks Ukrainian Port Again") != set()


def test_gang_feuds_are_crime_not_political_violence(coder):
    assert triples(coder, "Sweden has struggled with a surge in violence as gangs fight over drug markets.") == set()


def test_a_name_the_parser_splits_still_carries_its_title(coder):
    assert ("12", "PAKGOV", None) in {
        (root, source, None)
        for root, source, _ in triples(coder, "Pakistan President Mohammad Zia-Ul-Haq today rejected a fresh offer of talks.")
    }


def test_a_party_label_before_a_title_is_no_unknown_company(coder):
    events = triples(coder, "Former Socialist prime minister Andreas Papandreou demanded elections in Greece.")
    assert any(root == "10" and source and source.endswith("GOV") for root, source, _ in events)


def test_of_two_subjects_a_misparse_gives_the_statement_verb_the_nearer_is_the_speaker(coder):
    events = triples(
        coder, "A man died after he was shot by police following a chase that ended when the car caught fire, authorities said."
    )
    assert any(root == "01" and source and source.endswith("GOV") for root, source, _ in events)


def test_a_capital_whose_name_a_bigger_city_holds_is_no_government(coder):
    events = triples(coder, "Plymouth police arrested two protesters outside the city hall on Monday.")
    assert not any(source and source.startswith("MSR") for _, source, _ in events)


def test_demonstrating_a_commitment_is_no_protest(coder):
    assert not any(
        root == "14" for root, _, _ in triples(coder, "The Japanese prime minister demonstrated his commitment to reform.")
    )
    assert any(root == "14" for root, _, _ in triples(coder, "Kenyan opposition supporters demonstrated in Nairobi."))


def test_an_action_noun_talked_about_is_not_reported(coder):
    assert triples(coder, "Beijing's threats against Taiwan are an obvious failure.") == set()
    assert any(root == "18" for root, _, _ in triples(coder, "A roadside bombing killed two Afghan soldiers."))


def test_releasing_a_letter_frees_nobody_and_signing_a_form_agrees_to_nothing(coder):
    assert not any(root == "08" for root, _, _ in triples(coder, "The Russian president released a letter from his doctor."))
    assert any(root == "08" for root, _, _ in triples(coder, "The Russian government released two Ukrainian prisoners."))
    assert not any(root == "05" for root, _, _ in triples(coder, "Two Kenyan police officers signed false reports."))
    assert any(root == "05" for root, _, _ in triples(coder, "Kenya and Uganda signed a border treaty."))


def test_a_place_phrase_misread_as_a_modifier_names_no_doer(coder):
    events = triples(coder, "In the United Kingdom, novel coronavirus has killed six people as of Tuesday.")
    assert not any(source == "GBR" for _, source, _ in events)


def test_recognising_a_fact_is_no_diplomatic_recognition(coder):
    assert not any(
        root == "05" for root, _, _ in triples(coder, "The Austrian government recognized that the deal was a mistake.")
    )
    assert any(root == "05" for root, _, _ in triples(coder, "Sweden recognized the independence of Kosovo."))


def test_a_gerund_after_against_or_of_names_an_action_without_reporting_it(coder):
    assert triples(coder, "Britain is advising its citizens against traveling to the border between India and Pakistan.") == set()
    assert any(root == "19" for root, _, _ in triples(coder, "The Indian army responded by shelling Pakistani positions."))


def test_an_unresolved_pronoun_speaker_is_nobody_not_the_listener(coder):
    events = triples(coder, '"My role was the official channel," he told Ukrainian lawmakers.')
    assert not any(root == "01" and source and source.startswith("UKR") for root, source, _ in events)


def test_an_action_noun_of_a_hypothetical_verb_did_not_happen(coder):
    assert not any(root == "07" for root, _, _ in triples(coder, "Sondland said American aid to Ukraine might be freed."))


def test_a_story_set_in_named_places_has_their_country_for_home(coder):
    text = (
        "Several thousand teachers rallied in Indianapolis on Tuesday to call for better pay.\n\n"
        "The crowd filled the hallways of the statehouse in Indianapolis for hours.\n\n"
        "The governor said he was waiting for a pay commission to report."
    )
    sources = {event.actor1_code for event in coder.code_text(text, DATE) if event.event_root_code == "01"}
    assert sources == {"USAGOV"}


def test_a_question_about_what_was_said_is_no_statement(coder):
    assert triples(coder, "What did the Swedish prosecutors say?") == set()


def test_predictions_are_no_events(coder):
    assert not any(
        root == "15" for root, _, _ in triples(coder, "The Chinese president is likely to deploy troops in Hong Kong.")
    )


def test_an_action_noun_a_verb_only_talks_about_is_no_event(coder):
    assert triples(coder, "The Japanese prime minister advocated revising the security agreement with Washington.") == set()
    assert any(root == "04" for root, _, _ in triples(coder, "Japanese and American officials held talks in Tokyo."))


def test_a_relative_pronoun_done_to_stands_for_its_noun(coder):
    events = triples(coder, "The French defence minister says two French journalists who were abducted in Syria are alive.")
    assert ("18", None, "FRAMED") in events


def test_up_to_a_number_is_no_particle(coder):
    assert any(
        source == "TUR" for _, source, _ in triples(coder, "Turkey will allow up to 13,000 Kurdish refugees to return home.")
    )


def test_the_subject_of_a_passive_statement_verb_is_the_listener(coder):
    events = triples(coder, "Israeli soldiers routinely beat up Palestinian detainees, a military court was told today.")
    assert ("18", "ISRMIL", "PSECVL") in events
    assert not any(root == "01" for root, _, _ in events)


def test_the_one_a_news_agency_quotes_as_saying_is_the_speaker(coder):
    events = triples(coder, "The Interfax news agency quoted a Russian defence ministry official as saying the drills had ended.")
    assert ("01", "RUSGOV", None) in events
    passive = triples(coder, "A Russian defence ministry official was quoted by Interfax as saying the drills had ended.")
    assert ("01", "RUSGOV", None) in passive


def test_a_city_a_firm_is_based_in_and_a_poll_share_are_no_speakers(coder):
    assert triples(coder, "Prices could rise further, said Peter Hale of Bridgewater, a London-based research firm.") == set()
    assert triples(coder, "Seventy percent of Americans say the inquiry was fair.") == set()


def test_an_action_noun_the_parse_reads_as_a_noun_follows_the_noun_rules(coder):
    assert not any(
        root == "10" for root, _, _ in triples(coder, "Trump's order would have upended widely held views on citizenship.")
    )
    assert any(root == "14" for root, _, _ in triples(coder, "Palestinian riots against Israeli policies are still continuing."))


def test_offering_classes_is_no_offer_and_a_citys_agreement_is_no_government(coder):
    assert triples(coder, "The Kenyan ministry offers evening classes for adults.") == set()
    assert any(root == "03" for root, _, _ in triples(coder, "Russia offered talks to Ukraine."))
    for sentence in (
        "The Paris agreement commits India to cut emissions.",
        "India is charging ahead on its commitments under the Paris climate treaty.",
    ):
        assert not any(source and source.startswith("FRA") for _, source, _ in triples(coder, sentence)), sentence
    # A verb between the city and the document keeps the city an actor.
    assert ("05", "FRAGOV", "DEUGOV") in triples(coder, "Paris signed agreements with Berlin.")


def test_deaths_in_accidents_and_disasters_are_no_attacks(coder):
    assert triples(coder, "Two service members have been killed in a helicopter crash in Afghanistan.") == set()
    assert triples(coder, "Nepal suffered its worst plane crash in 30 years, killing all 72 people aboard.") == set()
    assert triples(coder, "The earthquake killed 30 people in Turkey.") == set()
    assert triples(coder, "A Russian military plane crashed in Belgorod, killing 65 Ukrainian prisoners of war.") == set()
    assert any(root in ("18", "19") for root, _, _ in triples(coder, "The Taliban killed two soldiers in an attack in Kabul."))


def test_delaying_aid_reduces_it(coder):
    assert ("16", "USAGOV", "UKR") in triples(coder, "Washington delayed military aid to Ukraine.")


def test_a_capital_where_someone_lives_is_no_government(coder):
    assert triples(coder, "Yevhen Zosin, a Kyiv resident who witnessed the attack, said he rushed to grab his dog.") == set()
    assert any(
        source == "EGYGOV"
        for _, source, _ in triples(coder, "Cairo's security chief has warned that police will not tolerate rallies.")
    )


def test_a_pronoun_a_participle_inherits_leaves_the_doer_unknown(coder):
    events = triples(coder, "He injected drama into talks with partners, including Canada and Mexico, publicly threatening them.")
    assert not any(source in ("MEX", "CAN") for _, source, _ in events)


def test_an_allys_possessor_is_not_the_ally(coder):
    events = triples(coder, "Kyiv's European allies condemned the Russian strikes on Sunday.")
    assert not any(source and source.startswith("UKR") for _, source, _ in events)


def test_a_passive_subject_no_dictionary_knows_is_still_the_one_done_to(coder):
    events = triples(coder, "King and Weeks were abducted by gunmen in the heart of the Afghan capital.")
    assert not any(target and target.startswith("AFG") for _, _, target in events)


def test_of_a_place_after_a_persons_name_is_no_unknown_company(coder):
    events = triples(coder, "Senate Democratic Leader Greg Taylor of Indianapolis said schools cannot raise pay.")
    assert any(root == "01" and source and source.endswith("LEG") for root, source, _ in events)


def test_a_speaker_named_by_an_unknown_name_speaks_through_the_apposition(coder):
    events = triples(coder, "Chris Tang, Hong Kong's new police commissioner, said the violence must end.")
    assert ("01", "HKGCOP", None) in events


def test_a_police_department_of_an_unknown_city_is_a_public_body(coder):
    events = triples(coder, "The Fort Worth Police Department confirmed that the suspect was in custody.")
    assert any(root == "01" and source and source.endswith("COP") for root, source, _ in events)



def handmade_parse(rows: list[tuple[str, int, str, str]]) -> tuple[str, Parse]:
    """A sentence (its words joined by spaces) and a parse given as (word, head, relation, UPOS)
    rows: the parser's mistakes, written down so that a repair is tested whatever the model does."""
    starts, position = [], 0
    for word, *_ in rows:
        starts.append(position)
        position += len(word) + 1
    words = tuple(row[0] for row in rows)
    parse = Parse(
        words=words, starts=tuple(starts), ends=tuple(start + len(word) for start, word in zip(starts, words)),
        heads=tuple(row[1] for row in rows), deps=tuple(row[2] for row in rows), pos=tuple(row[3] for row in rows),
        tags=tuple("" for _ in rows), passive=tuple(False for _ in rows),
    )
    return " ".join(words), parse


# As the model parsed a PLOVER sentence ("the signing" as the subject of "agreed", the parties
# after the comma an apposition inside the fronted phrase) and a ConfliBERT one ("Following", a
# VERB, as the case of the subject; "India" coordinated with the word "Pakistan" hangs on).
FRONTED_PHRASES = [
    ([
        ("With", 2, "case", "ADP"), ("the", 2, "det", "DET"), ("signing", 12, "nsubj", "NOUN"),
        ("of", 5, "case", "ADP"), ("the", 5, "det", "DET"), ("accord", 2, "nmod", "NOUN"),
        (",", 9, "punct", "PUNCT"), ("the", 9, "det", "DET"), ("Malian", 9, "amod", "ADJ"),
        ("government", 5, "appos", "NOUN"), ("and", 11, "cc", "CCONJ"), ("rebels", 9, "conj", "NOUN"),
        ("agreed", 12, "root", "VERB"), (".", 12, "punct", "PUNCT"),
    ], 2, 9, 12, None),
    ([
        ("Following", 2, "case", "VERB"), ("the", 2, "det", "DET"), ("meeting", 9, "nsubj", "NOUN"),
        ("in", 4, "case", "ADP"), ("Ufa", 2, "nmod", "PROPN"), (",", 6, "punct", "PUNCT"),
        ("Pakistan", 4, "appos", "PROPN"), ("and", 8, "cc", "CCONJ"), ("India", 4, "conj", "PROPN"),
        ("decided", 9, "root", "VERB"), (".", 9, "punct", "PUNCT"),
    ], 2, 6, 9, 8),
]


@pytest.mark.parametrize("rows, fronted, subject, verb, coordinated", FRONTED_PHRASES)
def test_a_fronted_prepositional_phrase_is_no_subject(rows, fronted, subject, verb, coordinated):
    _, parse = handmade_parse(rows)
    repaired = repair_prepositional_subject(parse)
    assert repaired.deps[fronted] == "obl"
    assert (repaired.heads[subject], repaired.deps[subject]) == (verb, "nsubj")
    if coordinated is not None:
        assert repaired.heads[coordinated] == subject
    assert repair_prepositional_subject(repaired) == repaired


def test_a_subject_without_a_preposition_is_left_alone():
    _, parse = handmade_parse([
        ("The", 1, "det", "DET"), ("government", 2, "nsubj", "NOUN"), ("agreed", 2, "root", "VERB"), (".", 2, "punct", "PUNCT"),
    ])
    assert repair_prepositional_subject(parse) is parse


def test_a_leader_of_an_opposition_coalition_acts_for_the_opposition(coder):
    # As the model parsed a PLOVER sentence: the coalition hung on "Leaders" without its "of".
    sentence, parse = handmade_parse([
        ("Leaders", 10, "nsubj", "NOUN"), ("of", 3, "case", "ADP"), ("the", 3, "det", "DET"),
        ("Ruwa", 0, "nmod", "PROPN"), ("(", 5, "punct", "PUNCT"), ("Unity", 3, "appos", "PROPN"),
        (")", 5, "punct", "PUNCT"), ("opposition", 8, "compound", "NOUN"), ("coalition", 0, "nmod", "NOUN"),
        ("today", 10, "obl:tmod", "NOUN"), ("agreed", 10, "root", "VERB"), ("to", 12, "mark", "PART"),
        ("postpone", 10, "xcomp", "VERB"), ("the", 14, "det", "DET"), ("march", 12, "obj", "NOUN"),
        ("in", 16, "case", "ADP"), ("Harare", 12, "obl", "PROPN"), (".", 10, "punct", "PUNCT"),
    ])
    events = coder.code_sentence(sentence, datetime.date(2024, 5, 2), parse=parse)
    assert any(e.event_root_code == "03" and e.actor1_code == "ZWEOPP" for e in events)


def test_a_states_own_troops_are_no_target_of_its_action(coder):
    events = triples(coder, "Russia withdrew its troops from Kherson on Friday.")
    assert events and all(source == "RUS" and target is None for _, source, target in events)


def test_a_short_sentence_read_as_one_noun_phrase_gets_its_verb_back():
    # As the model parsed "Israel's defence minister threatened Hezbollah.": the object as the
    # root, the verb as its modifier and the subject as an unmarked oblique.
    _, parse = handmade_parse([
        ("Israel", 3, "nmod:poss", "PROPN"), ("'s", 0, "case", "PART"), ("defence", 3, "compound", "NOUN"),
        ("minister", 4, "obl:unmarked", "NOUN"), ("threatened", 5, "amod", "VERB"), ("Hezbollah", 5, "root", "PROPN"),
        (".", 5, "punct", "PUNCT"),
    ])
    repaired = repair_verbless_root(parse)
    assert (repaired.deps[4], repaired.deps[5], repaired.deps[3]) == ("root", "obj", "nsubj")
    assert repaired.heads[3] == repaired.heads[5] == 4


def test_a_headline_verb_read_as_a_noun_gets_its_verb_back(coder):
    # As the model parsed "President Donald Trump delivers remarks to troops in Bagram.":
    # "delivers" a plural noun, the subject of the root "remarks".
    rows = [
        ("President", 1, "nmod:desc", "PROPN"), ("Donald", 3, "compound", "PROPN"), ("Trump", 1, "flat", "PROPN"),
        ("delivers", 4, "nsubj", "NOUN"), ("remarks", 4, "root", "NOUN"), ("to", 6, "case", "ADP"),
        ("troops", 4, "obl", "NOUN"), ("in", 8, "case", "ADP"), ("Bagram", 4, "obl", "PROPN"), (".", 4, "punct", "PUNCT"),
    ]
    sentence, parse = handmade_parse(rows)
    repaired = repair_misread_verb(parse, 3)
    assert (repaired.deps[3], repaired.deps[4], repaired.deps[1]) == ("root", "obj", "nsubj")
    assert repaired.heads[1] == repaired.heads[4] == repaired.heads[6] == 3 and repaired.pos[3] == "VERB"
    assert repaired.heads[0] == 1
    # Only a word before a noun root changes: a parse with a verb root stays as it is.
    assert repair_misread_verb(parse, 8) is parse
    events = coder.code_sentence(sentence, datetime.date(2019, 11, 28), parse=parse)
    assert [(e.event_code, e.actor1_code) for e in events] == [("010", "USAGOV")]


def test_a_past_tense_read_as_an_adjective_after_the_subject_gets_its_verb_back(coder):
    # As the model parsed "Uyghur activists accused Chinese authorities in Xinjiang of torture .":
    # one noun phrase, "accused" (VBN) an adjective of "authorities".
    rows = [
        ("Uyghur", 1, "compound", "PROPN"), ("activists", 1, "root", "NOUN"), ("accused", 4, "amod", "VERB"),
        ("Chinese", 4, "amod", "ADJ"), ("authorities", 1, "nmod", "NOUN"), ("in", 6, "case", "ADP"),
        ("Xinjiang", 1, "nmod", "PROPN"), ("of", 8, "case", "ADP"), ("torture", 6, "nmod", "NOUN"),
        (".", 1, "punct", "PUNCT"),
    ]
    sentence, parse = handmade_parse(rows)
    parse = dataclasses.replace(parse, tags=tuple("VBN" if word == "accused" else "" for word in parse.words))
    repaired = repair_misread_verb(parse, 2)
    assert (repaired.deps[2], repaired.deps[1], repaired.deps[4], repaired.deps[6]) == ("root", "nsubj", "obj", "obl")
    assert repaired.heads[1] == repaired.heads[4] == repaired.heads[6] == 2
    # An adjective that is no past tense ("Chinese") is left alone.
    assert repair_misread_verb(parse, 3) is parse
    events = coder.code_sentence(sentence, datetime.date(2024, 3, 6), parse=parse)
    assert ("CHNOPP", "CHNGOV") in {(e.actor1_code, e.actor2_code) for e in events}


def test_a_role_from_a_country_is_that_countrys_and_aid_groups_are_nobodys_by_default(coder):
    assert ("07", "USANGO", None) in triples(
        coder, "Doctors from two American aid groups donated goods to Baghdad University Medical School."
    )
    assert ("14", "SYRREF", None) in triples(coder, "Refugees from Syria protested in Berlin.")
    # (Every event kept: aid groups of no country are below the article confidence floor.)
    events = Coder(min_article_confidence=0).code_text(
        "Israel closed the crossings into Gaza on Sunday. Israel said the aid was diverted. "
        "Major aid groups condemned the decision.",
        "2025-05-02",
    )
    assert [e.actor1_code for e in events if e.event_root_code == "11"] == ["---NGO"]


def test_an_action_noun_outside_the_clauses_is_background_but_an_object_is_not():
    from transforms.coding.reporting import noun_without_clause_role
    from transforms.coding.syntax.roles import RoleLexicon

    roles = RoleLexicon.from_file()
    # "officials discussed the trade talks ..." vs "the talks stalled": the noun as object and as subject.
    as_object = _hand_parse(
        "officials held talks", [1, 1, 1], ["nsubj", "root", "obj"], ["NOUN", "VERB", "NOUN"],
    )
    assert not noun_without_clause_role(roles, as_object, 2)
    as_modifier = _hand_parse(
        "the trade talks stalled", [2, 2, 3, 3], ["det", "compound", "nsubj", "root"], ["DET", "NOUN", "NOUN", "VERB"],
    )
    assert noun_without_clause_role(roles, as_modifier, 1)
    # "began a hunger strike": the compound's first word counts as the phrase it heads.
    compound = _hand_parse(
        "protesters began hunger strike", [1, 1, 3, 1], ["nsubj", "root", "compound", "obj"], ["NOUN", "VERB", "NOUN", "NOUN"],
    )
    assert not noun_without_clause_role(roles, compound, 2)
    # "gave 5 dollars of aid" misread as an apposition: the quantity stands for the action.
    quantity = _hand_parse(
        "EU gave 5 dollars of aid", [1, 1, 3, 1, 5, 3], ["nsubj", "root", "nummod", "appos", "case", "nmod"],
        ["PROPN", "VERB", "NUM", "NOUN", "ADP", "NOUN"],
    )
    assert not noun_without_clause_role(roles, quantity, 5)
    # "embarked on a trip": a support verb's oblique; "after the trip": background.
    trip = _hand_parse("he embarked on trip", [1, 1, 3, 1], ["nsubj", "root", "case", "obl"], ["PRON", "VERB", "ADP", "NOUN"])
    assert not noun_without_clause_role(roles, trip, 3)
    after = _hand_parse("he spoke after trip", [1, 1, 3, 1], ["nsubj", "root", "case", "obl"], ["PRON", "VERB", "ADP", "NOUN"])
    assert noun_without_clause_role(roles, after, 3)


def test_a_subject_hung_on_an_auxiliary_belongs_to_its_verb():
    from transforms.coding.syntax.parse import repair_auxiliary_dependents

    # "Bangladesh has rejected the proposal" with "Bangladesh" read as the subject of "has".
    parse = _hand_parse(
        "Bangladesh has rejected the proposal",
        [1, 2, 2, 4, 2], ["nsubj", "aux", "root", "det", "obj"], ["PROPN", "AUX", "VERB", "DET", "NOUN"],
    )
    repaired = repair_auxiliary_dependents(parse)
    assert (repaired.heads[0], repaired.deps[0]) == (2, "nsubj")
    assert repaired.heads[1] == 2 and repaired.heads[4] == 2
    well_formed = _hand_parse(
        "Bangladesh has rejected the proposal",
        [2, 2, 2, 4, 2], ["nsubj", "aux", "root", "det", "obj"], ["PROPN", "AUX", "VERB", "DET", "NOUN"],
    )
    assert repair_auxiliary_dependents(well_formed) == well_formed


def test_a_doer_the_parser_hung_on_an_auxiliary_is_named_by_the_parse(coder):
    events = coder.code_text("Bangladesh has once again outright rejected an Indian proposal for a trade agreement.", DATE)
    rejections = [event for event in events if event.event_root_code == "12"]
    assert rejections and rejections[0].actor1_code == "BGD" and rejections[0].actor2_code == "IND"
    # The parse named the doer: a parse-found doer with a country scores above a word-order guess (0.55).
    assert rejections[0].confidence >= 0.7


def test_an_action_counted_by_a_quantity_takes_the_quantitys_verb():
    from transforms.coding.syntax.roles import RoleLexicon, noun_roles, quantity_of

    roles = RoleLexicon.from_file()
    # "EU gave Chad 5 dollars of aid": the aid is given by the EU to Chad.
    parse = _hand_parse(
        "EU gave Chad 5 dollars of aid", [1, 1, 1, 4, 1, 6, 4], ["nsubj", "root", "iobj", "nummod", "obj", "case", "nmod"],
        ["PROPN", "VERB", "PROPN", "NUM", "NOUN", "ADP", "NOUN"],
    )
    assert quantity_of(parse, 6) == 4
    found = noun_roles(parse, 6, roles)
    assert found is not None and found.doers == (0,) and found.done_to == (2,)
    # "the end of talks": no quantity, the noun stands alone.
    plain = _hand_parse("the end of talks", [1, 1, 3, 1], ["det", "root", "case", "nmod"], ["DET", "NOUN", "ADP", "NOUN"])
    assert quantity_of(plain, 3) == 3


def test_a_passive_or_a_participle_keeps_a_verbs_sense_by_what_it_is_done_to():
    import dataclasses

    from transforms.coding.syntax.roles import object_keeps_sense

    allowed = frozenset({"prisoners"})
    letter = _hand_parse(
        "a letter was released", [1, 3, 3, 3], ["det", "nsubj:pass", "aux:pass", "root"], ["DET", "NOUN", "AUX", "VERB"],
    )
    assert not object_keeps_sense(letter, 3, allowed, frozenset())
    prisoners = _hand_parse(
        "the prisoners were released", [1, 3, 3, 3], ["det", "nsubj:pass", "aux:pass", "root"], ["DET", "NOUN", "AUX", "VERB"],
    )
    assert object_keeps_sense(prisoners, 3, allowed, frozenset())
    # "the released photographers": the noun the participle describes.
    described = _hand_parse("the released photographers", [2, 2, 2], ["det", "amod", "root"], ["DET", "VERB", "NOUN"])
    described = dataclasses.replace(described, tags=("DT", "VBN", "NNS"))
    assert not object_keeps_sense(described, 1, allowed, frozenset())


def test_a_reported_clause_read_as_a_reduced_relative_becomes_the_clause():
    from transforms.coding.syntax.parse import repair_reported_clause

    # "Zelensky said the attack killed civilians", parsed as "said [the attack (that was) killed]".
    parse = _hand_parse(
        "Zelensky said the attack killed civilians",
        [1, 1, 3, 1, 3, 4], ["nsubj", "root", "det", "obj", "acl", "obj"], ["PROPN", "VERB", "DET", "NOUN", "VERB", "NOUN"],
    )
    repaired = repair_reported_clause(parse, 1)
    assert (repaired.deps[4], repaired.heads[4]) == ("ccomp", 1)
    assert (repaired.deps[3], repaired.heads[3]) == ("nsubj", 4)
    # A participle without an object of its own is a passive: "said the man arrested".
    passive = _hand_parse(
        "Police named the man arrested", [1, 1, 3, 1, 3], ["nsubj", "root", "det", "obj", "acl"],
        ["NOUN", "VERB", "DET", "NOUN", "VERB"],
    )
    assert repair_reported_clause(passive, 1) == passive


def test_what_a_noun_of_a_despite_or_amid_phrase_tells_is_background():
    from transforms.coding.syntax.roles import RoleLexicon, event_roles

    roles = RoleLexicon.from_file()
    # "Despite the announcement that Russia attacked Kyiv, talks went on"
    words = "Despite the announcement that Russia attacked Kyiv , talks went on"
    heads = [2, 2, 9, 5, 5, 2, 5, 9, 9, 9, 9]
    deps = ["case", "det", "obl", "mark", "nsubj", "acl", "obj", "punct", "nsubj", "root", "advmod"]
    pos = ["ADP", "DET", "NOUN", "SCONJ", "PROPN", "VERB", "PROPN", "PUNCT", "NOUN", "VERB", "ADV"]
    parse = _hand_parse(words, heads, deps, pos)
    assert event_roles(parse, 5, True, roles).background
    # "After the announcement that ...": what happened after it is told as fact.
    after = _hand_parse(words.replace("Despite", "After"), heads, deps, pos)
    found = event_roles(after, 5, True, roles)
    assert not found.background and found.doers == (4,)
    # A relative clause on the noun ("despite the deal that Russia signed") is no content clause.
    relative = _hand_parse(
        "Despite the deal Russia signed , talks went on", [2, 2, 7, 4, 2, 7, 7, 7, 7],
        ["case", "det", "obl", "nsubj", "acl:relcl", "punct", "nsubj", "root", "advmod"],
        ["ADP", "DET", "NOUN", "PROPN", "VERB", "PUNCT", "NOUN", "VERB", "ADV"],
    )
    assert not event_roles(relative, 4, True, roles).background


@pytest.mark.parametrize(
    "sentence", ["Tens of thousands rallied in Belgrade against the government.", "Tens of thousands protested in Belgrade."]
)
def test_a_crowd_counted_is_named_by_its_count_alone(coder, sentence):
    # The parser may make "Tens" the root of the whole sentence, or hang it apart from "thousands".
    events = coder.code_text(sentence, "2024-03-06")
    assert [(e.actor1_code, e.actor1_name) for e in events] == [("SRBOPP", "Tens of thousands")]

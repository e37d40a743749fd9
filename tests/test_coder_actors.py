"""Actor lookup: countries, demonyms, capitals, organisations, roles, dated office holders."""

from __future__ import annotations

import datetime

import pytest

from transforms.coding.actors import ActorDictionary
from transforms.coding.text import normalise, tokenize

DAY = datetime.date(2024, 3, 6)


@pytest.fixture(scope="module")
def dictionary() -> ActorDictionary:
    return ActorDictionary()


def codes(dictionary: ActorDictionary, sentence: str, date: datetime.date = DAY) -> list[str]:
    return [actor.code for actor in dictionary.actors(tokenize(normalise(sentence)), date)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Ukrainian troops", ["UKRMIL"]),
        ("The U.S. government", ["USAGOV"]),
        ("Russia's military", ["RUSMIL"]),
        ("the Kremlin", ["RUSGOV"]),
        ("Beijing and Washington", ["CHNGOV", "USAGOV"]),
        ("NATO and the EU", ["IGONAT", "IGOEEC"]),
        ("the G-7", ["IGOG7"]),
        ("the IAEA", ["IGOUNOIAE"]),
        ("rebels", ["---REB"]),
        ("Afghan rebels", ["AFGREB"]),
        ("the government of Sudan", ["SDNGOV"]),
        ("rebels in Mali", ["MLIREB", "MLI"]),
        ("Iranian Foreign Minister Abbas Araghchi", ["IRNGOV"]),
        ("British Defence Secretary Tom King", ["GBRGOV"]),
        ("a drug cartel leader", ["---CRM"]),
        ("Mexican drug traffickers", ["MEXCRM"]),
        ("opposition protesters", ["---OPP"]),
        ("Sudanese government forces", ["SDNMIL"]),
    ],
)
def test_phrases_become_cameo_codes(dictionary, sentence, expected):
    assert codes(dictionary, sentence) == expected


def test_country_fields_and_names(dictionary):
    [actor] = dictionary.actors(tokenize("Senior Kenyan officials"), DAY)
    assert (actor.country, actor.type, actor.name) == ("KEN", "GOV", "Kenyan officials")
    [igo] = dictionary.actors(tokenize("The United Nations"), DAY)
    assert igo.country is None and igo.type == "IGO"


def test_compound_adjectives_share_the_role(dictionary):
    assert codes(dictionary, "Hungarian and Romanian officials") == ["HUNGOV", "ROUGOV"]
    assert codes(dictionary, "Syria and Palestinian officials") == ["SYR", "PSEGOV"]


def test_acronyms_need_their_letter_case(dictionary):
    assert codes(dictionary, "The US said") == ["USA"]
    assert codes(dictionary, "let us go") == []
    assert codes(dictionary, "the UN said") == ["IGOUNO"]


def test_office_holders_depend_on_the_date(dictionary):
    assert codes(dictionary, "Boris Johnson", datetime.date(2020, 6, 1)) == ["GBRGOV"]
    assert codes(dictionary, "Boris Johnson", datetime.date(2024, 6, 1)) == ["GBRELI"]
    assert codes(dictionary, "Trump", datetime.date(2019, 1, 1)) == ["USAGOV"]
    assert codes(dictionary, "Trump", datetime.date(2023, 1, 1)) == ["USAELI"]


def test_common_surnames_need_a_title(dictionary):
    assert codes(dictionary, "May said", datetime.date(2018, 1, 1)) == []
    assert codes(dictionary, "Prime Minister May", datetime.date(2018, 1, 1)) == ["GBRGOV"]


def test_capital_after_locative_preposition_is_a_place(dictionary):
    assert codes(dictionary, "talks in Washington") == []
    assert codes(dictionary, "Washington said") == ["USAGOV"]


def test_preposition_marks_actors_that_cannot_be_subjects(dictionary):
    actors = dictionary.actors(tokenize("Thousands of Kenyans marched against the government"), DAY)
    assert [(actor.code, actor.after_preposition) for actor in actors] == [("KEN", False), ("---GOV", True)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Daniel Anthony, vice president of the Trade Partnership, said tariffs cost billions.",
        "A spokesperson for flydubai said the plane landed normally.",
        "Chairman, CEO and president Craig Menear said sales were below expectations.",
        "Serene Gregg, local president of the prison workers' union, said there were vacancies.",
        # an office right after a private body
        "The company's president criticized Mexico.",
        "The airline spokesman criticized Mexico.",
        "The university president criticized the students.",
    ],
)
def test_an_office_of_a_body_we_do_not_know_or_a_private_one_is_no_government_actor(dictionary, sentence):
    assert not [code for code in codes(dictionary, sentence) if code.endswith("GOV")]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The president of France said talks would go on.", "FRAGOV"),
        ("A spokesman for the ministry said talks would go on.", "---GOV"),
        ("The president of the country said talks would go on.", "---GOV"),
        ("Senate Democratic Leader Greg Taylor of Indianapolis said schools would suffer.", "---LEG"),
    ],
)
def test_an_office_of_a_public_body_stays_a_government_actor(dictionary, sentence, expected):
    assert expected in codes(dictionary, sentence)


@pytest.mark.parametrize(
    "sentence, country",
    [("Air France criticized Russia.", "FRA"), ("Turkish Airlines criticized Israel.", "TUR"), ("Qatar Airways said flights resumed.", "QAT")],
)
def test_a_company_named_after_a_country_is_not_the_country(dictionary, sentence, country):
    assert not [code for code in codes(dictionary, sentence) if code.startswith(country)]


def test_a_national_office_beside_a_country_stays_a_government_actor(dictionary):
    assert codes(dictionary, "Kenyan Deputy President William Ruto criticized the opposition.")[0] == "KENGOV"
    assert codes(dictionary, "The Turkish president criticized Israel.")[0] == "TURGOV"


def test_a_country_inside_another_place_name_is_not_the_country(dictionary):
    assert not [code for code in codes(dictionary, "Inner Mongolia health authority said on Sunday.") if code.startswith("MNG")]
    assert codes(dictionary, "New Zealand troops arrived.") == ["NZLMIL"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Jordan Peterson said he would appeal the ruling.",
        "The striker Chad Smith criticised the referee.",
        "Reporters asked Georgia Lewis about the strike.",
        "Her coach, Kevin Jordan, said she would return.",
        "Jordan Peterson criticized Canadian Prime Minister Justin Trudeau.",
    ],
)
def test_a_country_name_that_is_part_of_a_persons_name_is_no_country(dictionary, sentence):
    assert not any(code[:3] in ("JOR", "TCD", "GEO") for code in codes(dictionary, sentence))


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Jordan Foreign Minister Ayman Safadi condemned the raid.", ["JORGOV"]),
        ("Jordan Rejects Israeli Plan For Jordan Valley Annexation", ["JOR", "ISR"]),
        ("Jordan condemned the raid, Georgia said.", ["JOR", "GEO"]),
    ],
)
def test_a_country_name_beside_a_role_or_in_a_headline_stays_the_country(dictionary, sentence, expected):
    assert codes(dictionary, sentence) == expected

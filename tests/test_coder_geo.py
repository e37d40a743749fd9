"""Action geography: place names resolved offline to country and coordinates."""

from __future__ import annotations

import pytest

from transforms.coding.actors import ActorDictionary
from transforms.coding.geo import Gazetteer, name_key
from transforms.coding.text import normalise, tokenize


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    actors = ActorDictionary()
    return Gazetteer(actors.country_keys(), regions=actors.regions)


def locate(gazetteer: Gazetteer, sentence: str):
    return gazetteer.locate(tokenize(normalise(sentence)))


@pytest.mark.parametrize(
    "sentence, name, country",
    [
        ("A bomb exploded in central Baghdad.", "Baghdad", "IRQ"),
        ("Protesters gathered outside the parliament in Tbilisi.", "Tbilisi", "GEO"),
        ("Talks were held in Geneva.", "Geneva", "CHE"),
        ("Fighting continued in Ukraine.", "Ukraine", "UKR"),
        ("The storm made landfall in Florida.", "Florida", "USA"),
        ("Leaders met in Washington.", "Washington", "USA"),
        ("Clashes broke out in Kiev.", "Kiev", "UKR"),
        ("KABUL, Afghanistan (Reuters) - A bomb exploded.", "Kabul", "AFG"),
        ("Police made arrests in Paris, Texas, on Monday.", "Paris", "USA"),
        ("A rally was held in Moscow, Idaho.", "Moscow", "USA"),
        ("Talks were held in Paris, France.", "Paris", "FRA"),
        ("Talks were held in Cairo, Jordan and Lebanon.", "Cairo", "EGY"),
        ("Talks were held in Cairo, Jordan, and Lebanon.", "Cairo", "EGY"),
        ("Police patrolled in Islamabad.", "Islamabad", "PAK"),
        ("Protests spread in Calcutta.", "Calcutta", "IND"),
        ("Fighting went on in Odessa.", "Odessa", "UKR"),
        ("A rally was held in Lebanon, Pennsylvania.", "Lebanon", "USA"),
        ("PARIS, Texas (AP) - A man was arrested.", "Paris", "USA"),
    ],
)
def test_places_resolve_to_country(gazetteer, sentence, name, country):
    place = locate(gazetteer, sentence)
    assert (place.name, place.country) == (name, country)


def test_coordinates_are_real(gazetteer):
    baghdad = locate(gazetteer, "Fighting in Baghdad.")
    assert 33 < baghdad.lat < 34 and 44 < baghdad.lon < 45
    ukraine = locate(gazetteer, "Fighting in Ukraine.")
    assert 44 < ukraine.lat < 53 and 22 < ukraine.lon < 41


def test_a_region_is_its_own_place_inside_its_country(gazetteer):
    """"an airbase in Crimea" is in Crimea, not at Ukraine's centre; "in Chechnya" is one division."""
    crimea = locate(gazetteer, "Drones struck an airbase in Crimea.")
    assert (crimea.name, crimea.country, crimea.feature_type) == ("Crimea", "UKR", "ADM1")
    assert 44 < crimea.lat < 46 and 32 < crimea.lon < 37
    chechnya = locate(gazetteer, "Fighting went on in Chechnya.")
    assert (chechnya.country, chechnya.feature_type, chechnya.adm1_code) == ("RUS", "ADM1", "RS12")
    assert 42 < chechnya.lat < 44.5 and 44.5 < chechnya.lon < 47


def test_every_region_seat_is_a_geonames_city_of_its_country():
    """A misspelt seat in regions.tsv stops the gazetteer with the name, not a silent country centre."""
    with pytest.raises(ValueError, match="Grozni"):
        Gazetteer({}, regions={("chechnya",): ("RUS", ("Grozni",))})
    regions = ActorDictionary().regions
    gazetteer = Gazetteer({}, regions=regions)
    for key, (iso3, _) in regions.items():
        place = gazetteer.locate(tokenize(normalise("Fighting went on in " + " ".join(key).title() + ".")))
        assert (place.country, place.feature_type) == (iso3, "ADM1") and place.lat is not None, key


def test_no_place_without_a_locative_phrase(gazetteer):
    assert locate(gazetteer, "The minister resigned.") is None
    assert locate(gazetteer, "He spoke in favour of the plan.") is None


@pytest.mark.parametrize("name", ["Kabul", "New Delhi", "Port-au-Prince", "Cote d'Ivoire", "St. Louis", "Nur-Sultan"])
def test_name_keys_match_sentence_tokens(name):
    """The short path for plain names gives the same key as tokenising the name in a sentence."""
    assert name_key(name) == tuple(token.lower for token in tokenize(normalise(name)))


def test_dateline_gives_the_place_of_a_whole_story(gazetteer):
    place = gazetteer.dateline(tokenize(normalise("NAIROBI (Reuters) - Talks resumed on Monday.")))
    assert place is not None and place.country == "KEN"


@pytest.mark.parametrize(
    "sentence",
    [
        "A man pleaded guilty to threatening a lawmaker in March, prosecutors said.",  # the month, not March in England
        "Doctors offered free shots at the San Ysidro processing facility.",  # not San in Mali
    ],
)
def test_months_and_longer_unknown_names_are_no_place(gazetteer, sentence):
    assert locate(gazetteer, sentence) is None


def test_a_place_followed_by_a_weekday_or_inside_an_organisation_name_still_counts(gazetteer):
    assert locate(gazetteer, "Talks were held in Geneva Monday.").country == "CHE"
    assert locate(gazetteer, "Officials in Montenegro Municipality Association offices met.").country == "MNE"


@pytest.fixture(scope="module")
def coder():
    from transforms.coding import Coder

    return Coder()


@pytest.mark.parametrize(
    "text, place",
    [
        # A place attacked is where the attack happened.
        ("KYIV, Ukraine (AP) - Russian forces shelled the city of Kharkiv overnight.", "Kharkiv"),
        ("Rebels seized the town of Goma on Sunday.", "Goma"),
        ("KYIV, Ukraine (AP) - Russian forces attacked Ukrainian positions overnight.", "Kyiv"),
        # Where an actor is from is no place of the event.
        ("Refugees from Syria protested in Berlin.", "Berlin"),
        ("Aid workers from the UN were kidnapped in Yemen.", "Yemen"),
        ("Soldiers from Chad attacked rebels in Sudan.", "Sudan"),
    ],
)
def test_the_event_happens_where_the_action_is_not_where_its_actors_are_from(coder, text, place):
    assert {event.action_geo_name for event in coder.code_text(text, "2024-05-02")} == {place}


def test_a_giver_after_from_is_no_place_of_the_event(coder):
    """"received aid from the United States": the giver, not where anything happened."""
    events = coder.code_text("Pakistan received military aid from the United States.", "2024-05-02")
    assert [(e.actor1_code, e.actor2_code, e.action_geo_name) for e in events] == [("USA", "PAK", None)]
    # A place after "from" that is no party stays a place ("fired rockets from Lebanon").
    events = coder.code_text("Hezbollah fired rockets from Lebanon at northern Israel.", "2024-05-02")
    assert {e.action_geo_country_code for e in events} == {"LBN"}


def test_a_country_pressured_is_no_place_of_the_event(coder):
    assert [event.action_geo_name for event in coder.code_text("Russia pressured Ukraine to end the talks.", "2024-05-02")] == [None]


def test_a_place_attacked_does_not_make_the_speaker_its_own(coder):
    events = coder.code_text("MOSCOW (Reuters) - The defence ministry said Russian forces shelled Kharkiv.", "2024-05-02")
    assert {e.actor1_code for e in events if e.event_root_code == "01"} == {"RUSGOV"}
    assert {e.action_geo_name for e in events if e.event_root_code == "19"} == {"Kharkiv"}


def test_an_actors_own_words_are_no_place(coder):
    events = coder.code_text("Drug traffickers killed two Mexican soldiers.", "2024-05-02")
    assert events and all(e.actor1_code == "---CRM" and e.actor1_geo_name is None for e in events)



def test_a_city_naming_a_treaty_is_no_place(coder):
    events = coder.code_text("The United States withdrew from the Paris climate treaty.", "2024-05-02")
    assert events and all(event.action_geo_name is None for event in events)

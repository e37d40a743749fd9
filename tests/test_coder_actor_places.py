"""The place an actor's own phrase ties it to (events.actor1_geo_* / actor2_geo_*, GDELT's Actor1Geo)."""

from __future__ import annotations

import pytest

from transforms.coding import code_text

DAY = "2026-11-20"


def only_event(sentence: str):
    events = code_text(sentence, DAY)
    assert len(events) == 1, events
    return events[0]


@pytest.mark.parametrize(
    "sentence, name, feature_type, adm1_code, fips",
    [
        ("Kenyan police in Mombasa arrested twenty protesters on Tuesday.", "Mombasa", "city", "KE37", "KE"),
        ("Lawmakers from Texas criticised the Mexican government.", "Texas", "ADM1", "USTX", "US"),
        ("Police from Mombasa raided the offices of the opposition party.", "Mombasa", "city", "KE37", "KE"),
    ],
)
def test_a_place_in_the_actors_own_phrase_is_the_actors(sentence, name, feature_type, adm1_code, fips):
    event = only_event(sentence)
    assert event.actor1_geo_name == name
    assert event.actor1_geo_feature_type == feature_type
    assert event.actor1_geo_adm1_code == adm1_code
    assert event.actor1_geo_fips_country_code == fips
    assert event.actor1_geo_lat is not None and event.actor1_geo_lon is not None
    assert event.actor1_geo_feature_id is not None
    assert event.actor2_geo_name is None


def test_a_place_that_belongs_to_the_verb_is_the_actions_only():
    event = only_event("Police arrested twenty protesters in Mombasa.")
    assert event.action_geo_name == "Mombasa"
    assert event.actor1_geo_name is None and event.actor2_geo_name is None


def test_an_actors_own_place_gives_a_role_its_country():
    event = only_event("Mombasa police arrested twenty protesters.")
    assert event.actor1_code == "KENCOP"
    assert event.actor1_geo_name == "Mombasa"


def test_two_verbs_of_one_action_by_the_same_actors_are_one_event():
    events = code_text("Israeli soldiers shot and killed two Palestinian protesters.", DAY)
    keys = [(event.actor1_code, event.actor2_code, event.event_code) for event in events]
    assert keys == [("ISRMIL", "PSEOPP", "175")]

"""Places a violent action is aimed at, and the country they stand for (``attacked_places``)."""

from __future__ import annotations

from transforms.coding.actors import Actor
from transforms.coding.attacked_places import attacked_target
from transforms.coding.geo import Place

KHARKIV = Place("Kharkiv", "UKR", 49.98, 36.25)
RUSSIAN_FORCES = Actor(0, 2, "RUSMIL", "Russian forces", "RUS", "MIL", False)
KYIV_GOVERNMENT = Actor(3, 4, "UKRGOV", "Kyiv", "UKR", "GOV", False, "capital")
UKRAINIAN_TROOPS = Actor(3, 5, "UKRMIL", "Ukrainian troops", "UKR", "MIL", False)


def test_a_foreign_place_attacked_stands_for_its_country():
    target = attacked_target("190", RUSSIAN_FORCES, None, KHARKIV)
    assert (target.code, target.name, target.kind) == ("UKR", "Kharkiv", "country")


def test_a_place_of_the_doers_own_country_is_no_target():
    ukrainian_forces = RUSSIAN_FORCES._replace(code="UKRMIL", country="UKR")
    assert attacked_target("190", ukrainian_forces, None, KHARKIV) is None


def test_only_violence_makes_a_place_a_target():
    assert attacked_target("112", RUSSIAN_FORCES, None, KHARKIV) is None  # accused, "in Kharkiv"


def test_a_capital_attacked_is_its_country_and_warned_its_government():
    assert attacked_target("195", RUSSIAN_FORCES, KYIV_GOVERNMENT, None).code == "UKR"
    assert attacked_target("130", RUSSIAN_FORCES, KYIV_GOVERNMENT, None) is KYIV_GOVERNMENT


def test_an_actor_target_with_its_country_stays():
    assert attacked_target("190", RUSSIAN_FORCES, UKRAINIAN_TROOPS, KHARKIV) is UKRAINIAN_TROOPS


def test_people_named_by_role_where_the_attack_fell_are_that_country_s():
    civilians = Actor(5, 6, "---CVL", "civilians", None, "CVL", False)
    assert attacked_target("190", RUSSIAN_FORCES, civilians, KHARKIV).code == "UKRCVL"
    ukrainian_forces = RUSSIAN_FORCES._replace(code="UKRMIL", country="UKR")
    assert attacked_target("190", ukrainian_forces, civilians, KHARKIV) is civilians


def test_a_general_attack_takes_the_code_of_its_weapon():
    from tests.test_coder_syntax import _hand_parse
    from transforms.coding.attacked_places import code_by_weapon

    weapons = {"missile": "195", "artillery": "194"}
    # "Rebels attacked a ship with missiles"
    parse = _hand_parse(
        "Rebels attacked a ship with missiles", [1, 1, 3, 1, 5, 1],
        ["nsubj", "root", "det", "obj", "case", "obl"], ["NOUN", "VERB", "DET", "NOUN", "ADP", "NOUN"],
    )
    assert code_by_weapon("180", parse, 1, weapons) == "195"
    assert code_by_weapon("173", parse, 1, weapons) == "173"  # only a general attack narrows
    assert code_by_weapon("180", parse, 1, {"artillery": "194"}) == "180"

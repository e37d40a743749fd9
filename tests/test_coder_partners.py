"""Coordinated doers and their partners (``partners``): joint exercises and acting on each other."""

from __future__ import annotations

from transforms.coding.actors import Actor
from transforms.coding.partners import joint_partners

US_TROOPS = Actor(0, 2, "USAMIL", "US troops", "USA", "MIL", False)
FILIPINO_TROOPS = Actor(3, 5, "PHLMIL", "Filipino troops", "PHL", "MIL", False)
PHILIPPINES = Actor(8, 9, "PHL", "Philippines", "PHL", None, False, "country")
TAIWAN = Actor(6, 7, "TWN", "Taiwan", "TWN", None, False, "country")
US_NAVY = Actor(6, 9, "USAMIL", "the US Navy", "USA", "MIL", False)


def test_forces_of_two_countries_drill_with_each_other_not_with_the_place():
    assert joint_partners([US_TROOPS, FILIPINO_TROOPS], [PHILIPPINES], False, False, [], "062") == ([], True, "062")


def test_a_partner_of_another_country_in_a_with_phrase_is_the_target():
    japan = US_TROOPS._replace(code="JPNMIL", name="Japan's navy", country="JPN")
    assert joint_partners([japan], [US_NAVY], False, True, [US_NAVY], "062") == ([US_NAVY], False, "062")


def test_drills_of_one_country_keep_their_targets_and_code():
    china = Actor(0, 1, "CHN", "China", "CHN", None, False, "country")
    assert joint_partners([china], [TAIWAN], False, False, [], "062") == ([TAIWAN], False, None)
    # a partner of the doer's own country is no partner
    assert joint_partners([US_TROOPS], [US_NAVY], True, True, [US_NAVY], "062") == ([US_NAVY], True, None)

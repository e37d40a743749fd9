"""Places a violent action is aimed at, and the country such a place stands for.

"Russian forces shelled [the city of Kharkiv]", "Hamas fired rockets [at Tel Aviv]": the place is
where the event happened (its ``ActionGeo``), and where the sentence names no actor as the target,
the place's country is the one attacked (``UKR``, ``ISR``), as a GDELT analyst reads it. A capital
shelled is the city, its country's, not the government its name stands for elsewhere ("Moscow
warned Kyiv" is ``UKRGOV``; "shelled Kyiv" is ``UKR``).
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.actors import Actor, country_actor
from transforms.coding.geo import Place
from transforms.coding.reporting import noun_head_of
from transforms.coding.syntax.parse import Parse
from transforms.coding.text import Token

# Roots of violence: assault, fight, mass violence (CAMEO 18, 19, 20).
VIOLENCE_ROOTS = ("18", "19", "20")


def aimed_at_spans(
    all_tokens: Sequence[Token],
    tokens: Sequence[Token],
    parse: Parse,
    words: Sequence[Optional[int]],
    matches: Sequence[ActionMatch],
    aim_cases: frozenset[str],
) -> list[tuple[int, int]]:
    """The token spans, as ``(start, end)`` positions in ``all_tokens`` (the dateline included), of
    what the sentence's violent actions are aimed at: their objects ("shelled [the city of
    Kharkiv] overnight", "[Kharkiv] was shelled") and the phrases of aim (``aim_cases``) on the action or its object
    ("fired rockets [at Tel Aviv]", "launched a drone attack [on Odesa]"). ``tokens`` are the
    sentence's tokens after the dateline and ``words`` maps each to its parse word (None where the
    parse has none). A place pressured or urged is no place where something happened ("pressuring
    the U.S."): only violence counts."""
    offset = len(all_tokens) - len(tokens)
    spans = []
    for match in matches:
        word = words[match.start] if match.kind == "act" and match.code[:2] in VIOLENCE_ROOTS else None
        if word is None:
            continue
        # "a drone attack on Odesa": the aim hangs on "attack", the head of the action's words.
        word = noun_head_of(parse, words, match, word)
        # "shelled [the town of Avdiivka]", "[the town of Avdiivka] was shelled"
        objects = [child for child in parse.children(word) if parse.deps[child] in ("obj", "nsubj:pass")]
        # "fired rockets [at Tel Aviv]", "launched a drone attack [on Odesa]"
        aims = [
            child for head in [word, *objects] for child in parse.children(head)
            if parse.relation(child) in ("obl", "nmod") and parse.case_of(child) in aim_cases
        ]
        for child in objects + aims:
            span = _phrase_span(parse, words, child)
            if span is not None:
                spans.append((span[0] + offset, span[1] + offset))
    return spans


def object_spans(parse: Parse, words: Sequence[Optional[int]], word: int) -> list[tuple[int, int]]:
    """The token spans (``(start, end)`` positions in the tokens ``words`` maps) of the direct
    objects of the action at parse word ``word`` ("captured [the town of Avdiivka]"), or of its
    passive subject ("[the town of Bakhmut] was captured")."""
    spans = (
        _phrase_span(parse, words, child) for child in parse.children(word)
        if parse.deps[child] in ("obj", "nsubj:pass")
    )
    return [span for span in spans if span is not None]


def _phrase_span(parse: Parse, words: Sequence[Optional[int]], word: int) -> Optional[tuple[int, int]]:
    """The token span of the phrase headed by parse word ``word``, without its preposition
    ("[Tel Aviv]" of "at Tel Aviv"), or None where no token maps to it."""
    phrase = parse.subtree(word) - {marker for marker in parse.children(word) if parse.relation(marker) == "case"}
    positions = [position for position, parsed in enumerate(words) if parsed in phrase]
    return (positions[0], positions[-1] + 1) if positions else None


def attacked_target(
    code: str, doer: Optional[Actor], done_to: Optional[Actor], attacked_place: Optional[Place]
) -> Optional[Actor]:
    """The target of a violent event (CAMEO ``code``) once its place is known: a foreign place
    attacked stands for its country where no actor is the target ("Russian forces shelled
    Kharkiv": ``UKR``; "Kharkiv was shelled": ``UKR`` too), a capital attacked is its country,
    not its government, and people named by role alone there are its people ("shelled Kharkiv,
    killing three civilians": ``UKRCVL``). Any other
    ``done_to`` comes back unchanged."""
    if code[:2] not in VIOLENCE_ROOTS:
        return done_to
    foreign = (
        attacked_place is not None and attacked_place.country is not None
        and (doer is None or doer.country != attacked_place.country)
    )
    if done_to is None:
        return country_actor(attacked_place.country, attacked_place.name) if foreign else None
    if done_to.kind == "capital" and done_to.type == "GOV" and done_to.country:
        return country_actor(done_to.country, done_to.name)
    if foreign and not done_to.has_country:
        # "shelled Kharkiv, killing three civilians": those killed where the attack fell are
        # that country's.
        return done_to.with_country(attacked_place.country)
    return done_to


def code_by_weapon(code: str, parse: Parse, word: int, weapon_codes: Mapping[str, str]) -> str:
    """A general attack's code (``180``, ``190``) made specific by the weapon its "with" phrase
    names (``weapon_codes``, from cues.json: "attacked a ship with a missile" -> 195, "with
    artillery" -> 194); any other code, or no known weapon, stays."""
    if code not in ("180", "190"):
        return code
    for child in parse.children(word):
        if parse.relation(child) == "obl" and parse.case_of(child) == "with":
            specific = weapon_code(parse.words[child], weapon_codes)
            if specific:
                return specific
    return code


def fired_into_open_water(
    code: str, parse: Parse, word: int, open_water_words: frozenset[str], aim_cases: frozenset[str],
    temporal_words: frozenset[str] = frozenset(),
) -> bool:
    """Is the violent action (CAMEO ``code``) at parse word ``word`` fired "into" open water
    (``open_water_words``: "fired a ballistic missile into the Sea of Japan") and at nothing else
    (no phrase of aim, ``aim_cases``: "into the Red Sea at a cargo ship" is an attack; a time such
    as "on Sunday", a ``temporal_words`` head, is none)? Then, with nobody as its target, it is a
    show of force (150), not an attack."""
    if code[:2] not in VIOLENCE_ROOTS:
        return False
    obliques = [
        (parse.case_of(child), parse.words[child].lower()) for child in parse.children(word)
        if parse.relation(child) == "obl" and parse.words[child].lower() not in temporal_words
    ]
    return any(case == "into" and head in open_water_words for case, head in obliques) and not any(
        case in aim_cases and case != "into" for case, _ in obliques
    )


def weapon_code(word: str, weapon_codes: Mapping[str, str]) -> Optional[str]:
    """The CAMEO code of the weapon ``word`` names ("missiles" -> 195), or None for no weapon."""
    lowered = word.lower()
    return weapon_codes.get(lowered) or weapon_codes.get(lowered.removesuffix("s"))

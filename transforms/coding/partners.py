"""Coordinated doers and their partners: when do "A and B" act on each other, and with whom?

- "Azerbaijani and Armenian forces exchanged fire", "Pakistan and Afghanistan blamed each other",
  "Israel and Hamas traded accusations": each did it to the other (``acts_on_each_other``);
- exercises held by forces of two countries, or with another country's forces, are military
  cooperation by each with the other (``joint_partners``).

All functions take parse word indices (``Parse``'s numbering).
"""

from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.actors import Actor
from transforms.coding.syntax.parse import Parse


def acts_on_each_other(
    parse: Parse, word: int, reciprocal_verbs: frozenset[str], reciprocal_pronouns: frozenset[str]
) -> bool:
    """Does the action at ``word`` make its coordinated doers act on each other: a reciprocal verb
    ("exchanged fire", "clashed"), the action noun such a verb takes ("traded accusations"), or an
    object "each other" / "one another" (``reciprocal_pronouns``: "blamed each other")?"""
    if parse.words[word].lower() in reciprocal_verbs:
        return True
    if parse.deps[word] == "obj" and parse.words[parse.heads[word]].lower() in reciprocal_verbs:
        return True
    if any(
        parse.deps[child] == "amod" and child < word and parse.words[child].lower() in reciprocal_verbs
        for child in parse.children(word)
    ):
        return True  # "Armenia and Azerbaijan exchanged accusations", the verb parsed as the noun's adjective
    return any(
        parse.deps[child] in ("obj", "iobj") and child + 1 < len(parse.words)
        and f"{parse.words[child]} {parse.words[child + 1]}".lower() in reciprocal_pronouns
        for child in parse.children(word)
    )


def in_with_phrase(parse: Parse, words: Sequence[Optional[int]], actors: Sequence[Actor]) -> list[Actor]:
    """The ``actors`` named in a "with" phrase ("held drills with French warships")."""
    return [
        actor for actor in actors
        if any(
            words[position] is not None and parse.case_of(words[position]) == "with"
            for position in range(actor.start, actor.end)
        )
    ]


def joint_partners(
    sources: list[Actor],
    targets: list[Actor],
    reciprocal: bool,
    with_partner: bool,
    partners: list[Actor],
    joint_code: str,
) -> tuple[list[Actor], bool, Optional[str]]:
    """Exercises by forces of two or more countries are done together (``joint_codes``): the
    coordinated doers with each other ("US and Filipino troops launched joint exercises in the
    Philippines": USAMIL <-> PHLMIL, not the place) or the doer with ``partners`` (targets in a
    "with" phrase) of another country ("joined exercises with the US Navy"); private people
    ("chefs", "gamers") hold no exercises. Returns (targets,
    reciprocal, the code to give); otherwise targets and ``reciprocal`` stand and the code is not
    changed (None)."""
    if any(source.kind == "private" for source in sources):
        return targets, reciprocal, None  # "French and Italian chefs held joint cooking drills"
    countries = {source.country for source in sources if source.country}
    if len(countries) > 1 and not with_partner:
        return [], True, joint_code
    foreign = [partner for partner in partners if partner.country and partner.country not in countries]
    if countries and foreign:
        return foreign, False, joint_code
    return targets, reciprocal, None

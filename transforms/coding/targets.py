"""Which words of a parsed sentence can name an event's target, and which cannot.

The parse gives an action its objects (``syntax.roles.event_roles``); these rules say which of them,
and which words of its clause, stand for the one the action was done to:

- the doer's own agents are not ("withdrew its troops", "recalled their ambassador"; "arrested its
  critics" are; troops "its" names in an attack are another's: ``attacked_possessor``), nor the
  weapon of a "with" phrase ("attacked the village with tanks");
- where the parse names no target and word order has to guess, a "with" phrase beside a named
  object is the means ("attacked Odesa with drones"), a clause on the object describes it
  ("executed four men accused of spying for Israel"), violence done "from" a place was not
  done to it ("fired rockets at Haifa from southern Lebanon") and talks were not held with the
  place they were held in ("held talks in Oman");
- whoever says something is no target of what they report ("North Korea fired a missile, South
  Korea's military said"); whom a warning names is ("warned protesters that ...": ``warns_an_actor``).

All functions take parse word indices (``Parse``'s numbering) and return sets of them or actors.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.actors import Actor
from transforms.coding.attacked_places import weapon_code
from transforms.coding.lexicon import Cues
from transforms.coding.syntax.parse import Parse
from transforms.coding.syntax.roles import RoleLexicon, Roles, actors_of


def own_agents(
    parse: Parse, roles: Roles, actors: Sequence[Actor], words: Sequence, lexicon: RoleLexicon, cues: Cues,
    with_own_forces: bool = False,
    violent: bool = False,
) -> set[int]:
    """The done-to words that name the doer's own forces or government: a collective possessive
    on a phrase whose actors are all security forces or government ("its troops", "their
    ambassador"; not for ``violent`` actions: "militants opened fire on its troops" are another's),
    or, where a state acts with its own forces (``with_own_forces``: see ``acts_with_own_forces``),
    forces of no named country ("Russia withdrew troops", "agreed to disengage troops")."""
    own = set()
    for done_to in roles.done_to:
        possessed = not violent and any(
            parse.deps[child] == "nmod:poss" and parse.words[child].lower() in cues.collective_possessives
            for child in parse.children(done_to)
        )
        if not possessed and not with_own_forces:
            continue  # the common case: no actor look-up needed
        named = actors_of(parse, done_to, actors, words, lexicon)
        if possessed and all(actor.type in cues.security_forces or actor.type == "GOV" for actor in named):
            own.add(done_to)
        elif with_own_forces and named and all(
            actor.type in cues.security_forces and not actor.has_country for actor in named
        ):
            own.add(done_to)
    return own


def acts_with_own_forces(code: str, doers: Sequence[Actor], cues: Cues, state_types: frozenset) -> bool:
    """Does a state or alliance carry out this action (CAMEO ``code``) with its own forces: an
    intent, withdrawal or deployment (``cues.own_forces_codes``) whose doers are all states,
    governments or armies (``state_types``) or international bodies ("NATO agreed to deploy more
    troops"); rebels "surrendered to the army" are not."""
    return code.startswith(cues.own_forces_codes) and bool(doers) and all(
        doer.type in state_types or doer.code.startswith("IGO") for doer in doers
    )


def weapons(parse: Parse, roles: Roles, weapon_words: Mapping[str, str]) -> set[int]:
    """The done-to words that are the weapon of a "with" phrase ("attacked the village with
    tanks"): the means, never the target, even where the parse offers them as one."""
    return {
        done_to for done_to in roles.done_to
        if parse.case_of(done_to) == "with" and weapon_code(parse.words[done_to], weapon_words) is not None
    }


def fallback_clause(
    parse: Parse,
    word: int,
    roles: Roles,
    doer_named: bool,
    origin_cases: frozenset[str] = frozenset(),
    venue_cases: frozenset[str] = frozenset(),
) -> set[int]:
    """The words of the action's clause (``word`` heads it) where word order may look for a
    target the parse did not name. Where the parse names doer and object, a "with" phrase it did
    not take for the target is the means and a clause on the object describes it: neither is. A
    phrase of ``origin_cases`` (given for violence: "fired rockets from southern Lebanon") says
    where the doer acted from; one of ``venue_cases`` anywhere in the clause (given for meetings:
    "held talks in Oman") where it took place. The agent of a participle describing a noun of the
    clause did that, not the action ("agreed a ceasefire in talks brokered [by Qatar]")."""
    clause = set(parse.subtree(word))
    others_agents = {
        inner for participle in clause
        if participle != word and parse.relation(participle) == "acl"
        for child in parse.children(participle) if parse.deps[child] == "obl:agent"
        for inner in parse.subtree(child)
    }
    clause -= others_agents
    origins = {
        inner for child in parse.children(word)
        if parse.relation(child) == "obl" and parse.case_of(child) in origin_cases
        for inner in parse.subtree(child)
    }
    origins |= {
        inner for phrase in clause
        if phrase != word and parse.case_of(phrase) in venue_cases
        for inner in parse.subtree(phrase)
    }
    if not (doer_named and roles.done_to_named):
        return clause - origins
    means = {
        inner for child in parse.children(word)
        if parse.relation(child) == "obl" and parse.case_of(child) == "with" and child not in roles.done_to
        for inner in parse.subtree(child)
    }
    descriptions = {
        inner for done_to in roles.done_to for child in parse.children(done_to)
        if parse.relation(child) == "acl" for inner in parse.subtree(child)
    }
    return clause - origins - means - descriptions


def without_speakers(
    targets: Sequence[Actor], parse: Parse, words: Sequence, says: Sequence[ActionMatch], word: int
) -> list[Actor]:
    """``targets`` less those that are the subject of a verb of saying other than the action's own
    ``word``: the parser may join the speaker of a report to the reported action's object."""
    say_words = {words[say.start] for say in says} - {None, word}
    return [
        actor for actor in targets
        if not any(
            words[position] is not None and parse.deps[words[position]].startswith("nsubj")
            and parse.heads[words[position]] in say_words
            for position in range(actor.start, actor.end)
        )
    ]


def attacked_possessor(
    parse: Parse, words: Sequence, actors: Sequence[Actor], target: Actor, word: int, its_words: frozenset[str]
) -> Actor:
    """A target of violence named by role with "its" (``its_words``) and no country, as the country
    of the subject "its" stands for: that of a clause above the violent action ``word`` (nobody
    attacks its own troops): "Israel said militants opened fire on its troops" -> ISRMIL. Any
    other target comes back unchanged."""
    before = words[target.start - 1] if target.start > 0 else None
    if target.has_country or before is None or parse.words[before].lower() not in its_words:
        return target
    holder = _subject_above(parse, words, actors, word)
    return target.with_country(holder.country) if holder is not None else target


def attacked_belongings(
    parse: Parse, words: Sequence, actors: Sequence[Actor], done_to: Sequence[int], word: int, its_words: frozenset[str]
) -> Optional[Actor]:
    """The actor whose things violence hit, where what was hit is no actor but "its" something
    (``its_words``: "its positions", "its border villages") and a clause above names who "its"
    stands for: "Hezbollah said Israeli troops shelled its positions" -> Hezbollah. ``done_to``
    are the parse words of what the violent action ``word`` was done to; None where none is."""
    if not any(
        parse.deps[child] == "nmod:poss" and parse.words[child].lower() in its_words
        for noun in done_to for child in parse.children(noun)
    ):
        return None
    return _subject_above(parse, words, actors, word)


def _subject_above(parse: Parse, words: Sequence, actors: Sequence[Actor], word: int) -> Optional[Actor]:
    """The first actor of a country that is the subject of a clause above ``word`` (up to six
    heads up), or None."""
    clause = word
    for _ in range(6):
        if parse.heads[clause] == clause:
            break
        clause = parse.heads[clause]
        for subject in parse.children(clause):
            if not parse.deps[subject].startswith("nsubj"):
                continue
            holders = [
                actor for actor in actors
                if actor.country and any(words[position] == subject for position in range(actor.start, actor.end))
            ]
            if holders:
                return holders[0]
    return None


def warns_an_actor(parse: Parse, words: Sequence, actors: Sequence[Actor], word: int) -> bool:
    """Does the warning verb ``word`` tell one of the sentence's actors what they will face: its
    object is an actor and the warned clause's subject a pronoun for them ("warned protesters that
    they would face arrest": a threat to them)? "warned governments that a new pandemic was
    inevitable" is a pessimistic comment."""
    objects = {child for child in parse.children(word) if parse.deps[child] in ("obj", "iobj")}
    if not any(words[position] in objects for actor in actors for position in range(actor.start, actor.end)):
        return False
    return any(
        parse.deps[subject].startswith("nsubj") and parse.pos[subject] == "PRON"
        and parse.words[subject].lower() != "there"
        for clause in parse.children(word) if parse.deps[clause] == "ccomp"
        for subject in parse.children(clause)
    )


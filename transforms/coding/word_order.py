"""Doers and done-to by word order, for actions the dependency parse says nothing about.

The subject (the nearest actor before the action, in its own clause) is the doer and the first
actor after it the done-to; the passive swaps them ("was arrested by police"), coordination
widens them ("Chile and Peru"), and appositions, relative clauses, subordinate clauses, quotes and
reported demands each move the subject somewhere else.
"""

from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.actors import Actor
from transforms.coding.chains import Chain, is_participle_clause, starts_new_verb
from transforms.coding.geo import LOCATIVE_PREPOSITIONS
from transforms.coding.inflection import is_past_participle
from transforms.coding.lexicon import Cues
from transforms.coding.text import Token, is_initialism

# Roots below this are words and gestures (cooperation, demands, threats ...): done "by" someone
# who is no actor ("criticised by many") they are no event; violence by an unnamed hand still is.
VERBAL_ROOTS_END = "15"
# Organisations that count as named even among a pattern's own words ("summoned the UN envoy").
NAMED_ORGANISATIONS = ("IGO", "NGO", "IMG")
# A verb reporting the clause before it has at most this many words after it ("here Wednesday").
TRAILING_REPORT_TAIL = 4
# Doers and done-to of the chain before: a continuing clause shares them.
Roles = tuple[list[Actor], list[Actor]]


def is_passive(cues: Cues, tokens: Sequence[Token], head: ActionMatch) -> bool:
    """Is the action a passive ("was arrested", "soldiers backed by ...")?"""
    if not head.verbal or not is_past_participle(tokens[head.start].lower):
        return False
    following = tokens[head.start + 1].lower if head.start + 1 < len(tokens) else ""
    if following in cues.adjective_complements:
        return False  # "is committed to", "is opposed to": an adjective, not a passive
    if following == "by" and head.start > 0 and tokens[head.start - 1].text[:1].isalpha():
        return True  # "soldiers backed by African Union troops": a passive without its auxiliary
    for position in range(head.start - 1, max(-1, head.start - 4), -1):
        word = tokens[position].lower
        if word in cues.passive_auxiliaries:
            return True
        if not word.endswith("ly") and word not in cues.passive_gap_words:
            return False
    return False


def is_object_in_gap(cues: Cues, tokens: Sequence[Token], chain: Chain, actor: Actor) -> bool:
    """Is an actor between a pattern's words its object ("charged three activists with"), not a
    word of the pattern or a modifier of its noun ("pledged military aid")?"""
    if chain.literal.intersection(range(actor.start, actor.end)):
        return False
    following = actor.end
    return following not in chain.literal or tokens[following].lower in cues.subject_blocking_prepositions


def is_after_by(cues: Cues, tokens: Sequence[Token], start: int) -> bool:
    """Is the actor at ``start`` the agent of a passive: "by police", "by a grand jury",
    "by the U.S. State Department" (up to two words between), but not "by the time police came"?"""
    for position in range(start - 1, max(-1, start - 4), -1):
        word = tokens[position]
        if word.lower == "by":
            return True
        if not (word.text.isalpha() or is_initialism(word.text)) or word.lower in cues.not_agents_after_by:
            return False
    return False


def coordinated(cues: Cues, tokens: Sequence[Token], actors: Sequence[Actor], index: int, step: int) -> list[Actor]:
    """The actor at ``index`` and those joined to it by "and" or commas, walking by ``step``."""
    group = [actors[index]]
    position = index
    while 0 <= position + step < len(actors):
        left, right = (actors[position], actors[position + step]) if step > 0 else (actors[position + step], actors[position])
        between = tuple(token.lower for token in tokens[left.end : right.start])
        if between not in cues.coordination_links:
            break
        position += step
        group.append(actors[position])
    return group if step > 0 else group[::-1]


def skip_apposition(
    cues: Cues, tokens: Sequence[Token], actors: Sequence[Actor], subjects: list[int], head: int
) -> list[int]:
    """"Pakistan, a key U.S. ally, refused ...": drop actors inside a closed apposition."""
    if len(subjects) < 2:
        return subjects
    nearest = actors[subjects[-1]]
    if not any(token.text == "," for token in tokens[nearest.end : head]):
        return subjects
    for earlier in range(len(subjects) - 2, -1, -1):
        opening = actors[subjects[earlier]].end
        if (
            opening + 1 < nearest.start
            and tokens[opening].text == ","
            and tokens[opening + 1].lower in cues.apposition_openers
        ):
            return subjects[: earlier + 1]
    return subjects


def is_object(cues: Cues, tokens: Sequence[Token], actor: Actor) -> bool:
    """Is the actor some verb's object ("gave Ivory Coast aid", "sent troops to help")?"""
    position = actor.start - 1
    while position >= 0 and (
        tokens[position].lower in cues.object_determiners or tokens[position].text[:1].isdigit()
    ):
        position -= 1
    if position < 0:
        return False
    word = tokens[position]
    return word.lower in cues.object_verbs or (word.lower.endswith("ed") and word.text.islower())


def reported_speech(
    cues: Cues, head: ActionMatch, says: Sequence[ActionMatch], tokens: Sequence[Token]
) -> Optional[ActionMatch]:
    """The statement verb that reports a "must" demand, if the demand is reported: before it ("X
    said Y must ..."), or closing the quotation it stands in ('"Y must ...," X said')."""
    if tokens[head.start].lower not in cues.reported_demands:
        return None
    earlier = [say for say in says if say.end <= head.start]
    if earlier:
        return earlier[-1]

    def quotes_before(position: int) -> int:
        return sum(token.text == '"' for token in tokens[:position])

    if quotes_before(head.start) % 2 == 0:
        return None
    closing = [say for say in says if say.start > head.start and quotes_before(say.start) % 2 == 0]
    return closing[0] if closing else None


def is_crowd(cues: Cues, actor: Actor) -> bool:
    """Is the actor a crowd ("protesters", "Kenyan students"): its head word is in ``crowds``?"""
    return actor.name.split()[-1].lower() in cues.crowds


def reporting_doer(cues: Cues, tokens: Sequence[Token], actors: Sequence[Actor], head: ActionMatch) -> Optional[Actor]:
    """"Police had beaten journalists, a rights group protested here Wednesday.": the doer of the
    verb at ``head`` when the verb is said of the clause before it, else None. The doer is an actor
    right before the verb that opens after a comma (determiners aside); nothing but a few words of
    time ("here Wednesday", "on Monday") follow the verb to the end of the sentence, and no actor,
    clause break or place phrase ("in Nairobi": a crowd took to the streets) is among them. The
    verb then reports, like "said"; it is not done to anyone in the clause."""
    doer = next((actor for actor in actors if actor.end == head.start), None)
    if doer is None or is_crowd(cues, doer):
        return None  # "..., students protested in Dhaka": a crowd takes to the streets
    start = doer.start
    while start > 0 and tokens[start - 1].lower in cues.object_determiners:
        start -= 1
    if start < 3 or tokens[start - 1].text != ",":
        return None
    rest = [token for token in tokens[head.end :] if token.text not in (".", "!")]
    if (
        len(rest) > TRAILING_REPORT_TAIL
        or any(actor.start >= head.end for actor in actors)
        or any(token.lower in cues.clause_breaks or token.text in (",", '"') for token in rest)
        or any(token.lower in LOCATIVE_PREPOSITIONS for token in rest)  # "..., Kenyans protested in Nairobi"
    ):
        return None
    return doer


def reported_subject(cues: Cues, tokens: Sequence[Token], actors: Sequence[Actor]) -> Optional[Actor]:
    """The actor that opens the sentence (determiners aside), the subject of a clause a later
    verb reports on ("Croatian authorities are failing ..., a rights group protested"), if any."""
    start = 0
    while start < len(tokens) and tokens[start].lower in cues.object_determiners:
        start += 1
    return next((actor for actor in actors if actor.start == start), None)


def relative_antecedent(
    cues: Cues, tokens: Sequence[Token], actors: Sequence[Actor], before: Sequence[int], head: ActionMatch
) -> Optional[int]:
    """The actor a "who" just before the action refers to, even inside a prepositional phrase."""
    pronouns = [p for p in range(max(0, head.start - 3), head.start) if tokens[p].lower in cues.relative_pronouns]
    if not pronouns or not before:
        return None
    nearest = before[-1]
    between = [token.text for token in tokens[actors[nearest].end : pronouns[-1]]]
    return nearest if between in ([], [","]) else None


def subordinate_clause_start(cues: Cues, tokens: Sequence[Token], head_start: int) -> int:
    """Just after the last subordinating word ("after", "when" ...) before the action, else 0."""
    for position in range(head_start - 1, -1, -1):
        if tokens[position].lower in cues.subordinators:
            # "After the talks failed, Russia attacked": a comma closes the subordinate clause.
            if any(token.text == "," for token in tokens[position:head_start]):
                return 0
            return position + 1
    return 0


def quoted_speaker(
    tokens: Sequence[Token], actors: Sequence[Actor], says: Sequence[ActionMatch], head: ActionMatch
) -> Optional[Actor]:
    """'"We will retaliate," the Iranian foreign minister said': the speaker of a quote is the
    doer of what the quote announces when the quote names nobody."""
    if not any(token.text == '"' for token in tokens[: head.start]):
        return None
    for say in says:
        if say.start <= head.start:
            continue
        for actor in actors:
            if actor.end <= say.start and not any(t.text in ('"', ",") for t in tokens[actor.end : say.start]) \
                    and actor.start > head.start:
                return actor
            if actor.start >= say.end and actor.start - say.end <= 1:
                return actor
    return None


def source_and_target(
    cues: Cues,
    tokens: Sequence[Token],
    actors: Sequence[Actor],
    chain: Chain,
    previous: Optional[Roles],
    says: Sequence[ActionMatch] = (),
) -> Roles:
    """The doers and the done-to of a chain; ``previous`` are those of the chain before it."""
    head = chain.head
    before = [i for i, actor in enumerate(actors) if actor.end <= head.start]
    after = [
        i for i, actor in enumerate(actors)
        if actor.start >= head.head_end and actor.start < max(chain.end, head.end)
        # a pattern's own words ("summoned the British ambassador") count only as a named actor;
        # words in its gap do ("charged three activists with"), unless they describe its noun
        # ("pledged military aid")
        and (
            actor.start >= head.end
            or actor.country
            or actor.code[:3] in NAMED_ORGANISATIONS
            or is_object_in_gap(cues, tokens, chain, actor)
        )
    ]
    if is_passive(cues, tokens, head):
        by_agent = [i for i in after if is_after_by(cues, tokens, actors[i].start)]
        sources = coordinated(cues, tokens, actors, by_agent[0], 1) if by_agent else []
        if not sources and chain.code[:2] < VERBAL_ROOTS_END and any(
            token.lower == "by" for token in tokens[head.head_end : chain.end]
        ):
            return [], []  # "was dismissed by many as ...": said or done by someone who is no actor
        # "Police said a man was shot": the one done to is in the reported clause, not the speaker.
        reported_from = max((say.end for say in says if say.end <= head.start), default=0)
        done_to = [i for i in before if actors[i].start >= reported_from]
        targets = coordinated(cues, tokens, actors, done_to[-1], -1) if done_to else []
        return sources, targets
    speech = reported_speech(cues, head, says, tokens)
    if speech is not None and speech.start > head.start:
        # '"Iran must stop enriching uranium," the French foreign minister said': the speaker
        # demands of the quote's subject.
        speaker = quoted_speaker(tokens, actors, says, head)
        targets = coordinated(cues, tokens, actors, before[-1], -1) if before else []
        if speaker is not None:
            return [speaker], [actor for actor in targets if actor.code != speaker.code]
    elif speech is not None:
        # "X said Y must ...": X demands of Y.
        speakers = [i for i in before if actors[i].end <= speech.start and not actors[i].after_preposition]
        addressees = [i for i in before if actors[i].start >= speech.end]
        sources = coordinated(cues, tokens, actors, speakers[-1], -1) if speakers else []
        targets = coordinated(cues, tokens, actors, addressees[-1], -1) if addressees else []
        if sources:
            return sources, targets
    continues = previous is not None and (
        starts_new_verb(cues, tokens, head) or is_participle_clause(tokens, head)
    )
    if continues:
        # Same subject as the coded action before: "... and arrested", "..., killing 20 people".
        sources = previous[0]
    elif (antecedent := relative_antecedent(cues, tokens, actors, before, head)) is not None:
        sources = [actors[antecedent]]  # "threw stones at police, who responded with tear gas"
    else:
        # A subordinate clause ("after gang violence erupted") has its own subject.
        clause_start = subordinate_clause_start(cues, tokens, head.start)
        subjects = [i for i in before if not actors[i].after_preposition and actors[i].start >= clause_start]
        subjects = skip_apposition(cues, tokens, actors, subjects, head.start)
        # The doer is not some verb's object ("gave Ivory Coast aid", "sent troops to help").
        subjects = [i for i in subjects if not is_object(cues, tokens, actors[i])] or subjects
        sources = coordinated(cues, tokens, actors, subjects[-1], -1) if subjects else []
        if not sources:
            speaker = quoted_speaker(tokens, actors, says, head)
            sources = [speaker] if speaker else []
    source_codes = {actor.code for actor in sources}
    candidates = [i for i in after if actors[i].code not in source_codes or not sources]
    targets = coordinated(cues, tokens, actors, candidates[0], 1) if candidates else []
    if continues and not targets:
        # "fired on the demonstrators, killing one and arresting 12": the same people.
        targets = [actor for actor in previous[1] if actor.code not in source_codes]
    return sources, targets

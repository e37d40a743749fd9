"""Where an actor is from or stationed, when its own noun phrase says so (GDELT's Actor1Geo/Actor2Geo).

"Kenyan police in Mombasa", "lawmakers from Texas", "the governor of Texas", "Mombasa police",
"Kenya's police": the place is a dependent of the actor's head word in the parse (a
prepositional modifier with "in", "from" or "of", a compound name or a possessor) and a name the
gazetteer knows. A place elsewhere in the sentence is the action's place, not the actor's
("police arrested protesters in Mombasa": the phrase belongs to the verb), so it is not taken.
"""

from __future__ import annotations

from typing import Collection, Optional, Sequence

from transforms.coding.actors import Actor
from transforms.coding.cue_data import read_cues
from transforms.coding.geo import Gazetteer, Place
from transforms.coding.syntax.parse import Parse
from transforms.coding.text import Token

ACTOR_PLACE_PREPOSITIONS = frozenset(read_cues()["actor_place_prepositions"])
_SKIPPED_BEFORE_NAME = frozenset(read_cues()["skipped_before_place_name"])
# Dependents of a noun that name a place before it: "Mombasa police", "Kenya's police".
_NAME_BEFORE_HEAD = frozenset({"compound", "nmod:poss"})


def actor_place(
    tokens: Sequence[Token],
    words: Sequence[Optional[int]],
    parse: Parse,
    actor: Optional[Actor],
    gazetteer: Gazetteer,
    not_place_words: Collection[str] = frozenset(),
) -> Optional[Place]:
    """The place ``actor``'s noun phrase ties it to, or None.

    ``tokens`` are the sentence's coder tokens, ``words[i]`` the parse word of token ``i`` (None
    where no word starts), and ``actor.start``..``actor.end`` its token span. A name made only of
    ``not_place_words`` (the dictionaries' role and organisation words) is no place."""
    if actor is None or actor.start < 0:
        return None
    head = _head_word(parse, [words[index] for index in range(actor.start, actor.end) if words[index] is not None])
    if head is None:
        return None
    token_of_word: dict[int, int] = {}
    for index, word in enumerate(words):
        if word is not None:
            token_of_word.setdefault(word, index)
    for child in parse.children(head):
        if parse.deps[child] in _NAME_BEFORE_HEAD or (
            parse.relation(child) == "nmod" and parse.case_of(child) in ACTOR_PLACE_PREPOSITIONS
        ):
            place = _place_in(tokens, token_of_word, parse, child, gazetteer, not_place_words)
            if place is not None:
                return place
    return None


def _head_word(parse: Parse, span_words: Sequence[int]) -> Optional[int]:
    """The word of the span whose head lies outside it (the phrase's head)."""
    inside = set(span_words)
    for word in span_words:
        if parse.heads[word] == word or parse.heads[word] not in inside:
            return word
    return None


def _place_in(
    tokens: Sequence[Token], token_of_word: dict[int, int], parse: Parse, word: int, gazetteer: Gazetteer,
    not_place_words: Collection[str] = frozenset(),
) -> Optional[Place]:
    """The place named by the phrase headed by ``word``, its case word and "the northern" skipped.
    The name must end at the phrase's head: "Nassau" in "Nassau County officials" names the county,
    not the Bahamas' capital."""
    phrase = sorted(word_index for word_index in parse.subtree(word) if parse.deps[word_index] != "case")
    positions = [token_of_word[word_index] for word_index in phrase if word_index in token_of_word]
    if not positions:
        return None
    start = positions[0]
    while start < len(tokens) and tokens[start].lower in _SKIPPED_BEFORE_NAME:
        start += 1
    found = gazetteer.lookup(tokens, start)
    if found is None:
        return None
    length, place = found
    if all(token.lower in not_place_words for token in tokens[start : start + length]):
        return None  # "Drug traffickers", "Hamas fighters": the actor's own words, no place
    head_token = token_of_word.get(word)
    return place if head_token is not None and start + length - 1 == head_token else None
